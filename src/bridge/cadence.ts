// Learns, per patient, how often readings come (period) and how long after their FactoryTimestamp
// they become visible upstream (upload lag), from what the bridge itself observed. Pure data.

/** How many requests per reading the user lets the bridge spend for fresher readings. */
export type Freshness = 'economical' | 'balanced' | 'fast';

/** What the aim tracker needs to know of the account's polling: the setting and the spacing it gets. */
export interface Pace {
  freshness: Freshness;
  /** the shortest spacing between two polls of the account (ms) */
  spacingMs: number;
}

export const DEFAULT_PACE: Pace = { freshness: 'balanced', spacingMs: 10_000 };

export interface Cadence {
  /** recent spacings between consecutive live readings, ms */
  periods: number[];
  /** recent upper bounds of the upload lag: first-seen time minus FactoryTimestamp, ms */
  lags: number[];
  /** the lag the first poll after a reading is due aims at, tracked once the period is learned (ms) */
  lagAim?: number;
  /** consecutive first-poll hits (see nextAim) */
  hitStreak?: number;
  /** consecutive near misses of the first poll */
  missStreak?: number;
  /** the aim tracker's current step (ms), adapted to the lag's spread */
  aimStep?: number;
}

export const EMPTY_CADENCE: Cadence = { periods: [], lags: [] };
/** Fewer spacing samples than this: still learning the period (the schedule probes meanwhile). */
export const LEARNING_SAMPLES = 4;
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
  pace: Pace = DEFAULT_PACE,
): Cadence {
  let { periods, lags } = cadence;
  // Only spacings of one reading count; a gap of several readings would inflate the period.
  const spacing = previousTs === null ? 0 : readingTs - previousTs;
  const consecutive = spacing > 0 && spacing < periodOf(cadence) * 1.6;
  if (consecutive) periods = push(periods, spacing);
  const lag = seenAt - readingTs;
  if (lag >= 0 && pollGap <= Math.max(2 * (quantile(lags, 0.5) ?? 0), 30_000)) lags = push(lags, lag);
  const aim = nextAim(cadence, { periods, lags }, consecutive, readingTs, seenAt - pollGap, pace);
  return aim === undefined ? { periods, lags } : { periods, lags, ...aim };
}

/**
 * Share of readings the first poll after a reading is due should find, per freshness setting. The
 * rest cost a chase poll one spacing later, so this sets the requests per reading: about 1.04 for
 * economical, 1.11-1.15 for balanced (a stalled upload costs one more), 1.3-1.6 for fast (simulated,
 * bench/freshness-sim.ts). Fast stops at 70 %: below that, misses become so many that the median is a
 * chase's delay, a whole spacing, and more requests buy nothing (a steady lag; polls 5 s apart against
 * a lag spread of 3 s).
 */
export const HIT_RATE: Record<Freshness, number> = { economical: 0.96, balanced: 0.9, fast: 0.7 };
/** Bounds of the aim's adaptive step (ms). */
const STEP_MIN_MS = 20;
const STEP_MAX_MS = 5_000;

/**
 * Lag bounds seen by the bridge are biased: it never polls before its current aim, so every sample is
 * at least the aim, and an aim taken from them only ever grows (towards the largest lag). Instead the
 * aim is an online quantile tracker of the lag: after each consecutive reading (one period after the
 * previous one), a hit (the first poll at or after the aim found it) moves the aim earlier by
 * step x (1 - rate), a near miss (found by the chase right after the first poll) later by step x rate,
 * settling where `rate` of readings are found by the first poll. A stall (not found by that chase
 * either: the phone was offline) says nothing about where the aim should be and leaves it alone, or a
 * few stalls would push the aim far above a steady lag.
 *
 * The step adapts to the spread of the lag, which may be 1 s or 20 s: it shrinks at each miss that
 * ends a run of hits of ordinary length (the aim is where it should be: settle), and grows while the
 * aim is clearly off, i.e. during two misses in a row (too early) or a run of hits much longer than
 * 1 / (1 - rate) (too late, e.g. after a burst of slow uploads).
 */
function nextAim(
  before: Cadence,
  after: Cadence,
  consecutive: boolean,
  readingTs: number,
  previousPollAt: number,
  pace: Pace,
): Pick<Cadence, 'lagAim' | 'hitStreak' | 'aimStep' | 'missStreak'> | undefined {
  const kept = {
    lagAim: before.lagAim,
    hitStreak: before.hitStreak ?? 0,
    aimStep: before.aimStep,
    missStreak: before.missStreak ?? 0,
  };
  if (isLearning(after) || !consecutive) return before.lagAim === undefined ? undefined : kept;
  const period = periodOf(after);
  const rate = HIT_RATE[pace.freshness];
  const aim = before.lagAim ?? quantile(after.lags, rate) ?? 0;
  // The first step: half the spread of the lag bounds seen while learning.
  const spread = () => (quantile(after.lags, 0.9) ?? 0) - (quantile(after.lags, 0.1) ?? 0);
  let step = before.aimStep ?? Math.min(STEP_MAX_MS, Math.max(250, spread() / 2));
  const missed = previousPollAt >= readingTs + aim;
  if (missed) {
    // Polls are at least a spacing apart, so the poll before the one that found the reading was the
    // first after the aim only if it came less than a spacing after it; otherwise it was a chase
    // itself and the reading a stall. (The first poll may come late: another patient's poll, spread.)
    if (previousPollAt - (readingTs + aim) >= pace.spacingMs * 0.9) return { ...kept, lagAim: aim };
    const missStreak = (before.missStreak ?? 0) + 1;
    step = missStreak > 1 ? step * 2 : step * 0.7;
    step = Math.min(STEP_MAX_MS, Math.max(STEP_MIN_MS, step));
    return { lagAim: Math.min(aim + step * rate, period), hitStreak: 0, aimStep: step, missStreak };
  }
  const streak = (before.hitStreak ?? 0) + 1;
  if (streak > Math.max(6, 2 / (1 - rate))) step = Math.min(STEP_MAX_MS, step * 1.5);
  return { lagAim: Math.max(0, aim - step * (1 - rate)), hitStreak: streak, aimStep: step, missStreak: 0 };
}

/** Still learning the period: the schedule probes, and the lag aim is not tracked yet. */
export function isLearning(cadence: Cadence): boolean {
  return cadence.periods.length < LEARNING_SAMPLES;
}

export function periodOf(cadence: Cadence): number {
  return quantile(cadence.periods, 0.5) ?? DEFAULT_PERIOD_MS;
}

/** The lag to aim the first poll at: the tracked aim, or while learning a low quantile of the bounds. */
export function lagOf(cadence: Cadence): number {
  return cadence.lagAim ?? quantile(cadence.lags, 0.25) ?? 0;
}
