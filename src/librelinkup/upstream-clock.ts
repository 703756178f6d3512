// LibreLinkUp's own clock, read from an answer's `Date` header. Readings are judged against it, not
// only against this machine's clock, which may run hours late (a Raspberry Pi booted without network
// time) or early.

import { EARLIEST_PLAUSIBLE_MS } from './limits.js';

export interface UpstreamClock {
  /** epoch ms: LibreLinkUp's clock when it answered, or this machine's when the header was unusable */
  now: number;
  fromHeader: boolean;
}

/** The `Date` header (RFC 7231, 1 s resolution) as a clock; this machine's clock when absent or unparsable. */
export function upstreamClockFrom(dateHeader: string | null | undefined, localNow: number): UpstreamClock {
  const at = typeof dateHeader === 'string' && dateHeader.length <= 64 ? Date.parse(dateHeader) : Number.NaN;
  if (!Number.isFinite(at) || at < EARLIEST_PLAUSIBLE_MS) return { now: localNow, fromHeader: false };
  return { now: at, fromHeader: true };
}
