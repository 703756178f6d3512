// One sentence per failure that a Home Assistant user can act on. Pure: `now` is passed in, and
// times are shown as local HH:MM plus the ISO instant (the add-on's clock zone may differ from the user's).
// Words that came from upstream (a step name, a version, a region) are redacted and shortened here,
// so the instruction around them survives the cut of the whole message (safeText) at the boundary.

import { safeText } from '../log.js';
import { SUPPORT_URL } from '../version.js';
import type { LluError } from './errors.js';
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

export function describeLluError(err: LluError, now: number): string {
  switch (err.kind) {
    case 'bad_credentials':
      return (
        'Wrong e-mail or password for LibreLinkUp. Check the credentials of your LibreLinkUp (follower) account ' +
        '(not the LibreLink patient app). The bridge does not retry quickly, to avoid a lockout.'
      );
    case 'terms': {
      const step = err.step ?? 'tou';
      if (step === 'tou')
        return 'Accept the new terms of use in the LibreLinkUp app, then the bridge retries.';
      if (step === 'pp')
        return 'Accept the new privacy policy in the LibreLinkUp app, then the bridge retries.';
      if (step === 'verifyEmail') {
        return 'Verify your e-mail address for LibreLinkUp (link in the e-mail from Abbott, or in the app), then the bridge retries.';
      }
      return `LibreLinkUp needs an action: ${stepInstruction(safeText(step, 30))}, then the bridge retries.`;
    }
    case 'locked':
      return (
        `LibreLinkUp locked the account after failed logins until ${formatUntil(err.retryAt ?? now, now)}; ` +
        'stop other apps or devices using the same account with an old password.'
      );
    case 'rate_limited':
      return err.retryAt !== undefined && err.retryAt > now
        ? `LibreLinkUp is rate-limiting requests (HTTP 429); the bridge waits until ${formatUntil(err.retryAt, now)}.`
        : 'LibreLinkUp is rate-limiting requests (HTTP 429); the bridge waits a few minutes. Avoid other tools polling the same account.';
    case 'version':
      return (
        `LibreLinkUp requires a newer app version${err.minimumVersion ? ` (${safeText(err.minimumVersion, 20)})` : ''}. ` +
        'Update librelinkup2mqtt, or set the account version option to the required value.'
      );
    case 'unauthorized':
      return 'LibreLinkUp refused the session even after logging in again; the bridge retries later. If it persists, log in to the LibreLinkUp app to check the account.';
    case 'missing_cached_user':
      return 'LibreLinkUp lost the session (MissingCachedUser) even after logging in again; the bridge retries later.';
    case 'blocked':
      return (
        `LibreLinkUp is blocking requests (Cloudflare/HTTP ${err.httpStatus ?? 430}). Usually too many requests from ` +
        'this IP address, an outdated app version, or documents waiting for acceptance in the app; the bridge backs off.'
      );
    case 'server':
      return `LibreLinkUp has a server problem or maintenance${err.httpStatus ? ` (HTTP ${err.httpStatus})` : ''}; the bridge retries.`;
    case 'malformed':
      return (
        `LibreLinkUp answered with data we could not read (upstream changed?)${err.endpoint ? ` on ${err.endpoint}` : ''}. ` +
        'Check for an update of librelinkup2mqtt.'
      );
    case 'timeout':
      return 'LibreLinkUp unreachable (timeout). Check the internet connection; the bridge retries.';
    case 'network': {
      const code = (err.cause as { code?: unknown } | undefined)?.code;
      const what = typeof code === 'string' ? `network error ${safeText(code, 40)}` : 'network error';
      return `LibreLinkUp unreachable (${what}). Check the internet connection and DNS; the bridge retries.`;
    }
    case 'patient_not_found':
      return 'LibreLinkUp could not load this patient: the connection may have been removed in the app, or the account is served by another region.';
    case 'redirect':
      if (err.region !== undefined && isRegionCode(err.region)) {
        return 'LibreLinkUp kept redirecting the login between regions (loop); the bridge retries later. Try setting the account region explicitly.';
      }
      return (
        `LibreLinkUp sent the login to a region the bridge does not use${err.region ? ` (${safeText(err.region, 24)})` : ''}. ` +
        'Set the account region explicitly, or check api_url / region_url.'
      );
    case 'header_missing':
      return 'LibreLinkUp refused the Account-Id header (RequiredHeaderMissing); upstream changed. Check for an update of librelinkup2mqtt.';
    case 'internal': {
      const cause = err.cause;
      const what =
        cause instanceof Error ? safeText(`${cause.name}: ${cause.message}`, 120) : 'unexpected error';
      return (
        `A bug in librelinkup2mqtt (${what}), not a LibreLinkUp problem: please report it with the log at ` +
        `${SUPPORT_URL}/issues. The bridge retries.`
      );
    }
  }
}
