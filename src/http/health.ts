// What GET /health answers, decided from plain inputs so it can be tested without a server.
//
// A 503 makes Docker mark the container unhealthy, and the Home Assistant Supervisor's watchdog then
// restarts the add-on. A restart helps when the broker connection is gone for good or upstream
// requests keep failing for reasons a fresh process may clear. It does not help, and makes things
// worse, when the account needs the user (wrong password, terms to accept, lockout, rate limit,
// firewall block): every restart means another login, and failed logins extend Abbott's lockout.
// Those states are reported as "degraded" with 200, with the reason in the body.

import type { AccountStatus } from '../bridge/events.js';
import { policyOf } from '../librelinkup/error-policy.js';
import type { LluErrorKind } from '../librelinkup/errors.js';
import { safeText } from '../log.js';

/** Healthy regardless of accounts and broker for this long after start: first login, broker connect. */
export const START_GRACE_MS = 5 * 60_000;
/** An account with no successful poll for this long (and failing now) counts as down. */
export const ACCOUNT_DOWN_AFTER_MS = 30 * 60_000;

export type HealthStatus = 'ok' | 'degraded' | 'error';

export interface HealthAccount {
  key: string;
  label: string;
  ok: boolean;
  /** ISO time of the last successful poll, or null */
  last_success: string | null;
  error_kind: LluErrorKind | null;
  message: string | null;
  /** ISO time of the next planned poll, or null */
  next_poll: string | null;
}

export interface HealthBody {
  status: HealthStatus;
  broker_connected: boolean;
  /** why the status is not "ok", in words; empty when ok */
  reasons: string[];
  started_at: string;
  accounts: HealthAccount[];
}

export interface HealthReport {
  httpStatus: 200 | 503;
  body: HealthBody;
}

export interface HealthInput {
  brokerConnected: boolean;
  accounts: readonly AccountStatus[];
  now: number;
  startedAt: number;
}

function iso(ms: number | null): string | null {
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

function account(a: AccountStatus): HealthAccount {
  return {
    key: a.key,
    label: a.label,
    ok: a.ok,
    last_success: iso(a.lastSuccessAt),
    error_kind: a.errorKind,
    // Messages are written for users, but may quote upstream words: served over HTTP, so made safe.
    message: a.message === null ? null : safeText(a.message),
    next_poll: iso(a.nextPollAt),
  };
}

export function healthReport(input: HealthInput): HealthReport {
  const { brokerConnected, accounts, now, startedAt } = input;
  const inGrace = now - startedAt < START_GRACE_MS;
  const reasons: string[] = [];
  const seen = new Set<HealthStatus>();
  const worsen = (to: HealthStatus) => seen.add(to);

  if (!brokerConnected) {
    reasons.push('not connected to the MQTT broker');
    worsen(inGrace ? 'degraded' : 'error');
  }

  const failing = accounts.filter((a) => !a.ok);
  const down = accounts.filter(
    (a) => !a.ok && (a.lastSuccessAt === null || now - a.lastSuccessAt > ACCOUNT_DOWN_AFTER_MS),
  );
  for (const a of failing) {
    reasons.push(`${a.label}: ${a.message === null ? 'no successful poll yet' : safeText(a.message)}`);
  }
  if (failing.length > 0) worsen('degraded');
  const allDown = accounts.length > 0 && down.length === accounts.length;
  const needsUser = failing.some((a) => a.errorKind !== null && policyOf(a.errorKind).needsUser);
  if (allDown && !inGrace && !needsUser) {
    reasons.push(
      `no account has polled LibreLinkUp successfully for ${ACCOUNT_DOWN_AFTER_MS / 60_000} minutes`,
    );
    worsen('error');
  }

  const status: HealthStatus = seen.has('error') ? 'error' : seen.has('degraded') ? 'degraded' : 'ok';
  return {
    httpStatus: status === 'error' ? 503 : 200,
    body: {
      status,
      broker_connected: brokerConnected,
      reasons,
      started_at: new Date(startedAt).toISOString(),
      accounts: accounts.map(account),
    },
  };
}
