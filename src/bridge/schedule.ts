// When to poll an account next: just after the next reading of any of its patients is due, never
// sooner than min_interval after the last poll and never later than interval. Pure.

import { type Cadence, isLearning, lagOf, periodOf } from './cadence.js';

export interface ScheduleInput {
  now: number;
  lastPollAt: number | null;
  minIntervalMs: number;
  intervalMs: number;
  /** per patient: newest reading timestamp and the learned cadence */
  patients: Array<{ latestTs: number | null; cadence: Cadence }>;
  /** a stable per-account offset in [0, 1) so that many accounts never fire together */
  spread: number;
}

/** Margin after the expected availability, so the poll lands after the upload, not before it. */
export const DUE_MARGIN_MS = 1_000;

/** Margin scaled down for short (compressed or simulated) periods so it never skips a reading. */
export function dueMargin(period: number): number {
  return Math.min(DUE_MARGIN_MS, period / 4);
}
/** How long a late reading is chased at min_interval before falling back to `interval`. */
export const CHASE_PERIODS = 3;

export function nextPollAt(input: ScheduleInput): number {
  const { now, lastPollAt, minIntervalMs, intervalMs } = input;
  if (lastPollAt === null) return now + Math.round(input.spread * Math.min(minIntervalMs, 2_000));
  const earliest = lastPollAt + minIntervalMs;
  const latest = lastPollAt + intervalMs;
  let wanted = latest;
  for (const p of input.patients) {
    if (p.latestTs === null) continue;
    const period = periodOf(p.cadence);
    // While learning, probe at half the presumed period: a poll only ever sees spacings as short as
    // the polls themselves (polling every 2 s, a 1 s cadence looks like 2 s forever), and lag bounds
    // from coarse polls are inflated, so they are left out; chasing at min_interval then finds the
    // next reading and yields tight lag samples. The extra polls are a handful at start. (A cadence
    // that later becomes shorter is not detected; it shows as gaps only the graph can fill.)
    const due = isLearning(p.cadence)
      ? p.latestTs + period / 2
      : p.latestTs + period + lagOf(p.cadence) + dueMargin(period);
    if (due > lastPollAt) {
      wanted = Math.min(wanted, due);
    } else if (now - p.latestTs < period * CHASE_PERIODS + lagOf(p.cadence)) {
      // Overdue but recently: chase it at min_interval. Long silences (phone offline, sensor
      // change) fall back to `interval` so they do not cost a request every few seconds for hours.
      wanted = Math.min(wanted, earliest);
    }
  }
  const spreadMs = Math.round(input.spread * Math.min(500, minIntervalMs / 4));
  return Math.max(now, Math.min(latest, Math.max(earliest, wanted + spreadMs)));
}
