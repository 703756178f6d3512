// Drives the bridge's real scheduling functions (schedule.ts nextPollAt, cadence.ts observe) against
// a simulated upstream with a simulated clock: one account, one patient, readings every `periodMs`,
// reading k visible `lags[k]` ms after its timestamp. Requests per reading and delays are measured
// after a warm-up, and set against the freshness frontier of the same lags. Pure and fast (no timers),
// so every setting on every workload runs in a second, in the benchmark and in unit tests.

import { EMPTY_CADENCE, observe, quantile } from '../src/bridge/cadence.js';
import { type Freshness, nextPollAt, spacingOf } from '../src/bridge/schedule.js';
import { frontier, type PlanFigures } from './frontier.js';
import { prng } from './workload.js';

export interface LagWorkload {
  name: string;
  periodMs: number;
  minIntervalMs: number;
  intervalMs: number;
  /** the upload lag of the next reading (ms), from a seeded random source */
  lag: (random: () => number) => number;
}

const uniform = (lo: number, hi: number) => (r: () => number) => lo + r() * (hi - lo);

/** The benchmark's workloads: the fake server's lag 1-20 s, a fast phone, a steady phone with stalls. */
export const WORKLOADS: readonly LagWorkload[] = [
  {
    name: 'lag 1-20 s, polls >= 10 s apart',
    periodMs: 60_000,
    minIntervalMs: 10_000,
    intervalMs: 60_000,
    lag: uniform(1_000, 20_000),
  },
  {
    name: 'lag 1-20 s, polls >= 5 s apart',
    periodMs: 60_000,
    minIntervalMs: 5_000,
    intervalMs: 60_000,
    lag: uniform(1_000, 20_000),
  },
  {
    name: 'lag 1-4 s, reading every 15 s, polls >= 1 s apart',
    periodMs: 15_000,
    minIntervalMs: 1_000,
    intervalMs: 60_000,
    lag: uniform(1_000, 4_000),
  },
  {
    name: 'steady lag 3 s +- 0.5, 5 % stalls of 20-60 s, polls >= 10 s apart',
    periodMs: 60_000,
    minIntervalMs: 10_000,
    intervalMs: 60_000,
    lag: (r) => (r() < 0.05 ? uniform(20_000, 60_000)(r) : uniform(2_500, 3_500)(r)),
  },
];

export const SETTINGS: readonly Freshness[] = ['economical', 'balanced', 'fast'];

export interface SimOutcome {
  workload: string;
  freshness: Freshness;
  spacingMs: number;
  readings: number;
  /** readings never seen live (a newer one was visible first) */
  superseded: number;
  requestsPerReading: number;
  medianMs: number;
  p95Ms: number;
  /** the frontier at our measured budget */
  best: PlanFigures | null;
  /** our median over the best possible median at our budget */
  ratio: number | null;
}

export interface SimOptions {
  readings: number;
  /** readings at the start left out of the figures (cadence learning) */
  warmup: number;
  seed: number;
}

export const DEFAULT_SIM: SimOptions = { readings: 3_000, warmup: 200, seed: 7 };

export function simulate(w: LagWorkload, freshness: Freshness, opts: SimOptions = DEFAULT_SIM): SimOutcome {
  const random = prng(opts.seed);
  const T0 = 1_700_000_000_000;
  const lags = Array.from({ length: opts.readings }, () => Math.round(w.lag(random)));
  const ts = (k: number) => T0 + 5_000 + k * w.periodMs;
  const availableAt = lags.map((lag, k) => ts(k) + lag);
  // Newest reading visible at `now`: the bridge sees only the latest of each patient.
  let frontierIdx = 0;
  const latestVisible = (now: number): number => {
    while (frontierIdx < lags.length && ts(frontierIdx) <= now) frontierIdx++;
    for (let k = frontierIdx - 1; k >= 0; k--) if (availableAt[k]! <= now) return k;
    return -1;
  };
  const from = ts(opts.warmup);
  const until = ts(opts.readings - 2);
  let cadence = EMPTY_CADENCE;
  let latest = -1;
  let lastPollAt: number | null = null;
  let now = T0;
  let polls = 0;
  const delays: number[] = [];
  while (now < until) {
    if (now >= from) polls++;
    const k = latestVisible(now);
    if (k > latest) {
      const pollGap = lastPollAt === null ? Number.POSITIVE_INFINITY : now - lastPollAt;
      cadence = observe(cadence, ts(k), latest < 0 ? null : ts(latest), now, pollGap, freshness);
      if (ts(k) >= from) {
        delays.push(now - availableAt[k]!);
      }
      latest = k;
    }
    lastPollAt = now;
    now = nextPollAt({
      now,
      lastPollAt,
      minIntervalMs: w.minIntervalMs,
      intervalMs: w.intervalMs,
      freshness,
      spread: 0,
      patients: [{ latestTs: latest < 0 ? null : ts(latest), cadence }],
    });
  }
  const readings = lags.filter((_, k) => ts(k) >= from && ts(k) < until).length;
  const windowLags = lags.filter((_, k) => ts(k) >= from && ts(k) < until);
  const spacingMs = spacingOf(w.minIntervalMs, freshness);
  const requestsPerReading = polls / readings;
  const best = frontier(windowLags, spacingMs).bestAt(requestsPerReading);
  const medianMs = quantile(delays, 0.5) ?? Number.NaN;
  return {
    workload: w.name,
    freshness,
    spacingMs,
    readings,
    superseded: readings - delays.length,
    requestsPerReading,
    medianMs,
    p95Ms: quantile(delays, 0.95) ?? Number.NaN,
    best,
    ratio: best === null || best.median <= 0 ? null : medianMs / best.median,
  };
}
