// A bounded per-patient series of readings for the statistics in stats.ts. Pure: the caller owns the
// array and passes `now`. Live readings arrive about once a minute and graph points every 5 minutes,
// so one reading per UTC minute loses nothing the stats need and bounds the series at ~24 h of
// minutes however often the same readings are fed in again.

import type { Reading } from '../librelinkup/model.js';

/** Oldest first, at most one reading per UTC minute, only finite positive mg/dL. */
export type History = Reading[];

const MINUTE_MS = 60_000;

/** The statistics look back this far. */
export const STATS_WINDOW_MS = 24 * 60 * MINUTE_MS;

/**
 * Kept a little longer than the window: a reading shortly before the window's start still counts for
 * the part of its interval inside the window (stats.ts caps an interval at 15 minutes).
 */
export const HISTORY_KEEP_MS = STATS_WINDOW_MS + 15 * MINUTE_MS;

/**
 * Readings stamped further ahead than this are dropped as bogus. FactoryTimestamp is UTC, so real
 * readings are never far ahead; the tolerance is generous so a host clock running late never loses data.
 * It also keeps the series bounded: (24 h 15 min + 1 h) of minutes at most.
 */
export const FUTURE_TOLERANCE_MS = 60 * MINUTE_MS;

export const MAX_HISTORY = (HISTORY_KEEP_MS + FUTURE_TOLERANCE_MS) / MINUTE_MS + 1;

/** Live measurement (type 1) beats logbook/alarm readings, which beat graph points (type 0). */
export function rank(r: Reading): number {
  if (r.type === 1) return 2;
  if (r.type === 0) return 0;
  return 1;
}

function usable(r: Reading): boolean {
  return Number.isFinite(r.timestamp) && Number.isFinite(r.mgdl) && r.mgdl > 0;
}

/**
 * Sorts, drops unusable readings and keeps one reading per UTC minute: the higher-ranked type (so a live
 * reading wins over a graph point with the same timestamp), then the later timestamp, then whichever came
 * later in `history` followed by `readings` (new data replaces old data for the same instant).
 * No time cut-off: stats.ts uses it for delta/rate, which do not depend on `now`.
 */
export function mergeReadings(history: readonly Reading[], readings: readonly Reading[]): History {
  const byMinute = new Map<number, Reading>();
  for (const r of [...history, ...readings]) {
    if (!usable(r)) continue;
    const key = Math.floor(r.timestamp / MINUTE_MS);
    const kept = byMinute.get(key);
    if (
      kept === undefined ||
      rank(r) > rank(kept) ||
      (rank(r) === rank(kept) && r.timestamp >= kept.timestamp)
    ) {
      byMinute.set(key, r);
    }
  }
  return [...byMinute.values()].sort((a, b) => a.timestamp - b.timestamp);
}

/** Merges `readings` into `history` (not mutated) and keeps the last 24 h 15 min before `now`. */
export function addToHistory(
  history: readonly Reading[],
  readings: readonly Reading[],
  now: number,
): History {
  const oldest = now - HISTORY_KEEP_MS;
  const newest = now + FUTURE_TOLERANCE_MS;
  const inTime = (r: Reading) => r.timestamp >= oldest && r.timestamp <= newest;
  const merged = mergeReadings(history.filter(inTime), readings.filter(inTime));
  // Defensive: with the time filter above this never trims, but the bound must hold whatever `now` is.
  return merged.length > MAX_HISTORY ? merged.slice(merged.length - MAX_HISTORY) : merged;
}
