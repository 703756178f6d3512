// What the bridge does about each kind of failure, in one table: how long the account waits, whether
// only the user can clear it, whether it ends gap filling for the poll, how loudly it is logged, what
// the user reads and what the troubleshooting tables tell them to do. Backoff, /health, the problem
// entities and the troubleshooting tables in the docs are derived from this table, so they cannot
// disagree with each other.

import { MESSAGES } from './describe.js';
import type { LluError, LluErrorKind } from './errors.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const TRANSIENT_BASE_MS = 10_000;
export const TRANSIENT_MAX_MS = 15 * MINUTE;
export const CREDENTIALS_BASE_MS = 5 * MINUTE;
export const CREDENTIALS_MAX_MS = HOUR;
export const TERMS_WAIT_MS = HOUR;
export const RATE_LIMIT_DEFAULT_MS = 5 * MINUTE;
/** A server-given time is honoured up to this far ahead. */
export const RETRY_AT_MAX_MS = 24 * HOUR;
/**
 * A bug of ours is not upstream's load: no reason to wait as long as for a struggling server, but
 * each retry is a poll (requests), so it backs off too; a fresh state may not hit the bug again.
 */
export const INTERNAL_MAX_MS = 5 * MINUTE;

/** How long the account waits after a failure; computed by retryDelay in bridge/backoff.ts. */
export type WaitRule =
  /** always the same wait */
  | { rule: 'fixed'; ms: number }
  /** base, then doubling per consecutive failure up to max; with jitter, half fixed and half random */
  | { rule: 'doubling'; baseMs: number; maxMs: number; jitter: boolean }
  /** until the time upstream gave (lockout end, Retry-After), else `defaultMs` */
  | { rule: 'retry_at'; defaultMs: number; maxMs: number };

const TRANSIENT: WaitRule = {
  rule: 'doubling',
  baseMs: TRANSIENT_BASE_MS,
  maxMs: TRANSIENT_MAX_MS,
  jitter: true,
};
const RETRY_AT: WaitRule = { rule: 'retry_at', defaultMs: RATE_LIMIT_DEFAULT_MS, maxMs: RETRY_AT_MAX_MS };

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
  wait: WaitRule;
  /** what it means, in a few words (the troubleshooting table's middle column) */
  title: string;
  /**
   * How the message starts, as the troubleshooting table quotes it: one per variant; `...` and HH:MM
   * stand for the error's details (` ...` for details that may be absent). Tests check each against
   * the rendered message.
   */
  shows: readonly string[];
  /** what to do (the troubleshooting table adds how long the bridge waits) */
  troubleshooting: string;
  /** the message the user reads (log, last_error, /health, status page) */
  message: (err: LluError, now: number) => string;
}

type Flags = Pick<KindPolicy, 'needsUser' | 'stopsGapFill' | 'severity' | 'endsSession'>;
const F = (
  needsUser: boolean,
  stopsGapFill: boolean,
  severity: KindPolicy['severity'],
  endsSession = false,
): Flags => ({ needsUser, stopsGapFill, severity, endsSession });

const UNAVAILABLE = 'glucose turns unavailable after 15 minutes without a new reading, as it should';

export const ERROR_POLICY: Readonly<Record<LluErrorKind, KindPolicy>> = {
  bad_credentials: {
    ...F(true, true, 'error'),
    wait: { rule: 'doubling', baseMs: CREDENTIALS_BASE_MS, maxMs: CREDENTIALS_MAX_MS, jitter: false },
    title: 'LibreLinkUp refused the e-mail or password (login status 2)',
    shows: ['Wrong e-mail or password for LibreLinkUp'],
    troubleshooting:
      'Use the credentials of the LibreLinkUp (follower) account, not those of the LibreLink patient app. Retries are slow because each failed login counts toward a lockout.',
    message: MESSAGES.bad_credentials,
  },
  terms: {
    ...F(true, true, 'error'),
    wait: { rule: 'fixed', ms: TERMS_WAIT_MS },
    title:
      'the login needs a step in the app: new terms of use, privacy policy or e-mail verification (login status 4)',
    shows: [
      'Accept the new terms of use in the LibreLinkUp app',
      'Accept the new privacy policy in the LibreLinkUp app',
      'Verify your e-mail address for LibreLinkUp',
      'LibreLinkUp needs an action: ...',
    ],
    troubleshooting:
      'Open the LibreLinkUp app, log in and complete the step; for terms and privacy policy, `accept_terms: true` does it for you.',
    message: MESSAGES.terms,
  },
  locked: {
    ...F(true, true, 'error'),
    wait: RETRY_AT,
    title: 'too many failed logins: 3 within 60 s lock the account for 5 min, more failures extend it',
    shows: ['LibreLinkUp locked the account after failed logins until HH:MM'],
    troubleshooting:
      'Stop every other app or tool that uses the same account with an old password; the bridge sends nothing until the lock ends.',
    message: MESSAGES.locked,
  },
  rate_limited: {
    ...F(true, true, 'warn'),
    wait: RETRY_AT,
    title: 'too many requests (HTTP 429)',
    shows: ['LibreLinkUp is rate-limiting requests (HTTP 429)'],
    troubleshooting: 'Do not run several bridges, or other tools polling LibreLinkUp, on one account.',
    message: MESSAGES.rate_limited,
  },
  version: {
    ...F(true, false, 'error'),
    wait: TRANSIENT,
    title:
      'LibreLinkUp wants a newer app version (HTTP 403, status 920), even after the bridge adopted the one it announced',
    shows: ['LibreLinkUp requires a newer app version'],
    troubleshooting: "Update librelinkup2mqtt, or set the account's `version` to the required value.",
    message: MESSAGES.version,
  },
  unauthorized: {
    ...F(false, false, 'warn', true),
    wait: TRANSIENT,
    title: 'the session was refused even after one fresh login (HTTP 401)',
    shows: ['LibreLinkUp refused the session even after logging in again'],
    troubleshooting:
      'Usually clears by itself. If it persists, log in to the LibreLinkUp app to check the account, then restart.',
    message: MESSAGES.unauthorized,
  },
  missing_cached_user: {
    ...F(false, false, 'warn', true),
    wait: TRANSIENT,
    title: 'LibreLinkUp lost the session (MissingCachedUser) even after one fresh login',
    shows: ['LibreLinkUp lost the session (MissingCachedUser)'],
    troubleshooting: 'Usually clears by itself; if it persists, restart.',
    message: MESSAGES.missing_cached_user,
  },
  blocked: {
    ...F(true, false, 'error'),
    wait: TRANSIENT,
    title: "LibreLinkUp's firewall refused the request (HTTP 430, 403 or a Cloudflare block page)",
    shows: ['LibreLinkUp is blocking requests (Cloudflare/HTTP ...)'],
    troubleshooting:
      "Often too many requests from this IP address (shared, VPN), an outdated app version, or documents to accept in the app. Cloudflare's own 502/52x pages are not this: they mean Abbott is down and show as a server problem.",
    message: MESSAGES.blocked,
  },
  server: {
    ...F(false, false, 'warn'),
    wait: TRANSIENT,
    title: "an Abbott outage or maintenance (HTTP 5xx, Cloudflare's 502/52x pages, status 911)",
    shows: ['LibreLinkUp has a server problem or maintenance'],
    troubleshooting: `Nothing to do: ${UNAVAILABLE}, and readings come back by themselves.`,
    message: MESSAGES.server,
  },
  malformed: {
    ...F(false, false, 'warn'),
    wait: TRANSIENT,
    title: 'the whole answer was unusable (not JSON, no list of connections, over 4 MB)',
    shows: ['LibreLinkUp answered with data we could not read'],
    troubleshooting:
      "Nothing is published from it. If it persists, the API changed: open an issue with a debug log (secrets are redacted). One person's odd field does not do this: only that value is left out.",
    message: MESSAGES.malformed,
  },
  timeout: {
    ...F(false, false, 'warn'),
    wait: TRANSIENT,
    title: 'no answer within the request timeout',
    shows: ['LibreLinkUp unreachable (timeout)'],
    troubleshooting: `Check the internet connection of this machine; ${UNAVAILABLE}.`,
    message: MESSAGES.timeout,
  },
  network: {
    ...F(false, false, 'warn'),
    wait: TRANSIENT,
    title: 'a network error: connection refused, DNS failure, reset',
    shows: ['LibreLinkUp unreachable (network error ...)'],
    troubleshooting: `Check the internet connection and DNS of this machine; ${UNAVAILABLE}.`,
    message: MESSAGES.network,
  },
  patient_not_found: {
    ...F(true, false, 'warn'),
    wait: TRANSIENT,
    title: 'LibreLinkUp could not load a followed person (status 4 couldNotLoadPatient)',
    shows: ['LibreLinkUp could not load this patient'],
    troubleshooting:
      "The connection may have been removed: re-accept the invitation in LibreLinkUp. If the account is served by another region, set the account's `region`.",
    message: MESSAGES.patient_not_found,
  },
  redirect: {
    ...F(true, false, 'warn'),
    wait: TRANSIENT,
    title: 'the login was sent to a region outside the known list, or back and forth between regions',
    shows: [
      'LibreLinkUp sent the login to a region the bridge does not use',
      'LibreLinkUp kept redirecting the login between regions (loop)',
    ],
    troubleshooting: "Set the account's `region` explicitly (and check `api_url` / `region_url`).",
    message: MESSAGES.redirect,
  },
  header_missing: {
    ...F(false, false, 'warn'),
    wait: TRANSIENT,
    title: 'LibreLinkUp refused the Account-Id header (HTTP 400 RequiredHeaderMissing)',
    shows: ['LibreLinkUp refused the Account-Id header (RequiredHeaderMissing)'],
    troubleshooting: 'The API changed: check for an update of librelinkup2mqtt.',
    message: MESSAGES.header_missing,
  },
  internal: {
    ...F(false, false, 'error'),
    wait: { rule: 'doubling', baseMs: TRANSIENT_BASE_MS, maxMs: INTERNAL_MAX_MS, jitter: true },
    title: 'an unexpected error in librelinkup2mqtt itself, not a LibreLinkUp problem',
    shows: ['A bug in librelinkup2mqtt (...)'],
    troubleshooting: 'Please report it with the log (the log line has the stack).',
    message: MESSAGES.internal,
  },
};

export function policyOf(kind: LluErrorKind): KindPolicy {
  return ERROR_POLICY[kind];
}
