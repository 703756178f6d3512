// How long an account waits after a failure, by the wait rule of the error's kind in the error
// policy. Every failed login counts toward Abbott's lockout, so credential and terms errors wait
// long; transient upstream faults back off exponentially with jitter; lockouts and Retry-After are
// honoured exactly. Pure: callers pass `now` and `random`.

import { policyOf, type WaitRule } from '../librelinkup/error-policy.js';
import type { LluError } from '../librelinkup/errors.js';

export {
  CREDENTIALS_BASE_MS,
  CREDENTIALS_MAX_MS,
  HOUR,
  INTERNAL_MAX_MS,
  MINUTE,
  RATE_LIMIT_DEFAULT_MS,
  TERMS_WAIT_MS,
  TRANSIENT_BASE_MS,
  TRANSIENT_MAX_MS,
} from '../librelinkup/error-policy.js';

/** The wait of `rule` after the `attempt`-th consecutive failure (from 1). */
export function waitFor(
  rule: WaitRule,
  attempt: number,
  retryAt: number | undefined,
  now: number,
  random: () => number,
): number {
  const n = Math.max(1, attempt);
  switch (rule.rule) {
    case 'fixed':
      return rule.ms;
    case 'retry_at': {
      const told = retryAt !== undefined ? retryAt - now : undefined;
      // A server-given delay is honoured without jitter (plus a second of slack), capped.
      if (told !== undefined && told > 0) return Math.min(rule.maxMs, told + 1_000);
      return rule.defaultMs;
    }
    case 'doubling': {
      const base = Math.min(rule.maxMs, rule.baseMs * 2 ** (n - 1));
      if (!rule.jitter) return base;
      // "Equal jitter": half fixed, half random, so retries of many accounts spread out.
      return Math.min(rule.maxMs, Math.round(base / 2 + random() * (base / 2)));
    }
  }
}

/** `attempt` counts consecutive failures of this kind, starting at 1. */
export function retryDelay(
  error: Pick<LluError, 'kind' | 'retryAt'>,
  attempt: number,
  now: number,
  random: () => number,
): number {
  return waitFor(policyOf(error.kind).wait, attempt, error.retryAt, now, random);
}
