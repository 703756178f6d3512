// What makes a token from LibreLinkUp usable, and what its `expires` may tell about the clocks.
// Pure, and shared: the client checks every login and refreshed ticket with it, the state-file
// loader every persisted session.

import { TOKEN_MAX_CHARS } from './limits.js';

/**
 * A token we can send as `Authorization: Bearer <token>`: visible ASCII only (no space, control
 * character, CR/LF or anything beyond latin1 that Node would refuse or a header could be split by),
 * of a sane length. Anything else would make every request fail before it leaves this machine.
 */
export function isHeaderSafeToken(token: unknown): boolean {
  return (
    typeof token === 'string' &&
    token.length > 0 &&
    token.length <= TOKEN_MAX_CHARS &&
    /^[\x21-\x7e]+$/.test(token)
  );
}

/**
 * A ticket whose `expires` is already past when it arrives says the clocks disagree (this machine's
 * ahead of LibreLinkUp's, or LibreLinkUp's own): the token is still used until LibreLinkUp refuses
 * it. Returns the warning to log, or null. `upstreamNow` is LibreLinkUp's clock (its `Date` header)
 * when known.
 */
export function ticketClockWarning(
  expiresAt: number,
  localNow: number,
  upstreamNow?: number | null,
): string | null {
  if (!Number.isFinite(expiresAt)) return null;
  const minutes = (ms: number) => Math.round(ms / 60_000);
  if (upstreamNow != null && Number.isFinite(upstreamNow) && expiresAt <= upstreamNow) {
    return (
      `LibreLinkUp issued a session that expired ${minutes(upstreamNow - expiresAt)} min before its own ` +
      'clock; using it until LibreLinkUp refuses it'
    );
  }
  if (expiresAt <= localNow) {
    return (
      `LibreLinkUp's session expiry lies ${minutes(localNow - expiresAt)} min behind this machine's clock: ` +
      "check this machine's date and time (NTP); the session is used until LibreLinkUp refuses it"
    );
  }
  return null;
}
