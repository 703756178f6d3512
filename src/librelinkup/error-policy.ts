// What the bridge does about each kind of failure, in one table: whether only the user can clear it,
// whether it ends gap filling for the poll, how loudly it is logged. Backoff, /health, the problem
// entities and the troubleshooting tables in the docs are derived from this table, so they cannot
// disagree with each other.

import type { LluErrorKind } from './errors.js';

export interface KindPolicy {
  /**
   * Only the user can clear it (password, terms, lockout, firewall...): a restart would only add
   * logins, so /health stays 200 "degraded" instead of asking the watchdog for a restart.
   */
  needsUser: boolean;
  /**
   * A graph read failing this way fails the whole poll (its wait applies to the account), instead of
   * only postponing that patient's gap filling.
   */
  stopsGapFill: boolean;
  /**
   * A graph read failing this way means the session was refused after the client's one fresh login:
   * the other graph reads of that poll wait for the next poll, each would cost another login.
   */
  endsSession: boolean;
  /** log level of the failure line */
  severity: 'error' | 'warn';
}

const P = (
  needsUser: boolean,
  stopsGapFill: boolean,
  severity: KindPolicy['severity'],
  endsSession = false,
): KindPolicy => ({ needsUser, stopsGapFill, severity, endsSession });

export const ERROR_POLICY: Readonly<Record<LluErrorKind, KindPolicy>> = {
  bad_credentials: P(true, true, 'error'),
  terms: P(true, true, 'error'),
  locked: P(true, true, 'error'),
  rate_limited: P(true, true, 'warn'),
  version: P(true, false, 'error'),
  unauthorized: P(false, false, 'warn', true),
  missing_cached_user: P(false, false, 'warn', true),
  blocked: P(true, false, 'error'),
  server: P(false, false, 'warn'),
  malformed: P(false, false, 'warn'),
  timeout: P(false, false, 'warn'),
  network: P(false, false, 'warn'),
  patient_not_found: P(true, false, 'warn'),
  redirect: P(true, false, 'warn'),
  header_missing: P(false, false, 'warn'),
  internal: P(false, false, 'error'),
};

export function policyOf(kind: LluErrorKind): KindPolicy {
  return ERROR_POLICY[kind];
}
