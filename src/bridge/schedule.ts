// When to poll an account next: when the next reading of any of its patients is due (where its lag
// tracker aims), never sooner than the spacing after the last poll (min_interval; at least 5 s under
// `fast`) and never later than interval. Pure.

import { type Cadence, type Freshness, isLearning, lagOf, periodOf, quantile } from './cadence.js';

export type { Freshness };

/** `fast` never polls closer than this, whatever min_interval says. */
export const FAST_MIN_SPACING_MS = 5_000;

/** The shortest spacing between polls of an account under a setting. */
export function spacingOf(minIntervalMs: number, freshness: Freshness = 'balanced'): number {
  return freshness === 'fast' ? Math.max(minIntervalMs, FAST_MIN_SPACING_MS) : minIntervalMs;
}

export interface ScheduleInput {
  now: number;
  lastPollAt: number | null;
  minIntervalMs: number;
  intervalMs: number;
  /** default balanced */
  freshness?: Freshness;
  /** per patient: newest reading timestamp and the learned cadence */
  patients: Array<{ latestTs: number | null; cadence: Cadence }>;
  /** a stable per-account offset in [0, 1) so that many accounts never fire together */
  spread: number;
  /** how many accounts this bridge polls (the first polls spread over startWindowOf) */
  accounts?: number;
}

/** Per account, at least this far apart at start: a few hundred accounts do not log in within one second. */
export const START_STEP_MS = 50;

/**
 * The window over which the accounts' first polls are spread: as before for a few accounts, longer for
 * many (200 accounts: 10 s), never past the poll interval. A burst of hundreds of logins from one
 * address is what a firewall blocks, and hundreds of first answers at once are the bridge's memory peak.
 */
export function startWindowOf(accounts: number, minIntervalMs: number, intervalMs: number): number {
  return Math.min(intervalMs, Math.max(Math.min(minIntervalMs, 2_000), accounts * START_STEP_MS));
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
  const { now, lastPollAt, intervalMs } = input;
  const minIntervalMs = spacingOf(input.minIntervalMs, input.freshness);
  if (lastPollAt === null)
    return now + Math.round(input.spread * startWindowOf(input.accounts ?? 1, minIntervalMs, intervalMs));
  const earliest = lastPollAt + minIntervalMs;
  // `fast` may widen the spacing past a short interval: the spacing wins.
  const latest = lastPollAt + Math.max(intervalMs, minIntervalMs);
  let wanted = latest;
  for (const p of input.patients) {
    if (p.latestTs === null) continue;
    const period = periodOf(p.cadence);
    const lag = lagOf(p.cadence);
    // While learning, probe at half the presumed period: a poll only ever sees spacings as short as
    // the polls themselves (polling every 2 s, a 1 s cadence looks like 2 s forever), and lag bounds
    // from coarse polls are inflated, so they are left out; chasing at min_interval then finds the
    // next reading and yields tight lag samples. The extra polls are a handful at start. (A cadence
    // that later becomes shorter is not detected; it shows as gaps only the graph can fill.)
    if (isLearning(p.cadence)) {
      const due = p.latestTs + period / 2;
      if (due > lastPollAt) wanted = Math.min(wanted, due);
      else if (now - p.latestTs < period * CHASE_PERIODS + lag) wanted = Math.min(wanted, earliest);
      continue;
    }
    // The tracked aim is already where most uploads have landed; a margin only delays every reading.
    const margin = p.cadence.lagAim === undefined ? dueMargin(period) : 0;
    const due = p.latestTs + period + lag + margin;
    if (due > lastPollAt) {
      wanted = Math.min(wanted, due);
      continue;
    }
    if (now - p.latestTs >= period * CHASE_PERIODS + lag) continue; // long silence: `interval`
    // Overdue. A miss is re-polled at the spacing, once, and again while recent chases often found
    // their reading later than this (the lag samples come mostly from chases); past that the upload
    // has stalled (phone offline, bad signal), and chasing it every few seconds would cost more than
    // it gains: poll when the next reading is due, which finds either.
    const chased = p.latestTs + period + (quantile(p.cadence.lags, 1) ?? lag) - minIntervalMs / 2;
    const horizon = Math.max(due + minIntervalMs / 2, chased);
    if (lastPollAt < horizon) {
      wanted = Math.min(wanted, earliest);
    } else {
      const missed = Math.floor((lastPollAt - due) / period) + 1;
      wanted = Math.min(wanted, due + missed * period);
    }
  }
  const spreadMs = Math.round(input.spread * Math.min(500, minIntervalMs / 4));
  return Math.max(now, Math.min(latest, Math.max(earliest, wanted + spreadMs)));
}
