// One sentence per failure that a Home Assistant user can act on. Pure: `now` is passed in, and
// times are shown as local HH:MM plus the ISO instant (the add-on's clock zone may differ from the user's).
// Words that came from upstream (a step name, a version, a region) are redacted and shortened here,
// so the instruction around them survives the cut of the whole message (safeText) at the boundary.

import { safeText } from '../log.js';
import { SUPPORT_URL } from '../version.js';
import type { LluError, LluErrorKind } from './errors.js';
import { stepInstruction } from './login-response.js';
import { isRegionCode } from './regions.js';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "23:15 (2024-06-19T21:15:00.000Z)"; "a moment" when the time has already passed. */
export function formatUntil(at: number, now: number): string {
  if (!Number.isFinite(at) || at <= now) return 'a moment';
  const d = new Date(at);
  return `${pad(d.getHours())}:${pad(d.getMinutes())} (${d.toISOString()})`;
}

type Renderer = (err: LluError, now: number) => string;

/** The user's message for each kind, with the error's details (time, step, version, region...). */
export const MESSAGES: Readonly<Record<LluErrorKind, Renderer>> = {
  bad_credentials: () =>
    'Wrong e-mail or password for LibreLinkUp. Check the credentials of your LibreLinkUp (follower) account ' +
    '(not the LibreLink patient app). The bridge does not retry quickly, to avoid a lockout.',
  terms: (err) => {
    const step = err.step ?? 'tou';
    if (step === 'tou') return 'Accept the new terms of use in the LibreLinkUp app, then the bridge retries.';
    if (step === 'pp')
      return 'Accept the new privacy policy in the LibreLinkUp app, then the bridge retries.';
    if (step === 'verifyEmail') {
      return 'Verify your e-mail address for LibreLinkUp (link in the e-mail from Abbott, or in the app), then the bridge retries.';
    }
    return `LibreLinkUp needs an action: ${stepInstruction(safeText(step, 30))}, then the bridge retries.`;
  },
  locked: (err, now) =>
    `LibreLinkUp locked the account after failed logins until ${formatUntil(err.retryAt ?? now, now)}; ` +
    'stop other apps or devices using the same account with an old password.',
  rate_limited: (err, now) =>
    err.retryAt !== undefined && err.retryAt > now
      ? `LibreLinkUp is rate-limiting requests (HTTP 429); the bridge waits until ${formatUntil(err.retryAt, now)}.`
      : 'LibreLinkUp is rate-limiting requests (HTTP 429); the bridge waits a few minutes. Avoid other tools polling the same account.',
  version: (err) =>
    `LibreLinkUp requires a newer app version${err.minimumVersion ? ` (${safeText(err.minimumVersion, 20)})` : ''}. ` +
    'Update librelinkup2mqtt, or set the account version option to the required value.',
  unauthorized: () =>
    'LibreLinkUp refused the session even after logging in again; the bridge retries later. If it persists, log in to the LibreLinkUp app to check the account.',
  missing_cached_user: () =>
    'LibreLinkUp lost the session (MissingCachedUser) even after logging in again; the bridge retries later.',
  blocked: (err) =>
    `LibreLinkUp is blocking requests (Cloudflare/HTTP ${err.httpStatus ?? 430}). Usually too many requests from ` +
    'this IP address, an outdated app version, or documents waiting for acceptance in the app; the bridge backs off.',
  server: (err) =>
    `LibreLinkUp has a server problem or maintenance${err.httpStatus ? ` (HTTP ${err.httpStatus})` : ''}; the bridge retries.`,
  malformed: (err) =>
    `LibreLinkUp answered with data we could not read (upstream changed?)${err.endpoint ? ` on ${err.endpoint}` : ''}. ` +
    'Check for an update of librelinkup2mqtt.',
  timeout: () => 'LibreLinkUp unreachable (timeout). Check the internet connection; the bridge retries.',
  network: (err) => {
    const code = (err.cause as { code?: unknown } | undefined)?.code;
    const what = typeof code === 'string' ? `network error ${safeText(code, 40)}` : 'network error';
    return `LibreLinkUp unreachable (${what}). Check the internet connection and DNS; the bridge retries.`;
  },
  patient_not_found: () =>
    'LibreLinkUp could not load this patient: the connection may have been removed in the app, or the account is served by another region.',
  redirect: (err) => {
    if (err.region !== undefined && isRegionCode(err.region)) {
      return 'LibreLinkUp kept redirecting the login between regions (loop); the bridge retries later. Try setting the account region explicitly.';
    }
    return (
      `LibreLinkUp sent the login to a region the bridge does not use${err.region ? ` (${safeText(err.region, 24)})` : ''}. ` +
      'Set the account region explicitly, or check api_url / region_url.'
    );
  },
  header_missing: () =>
    'LibreLinkUp refused the Account-Id header (RequiredHeaderMissing); upstream changed. Check for an update of librelinkup2mqtt.',
  internal: (err) => {
    const cause = err.cause;
    const what =
      cause instanceof Error ? safeText(`${cause.name}: ${cause.message}`, 120) : 'unexpected error';
    return (
      `A bug in librelinkup2mqtt (${what}), not a LibreLinkUp problem: please report it with the log at ` +
      `${SUPPORT_URL}/issues. The bridge retries.`
    );
  },
};

export function describeLluError(err: LluError, now: number): string {
  return MESSAGES[err.kind](err, now);
}
