// Every failure of the LibreLinkUp client is an LluError with a `kind` the bridge can act on.

import { AppError } from '../errors.js';

export type LluErrorKind =
  /** status 2 on login: wrong e-mail or password (or LibreLink instead of LibreLinkUp credentials) */
  | 'bad_credentials'
  /** status 4 on login: a step (tou, pp, verifyEmail) must be completed in the app */
  | 'terms'
  /** status 429 body "locked": too many failed logins; `retryAt` says until when */
  | 'locked'
  /** HTTP 429 Too Many Requests; `retryAt` from Retry-After when given */
  | 'rate_limited'
  /** 403/status 920 with minimumVersion, after adopting it once did not help */
  | 'version'
  /** 401 / invalid or expired jwt, after the one re-login allowed */
  | 'unauthorized'
  /** body {"message":"MissingCachedUser"}, after the one re-login allowed */
  | 'missing_cached_user'
  /** HTTP 430, 403 HTML, Cloudflare pages: blocked by the upstream's firewall */
  | 'blocked'
  /** 5xx or a maintenance answer (status 911) */
  | 'server'
  /** the body did not match the schema (not JSON, missing/mistyped fields) */
  | 'malformed'
  /** no answer within the request timeout */
  | 'timeout'
  /** connection refused, DNS failure, reset */
  | 'network'
  /** status 4 couldNotLoadPatient on graph/logbook */
  | 'patient_not_found'
  /** login redirect to a region outside the allow-list, or a redirect loop */
  | 'redirect'
  /** 400 RequiredHeaderMissing: the Account-Id header was refused */
  | 'header_missing'
  /** not LibreLinkUp's doing: a bug in this program (a TypeError and the like); `cause` holds it */
  | 'internal';

export interface LluErrorDetails {
  /** epoch ms before which the account must not be contacted again */
  retryAt?: number;
  /** tou / pp / verifyEmail for kind `terms` */
  step?: string;
  minimumVersion?: string;
  httpStatus?: number;
  /** which endpoint failed, e.g. "login", "connections", "graph" */
  endpoint?: string;
  /** kind `redirect`: the region upstream asked for */
  region?: string;
  cause?: unknown;
}

export class LluError extends AppError<LluErrorKind> {
  override readonly name = 'LluError';
  readonly retryAt: number | undefined;
  readonly step: string | undefined;
  readonly minimumVersion: string | undefined;
  readonly httpStatus: number | undefined;
  readonly endpoint: string | undefined;
  readonly region: string | undefined;

  constructor(kind: LluErrorKind, message: string, details: LluErrorDetails = {}) {
    super(kind, message, { cause: details.cause });
    this.retryAt = details.retryAt;
    this.step = details.step;
    this.minimumVersion = details.minimumVersion;
    this.httpStatus = details.httpStatus;
    this.endpoint = details.endpoint;
    this.region = details.region;
  }
}

export function isLluError(value: unknown): value is LluError {
  return (
    value instanceof LluError || (value instanceof Error && value.name === 'LluError' && 'kind' in value)
  );
}

/**
 * Wraps what is not an LluError (a bug of ours, anywhere in a poll) so that it is reported as ours,
 * with the original error, and its stack, kept as `cause`.
 */
export function internalError(error: unknown): LluError {
  let what: string;
  try {
    what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    what = 'a value that cannot be shown';
  }
  return new LluError('internal', `unexpected error in librelinkup2mqtt (${what})`, { cause: error });
}
