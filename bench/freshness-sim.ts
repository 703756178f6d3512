// Drives the bridge's real scheduling functions (schedule.ts nextPollAt, cadence.ts observe) against
// a simulated upstream with a simulated clock: one account, one patient, readings every `periodMs`,
// reading k visible `lags[k]` ms after its timestamp. Requests per reading and delays are measured
// after a warm-up, and set against the freshness frontier of the same lags. Pure and fast (no timers),
// so every setting on every workload runs in a second, in the benchmark and in unit tests.

import { type Cadence, EMPTY_CADENCE, observe, quantile } from '../src/bridge/cadence.js';
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
  /** readings per patient */
  readings: number;
  /** readings at the start left out of the figures (cadence learning) */
  warmup: number;
  seed: number;
  /** patients followed by the one account, each with its own phase in the period and its own lags */
  patients?: number;
  /** each poll fires up to this much after it was scheduled (a busy event loop), uniformly */
  jitterMs?: number;
}

export const DEFAULT_SIM: SimOptions = { readings: 3_000, warmup: 200, seed: 7 };

interface SimPatient {
  lags: number[];
  phase: number;
  cadence: Cadence;
  latest: number;
  /** readings before this index have been looked at for visibility */
  scanned: number;
}

export function simulate(w: LagWorkload, freshness: Freshness, opts: SimOptions = DEFAULT_SIM): SimOutcome {
  const random = prng(opts.seed);
  const T0 = 1_700_000_000_000;
  const patients: SimPatient[] = Array.from({ length: opts.patients ?? 1 }, (_, i) => ({
    lags: Array.from({ length: opts.readings }, () => Math.round(w.lag(random))),
    phase: i === 0 ? 5_000 : Math.floor(random() * w.periodMs),
    cadence: EMPTY_CADENCE,
    latest: -1,
    scanned: 0,
  }));
  const ts = (p: SimPatient, k: number) => T0 + p.phase + k * w.periodMs;
  // Newest reading visible at `now`: the bridge sees only the latest of each patient.
  const latestVisible = (p: SimPatient, now: number): number => {
    while (p.scanned < p.lags.length && ts(p, p.scanned) <= now) p.scanned++;
    for (let k = p.scanned - 1; k > p.latest; k--) if (ts(p, k) + p.lags[k]! <= now) return k;
    return p.latest;
  };
  const from = T0 + w.periodMs * opts.warmup;
  const until = T0 + w.periodMs * (opts.readings - 2);
  const pace = { freshness, spacingMs: spacingOf(w.minIntervalMs, freshness) };
  let lastPollAt: number | null = null;
  let now = T0;
  let polls = 0;
  const delays: number[] = [];
  while (now < until) {
    if (now >= from) polls++;
    for (const p of patients) {
      const k = latestVisible(p, now);
      if (k === p.latest) continue;
      const pollGap = lastPollAt === null ? Number.POSITIVE_INFINITY : now - lastPollAt;
      const previousTs = p.latest < 0 ? null : ts(p, p.latest);
      p.cadence = observe(p.cadence, ts(p, k), previousTs, now, pollGap, pace);
      if (ts(p, k) >= from) delays.push(now - ts(p, k) - p.lags[k]!);
      p.latest = k;
    }
    lastPollAt = now;
    const at = nextPollAt({
      now,
      lastPollAt,
      minIntervalMs: w.minIntervalMs,
      intervalMs: w.intervalMs,
      freshness,
      spread: 0,
      patients: patients.map((p) => ({
        latestTs: p.latest < 0 ? null : ts(p, p.latest),
        cadence: p.cadence,
      })),
    });
    now = at + Math.floor(random() * (opts.jitterMs ?? 0));
  }
  const judged = (p: SimPatient, k: number) => ts(p, k) >= from && ts(p, k) < until;
  const windowLags = patients.flatMap((p) => p.lags.filter((_, k) => judged(p, k)));
  const readings = windowLags.length;
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
