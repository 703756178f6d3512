// Learns, per patient, how often readings come (period) and how long after their FactoryTimestamp
// they become visible upstream (upload lag), from what the bridge itself observed. Pure data.

export interface Cadence {
  /** recent spacings between consecutive live readings, ms */
  periods: number[];
  /** recent upper bounds of the upload lag: first-seen time minus FactoryTimestamp, ms */
  lags: number[];
}

export const EMPTY_CADENCE: Cadence = { periods: [], lags: [] };
const KEEP = 15;
export const DEFAULT_PERIOD_MS = 60_000;

function push(list: number[], value: number): number[] {
  const next = [...list, value];
  return next.length > KEEP ? next.slice(next.length - KEEP) : next;
}

export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Record a reading seen for the first time at `seenAt` (previous reading at `previousTs`).
 * `pollGap` is the time since the poll before this one: a lag bound from a poll that came long after
 * the reading appeared says little, so those are dropped.
 */
export function observe(
  cadence: Cadence,
  readingTs: number,
  previousTs: number | null,
  seenAt: number,
  pollGap: number,
): Cadence {
  let { periods, lags } = cadence;
  if (previousTs !== null) {
    const spacing = readingTs - previousTs;
    // Only spacings of one reading count; a gap of several readings would inflate the period.
    const typical = periodOf(cadence);
    if (spacing > 0 && spacing < typical * 1.6) periods = push(periods, spacing);
  }
  const lag = seenAt - readingTs;
  if (lag >= 0 && pollGap <= Math.max(2 * (quantile(lags, 0.5) ?? 0), 30_000)) lags = push(lags, lag);
  return { periods, lags };
}

export function periodOf(cadence: Cadence): number {
  return quantile(cadence.periods, 0.5) ?? DEFAULT_PERIOD_MS;
}

/** Expected lag: a low quantile of the upper bounds, i.e. close to when readings really appear. */
export function lagOf(cadence: Cadence): number {
  return quantile(cadence.lags, 0.25) ?? 0;
}
