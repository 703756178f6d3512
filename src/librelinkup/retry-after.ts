// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Strict on purpose: an unparseable
// value yields undefined, and the caller falls back to its own backoff instead of guessing.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (the only format senders may generate).
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
/** A week is plenty; anything longer is more likely a bug upstream than a real instruction. */
const MAX_SECONDS = 86_400 * 7;

/** Epoch ms at which a retry is allowed, or undefined when the header is absent or unparseable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return seconds <= MAX_SECONDS ? now + seconds * 1000 : undefined;
  }
  const m = IMF_FIXDATE.exec(text);
  if (m === null) return undefined;
  const [, dd, mon, yyyy, hh, mi, ss] = m;
  const month = MONTHS.indexOf(mon!);
  const day = Number(dd);
  const hour = Number(hh);
  const minute = Number(mi);
  const second = Number(ss);
  if (month < 0 || hour > 23 || minute > 59 || second > 60) return undefined;
  const at = Date.UTC(Number(yyyy), month, day, hour, minute, Math.min(second, 59));
  // Date.UTC rolls 31 Feb over into March; a date that does not round-trip is not a real date.
  if (new Date(at).getUTCDate() !== day) return undefined;
  return at;
}
