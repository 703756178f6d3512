// What a poll's outcome does to the account: its status, the consecutive-failure count, and the
// time of the next attempt after a failure (backoff.ts, never sooner than min_interval after the
// poll that failed). The one point where a failure becomes text for MQTT, the status page and /health.

import type { PollConfig } from '../config/types.js';
import { describeLluError } from '../librelinkup/describe.js';
import { policyOf } from '../librelinkup/error-policy.js';
import { internalError, isLluError, type LluError } from '../librelinkup/errors.js';
import { safeText } from '../log.js';
import type { AccountState } from './account-events.js';
import { retryDelay } from './backoff.js';
import { type Effect, iso, logLine } from './effects.js';

/** Not an LluError: a bug of ours, never to be shown as an upstream or network problem. */
export function asLluError(error: unknown): LluError {
  return isLluError(error) ? error : internalError(error);
}

export function pollSucceeded(
  state: AccountState,
  label: string,
  now: number,
): { state: AccountState; effects: Effect[] } {
  const effects: Effect[] =
    !state.status.ok && state.lastErrorKind !== null
      ? [logLine('info', 'LibreLinkUp answers again', { account: label })]
      : [];
  return {
    state: {
      ...state,
      failures: 0,
      lastErrorKind: null,
      status: {
        ...state.status,
        ok: true,
        errorKind: null,
        message: null,
        lastSuccessAt: now,
        blockedUntil: null,
      },
    },
    effects,
  };
}

/** A failed poll: the account's status, its log line and when to try again. */
export function pollFailed(
  state: AccountState,
  error: unknown,
  poll: PollConfig,
  now: number,
  random: () => number,
): { state: AccountState; effects: Effect[]; retryAt: number } {
  const err = asLluError(error);
  // Consecutive failures of any kind: an upstream flapping between kinds (502, timeout, 502...)
  // must back off too, not retry at the first step each time.
  const failures = state.failures + 1;
  const earliest = (state.lastPollAt ?? now) + poll.min_interval * 1000;
  const retryAt = Math.max(earliest, now + retryDelay(err, failures, now, random));
  const message = safeText(describeLluError(err, now));
  const fields: Record<string, unknown> = {
    kind: err.kind,
    attempt: failures,
    retry_at: iso(retryAt),
    // With its stack: the user is asked to report it with the log.
    ...(err.kind === 'internal' ? { err: error } : {}),
  };
  return {
    state: {
      ...state,
      failures,
      lastErrorKind: err.kind,
      status: {
        ...state.status,
        ok: false,
        errorKind: err.kind,
        message,
        lastErrorAt: now,
        blockedUntil: retryAt,
      },
    },
    effects: [logLine(policyOf(err.kind).severity, `${message} Next attempt at ${iso(retryAt)}.`, fields)],
    retryAt,
  };
}
