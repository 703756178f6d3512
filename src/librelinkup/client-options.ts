// What a LibreLinkUp client is given (account, hosts, version, hooks) and what it reports (its
// counters, and the connections answer with LibreLinkUp's clock and the problems of single entries).

import type { Logger } from '../log.js';
import type { FetchLike } from './http.js';
import type { Connection, Session } from './model.js';
import type { DataIssue } from './parse.js';

export interface ConnectionsAnswer {
  connections: Connection[];
  /** LibreLinkUp's clock when it answered (its Date header), or this machine's when absent */
  upstreamNow: number;
  clockFromHeader: boolean;
  /** problems of single entries; each cost only its field (or, without a usable patientId, its entry) */
  issues: DataIssue[];
}

export interface LluClientOptions {
  email: string;
  password: string;
  /** 'auto' logs in at apiUrl and follows the redirect; a code logs in at that region's host */
  region: 'auto' | string;
  /** global entry point, e.g. https://api.libreview.io */
  apiUrl: string;
  /** regional host template with `{region}`, e.g. https://api-{region}.libreview.io */
  regionUrl: string;
  /** `version` header to start with; raised automatically by a 920 answer */
  version: string;
  /** complete tou/pp login steps automatically */
  acceptTerms: boolean;
  /** per-request timeout, default 20 s */
  timeoutMs?: number;
  logger: Logger;
  /** a persisted session to reuse (no login until LibreLinkUp refuses it) */
  session?: Session | null;
  userAgent?: string;
  fetch?: FetchLike;
  onSessionChange?: (session: Session | null) => void;
  now?: () => number;
}

export interface LluClientStats {
  requests: number;
  /** login attempts (a redirect or step chain counts as one) */
  logins: number;
  byEndpoint: Record<string, number>;
}
