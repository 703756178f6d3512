// How long an account waits after a failure. Every failed login counts toward Abbott's lockout, so
// credential and terms errors wait long; transient upstream faults back off exponentially with
// jitter; lockouts and Retry-After are honoured exactly. Pure: callers pass `now` and `random`.

import type { LluError } from '../librelinkup/errors.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const TRANSIENT_BASE_MS = 10_000;
export const TRANSIENT_MAX_MS = 15 * MINUTE;
export const CREDENTIALS_BASE_MS = 5 * MINUTE;
export const CREDENTIALS_MAX_MS = HOUR;
export const TERMS_WAIT_MS = HOUR;
export const RATE_LIMIT_DEFAULT_MS = 5 * MINUTE;
/**
 * A bug of ours is not upstream's load: no reason to wait as long as for a struggling server, but
 * each retry is a poll (requests), so it backs off too; a fresh state may not hit the bug again.
 */
export const INTERNAL_MAX_MS = 5 * MINUTE;

/** `attempt` counts consecutive failures of this kind, starting at 1. */
export function retryDelay(
  error: Pick<LluError, 'kind' | 'retryAt'>,
  attempt: number,
  now: number,
  random: () => number,
): number {
  const n = Math.max(1, attempt);
  switch (error.kind) {
    case 'bad_credentials':
      return Math.min(CREDENTIALS_MAX_MS, CREDENTIALS_BASE_MS * 2 ** (n - 1));
    case 'terms':
      return TERMS_WAIT_MS;
    case 'locked':
    case 'rate_limited': {
      const told = error.retryAt !== undefined ? error.retryAt - now : undefined;
      // A server-given delay is honoured without jitter (plus a second of slack), capped at a day.
      if (told !== undefined && told > 0) return Math.min(24 * HOUR, told + 1_000);
      return RATE_LIMIT_DEFAULT_MS;
    }
    case 'internal': {
      const base = Math.min(INTERNAL_MAX_MS, TRANSIENT_BASE_MS * 2 ** (n - 1));
      return Math.min(INTERNAL_MAX_MS, Math.round(base / 2 + random() * (base / 2)));
    }
    default: {
      const base = Math.min(TRANSIENT_MAX_MS, TRANSIENT_BASE_MS * 2 ** (n - 1));
      // "Equal jitter": half fixed, half random, so retries of many accounts spread out.
      return Math.min(TRANSIENT_MAX_MS, Math.round(base / 2 + random() * (base / 2)));
    }
  }
}
