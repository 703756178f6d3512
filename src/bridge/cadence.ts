// Learns, per patient, how often readings come (period) and how long after their FactoryTimestamp
// they become visible upstream (upload lag), from what the bridge itself observed. Pure data.

export interface Cadence {
  /** recent spacings between consecutive live readings, ms */
  periods: number[];
  /** recent upper bounds of the upload lag: first-seen time minus FactoryTimestamp, ms */
  lags: number[];
  /** the lag the first poll after a reading is due aims at, tracked once the period is learned (ms) */
  lagAim?: number;
  /** consecutive first-poll hits (see nextAim) */
  hitStreak?: number;
}

export const EMPTY_CADENCE: Cadence = { periods: [], lags: [] };
/** Fewer spacing samples than this: still learning the period (the schedule probes meanwhile). */
export const LEARNING_SAMPLES = 4;
/**
 * Share of readings the first poll after the due time should find; the others cost one chase poll
 * (min_interval later). Requests to the account come first (each counts toward Abbott's limits): at
 * 0.88 (with the faster step down after STREAK_FAST hits) a single-patient account stays under 1.2
 * requests per reading even with lags spread over 1-20 s (simulated: 1.13-1.14); freshness then follows
 * the lag spread (median ~9 s there, ~2.5 s for a steady lag).
 */
export const FIRST_POLL_HIT_RATE = 0.88;
/** Step of the aim tracker: a hit moves the aim 0.6 s earlier, a miss 4.4 s later. */
const AIM_STEP_MS = 5_000;
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
  // Only spacings of one reading count; a gap of several readings would inflate the period.
  const spacing = previousTs === null ? 0 : readingTs - previousTs;
  const consecutive = spacing > 0 && spacing < periodOf(cadence) * 1.6;
  if (consecutive) periods = push(periods, spacing);
  const lag = seenAt - readingTs;
  if (lag >= 0 && pollGap <= Math.max(2 * (quantile(lags, 0.5) ?? 0), 30_000)) lags = push(lags, lag);
  const aim = nextAim(cadence, { periods, lags }, consecutive, readingTs, seenAt - pollGap);
  return aim === undefined ? { periods, lags } : { periods, lags, ...aim };
}

/** Hits in a row after which each further hit doubles the step down (cap: STREAK_DOUBLINGS). */
const STREAK_FAST = 10;
const STREAK_DOUBLINGS = 5;

/**
 * Lag bounds seen by the bridge are biased: it never polls before its current aim, so every sample is
 * at least the aim, and an aim taken from them only ever grows (towards the largest lag). Instead the
 * aim is an online quantile tracker of the lag: after each consecutive reading (one period after the
 * previous one), a hit (the first poll
 * at or after the aim found it) moves the aim earlier, a miss (a poll at or after the aim did not
 * find it) later, settling where FIRST_POLL_HIT_RATE of readings are found by the first poll.
 */
function nextAim(
  before: Cadence,
  after: Cadence,
  consecutive: boolean,
  readingTs: number,
  previousPollAt: number,
): { lagAim: number; hitStreak: number } | undefined {
  if (isLearning(after) || !consecutive) {
    return before.lagAim === undefined
      ? undefined
      : { lagAim: before.lagAim, hitStreak: before.hitStreak ?? 0 };
  }
  const period = periodOf(after);
  const aim = before.lagAim ?? quantile(after.lags, 0.25) ?? 0;
  const missed = previousPollAt >= readingTs + aim;
  if (missed) {
    return { lagAim: Math.min(aim + AIM_STEP_MS * FIRST_POLL_HIT_RATE, period), hitStreak: 0 };
  }
  // A long run of hits means the aim is well above the lag (e.g. after a burst of slow uploads):
  // step down faster, or readings would arrive late for most of an hour.
  const streak = (before.hitStreak ?? 0) + 1;
  const boost = 2 ** Math.min(STREAK_DOUBLINGS, Math.max(0, streak - STREAK_FAST));
  return { lagAim: Math.max(0, aim - AIM_STEP_MS * (1 - FIRST_POLL_HIT_RATE) * boost), hitStreak: streak };
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
