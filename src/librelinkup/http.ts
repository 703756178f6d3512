// The one place that talks HTTP to LibreLinkUp: app-like headers, a per-request timeout, a
// keep-alive agent, a small cookie jar, and classification of every answer into a JSON body or an
// LluError. Logs method, endpoint, host, status and duration at debug: never bodies or headers.

import http from 'node:http';
import https from 'node:https';
import nodeFetch from 'node-fetch';
import type { Logger } from '../log.js';
import { packageVersion } from '../version.js';
import { classifyAnswer } from './classify.js';
import { CookieJar, setCookieLines } from './cookies.js';
import { LluError } from './errors.js';

export interface FetchHeadersLike {
  get(name: string): string | null;
  raw?: () => Record<string, string[]>;
  getSetCookie?: () => string[];
}

export interface FetchResponseLike {
  status: number;
  headers: FetchHeadersLike;
  text(): Promise<string>;
}

export interface FetchInitLike {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  redirect: 'manual';
  agent?: (url: URL) => http.Agent;
}

/** node-fetch's shape, narrowed to what we use; tests inject their own. */
export type FetchLike = (url: string, init: FetchInitLike) => Promise<FetchResponseLike>;

export const DEFAULT_TIMEOUT_MS = 20_000;
export const PRODUCT = 'llu.android';

/** Android-WebView-like, as the app is, plus an honest product token. */
export function defaultUserAgent(): string {
  return `Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.0.0 Mobile Safari/537.36 librelinkup2mqtt/${packageVersion()}`;
}

export interface LluRequest {
  /** login | continue | connections | graph | logbook: for logs, stats and error messages */
  endpoint: string;
  method: 'GET' | 'POST';
  url: string;
  /** `version` header */
  version: string;
  /** JSON body (POST) */
  body?: unknown;
  /** Bearer token (session or step token) */
  token?: string;
  /** Account-Id header: sha256 hex of user.id */
  accountIdHash?: string;
}

export interface TransportOptions {
  logger: Logger;
  timeoutMs?: number;
  userAgent?: string;
  fetch?: FetchLike;
  now?: () => number;
}

export interface TransportStats {
  requests: number;
  byEndpoint: Record<string, number>;
}

export class Transport {
  readonly stats: TransportStats = { requests: 0, byEndpoint: {} };
  /** `Date` header of the latest answer: LibreLinkUp's clock (see upstream-clock.ts) */
  lastDateHeader: string | null = null;
  private readonly cookies = new CookieJar();
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly fetch: FetchLike;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly now: () => number;

  constructor(private readonly options: TransportOptions) {
    this.fetch = options.fetch ?? (nodeFetch as unknown as FetchLike);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.userAgent = options.userAgent ?? defaultUserAgent();
    this.now = options.now ?? Date.now;
  }

  /** Sends one request; resolves with the parsed JSON body or rejects with an LluError. */
  async request(req: LluRequest): Promise<unknown> {
    const url = new URL(req.url);
    const host = url.host;
    const headers: Record<string, string> = {
      product: PRODUCT,
      version: req.version,
      accept: 'application/json',
      'content-type': 'application/json',
      'cache-control': 'no-cache',
      pragma: 'no-cache',
      'accept-encoding': 'gzip',
      'user-agent': this.userAgent,
    };
    if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`;
    if (req.accountIdHash !== undefined) headers['account-id'] = req.accountIdHash;
    const cookie = this.cookies.header(host, this.now());
    if (cookie !== null) headers.cookie = cookie;

    this.stats.requests += 1;
    this.stats.byEndpoint[req.endpoint] = (this.stats.byEndpoint[req.endpoint] ?? 0) + 1;
    const started = this.now();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const log = { method: req.method, endpoint: req.endpoint, host };

    let status: number;
    let text: string;
    let res: FetchResponseLike;
    try {
      res = await this.fetch(url.toString(), {
        method: req.method,
        headers,
        ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
        signal: controller.signal,
        redirect: 'manual',
        agent: (u: URL) => (u.protocol === 'http:' ? this.httpAgent : this.httpsAgent),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      const durationMs = this.now() - started;
      if (timedOut) {
        this.options.logger.debug({ ...log, durationMs, error: 'timeout' }, 'LibreLinkUp request timed out');
        throw new LluError(
          'timeout',
          `LibreLinkUp unreachable (timeout after ${this.timeoutMs} ms on ${req.endpoint} at ${host})`,
          {
            endpoint: req.endpoint,
          },
        );
      }
      const code = networkCode(err);
      this.options.logger.debug({ ...log, durationMs, error: code }, 'LibreLinkUp request failed');
      throw new LluError('network', `LibreLinkUp unreachable (${code} on ${req.endpoint} at ${host})`, {
        endpoint: req.endpoint,
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }

    const now = this.now();
    this.lastDateHeader = res.headers.get('date');
    this.cookies.store(host, setCookieLines(res.headers), now);
    this.options.logger.debug({ ...log, status, durationMs: now - started }, 'LibreLinkUp request');
    return classifyAnswer({
      status,
      contentType: res.headers.get('content-type'),
      text,
      retryAfter: res.headers.get('retry-after'),
      endpoint: req.endpoint,
      host,
      now,
    });
  }

  /** Drops idle keep-alive sockets (call when the client is discarded). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function networkCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; errno?: unknown; cause?: { code?: unknown }; name?: unknown };
    for (const c of [e.code, e.errno, e.cause?.code]) if (typeof c === 'string' && c !== '') return c;
    if (typeof e.name === 'string') return e.name;
  }
  return 'network error';
}
