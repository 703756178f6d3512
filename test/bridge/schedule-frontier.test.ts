import { describe, expect, it } from 'vitest';
import { SETTINGS, simulate, WORKLOADS } from '../../bench/freshness-sim.js';
import { evaluatePlan, frontier } from '../../bench/frontier.js';
import type { Freshness } from '../../src/bridge/schedule.js';
import { FAST_MIN_SPACING_MS, spacingOf } from '../../src/bridge/schedule.js';

/** Evenly spread lags over [lo, hi] ms: the uniform distribution without sampling noise. */
const uniform = (lo: number, hi: number, n = 2_000) =>
  Array.from({ length: n }, (_, i) => lo + ((i + 0.5) / n) * (hi - lo));

describe('frontier calculator', () => {
  it('evaluates a plan: polls per reading and delays from availability to the finding poll', () => {
    const lags = Float64Array.from(uniform(0, 10_000, 1_000)).sort();
    const one = evaluatePlan(lags, [10_000]);
    expect(one.requests).toBe(1);
    expect(one.median).toBeCloseTo(5_000, -2);
    const two = evaluatePlan(lags, [5_000, 10_000]);
    expect(two.requests).toBeCloseTo(1.5, 2);
    expect(two.median).toBeCloseTo(2_500, -2);
  });

  // The worked values of the reference note (median / p95, s), within the grid's tolerance.
  const worked: Array<[string, number[], number, number, number, number]> = [
    ['1-20 s, 10 s apart', uniform(1_000, 20_000), 10_000, 1.0, 9.5, 18],
    ['1-20 s, 10 s apart', uniform(1_000, 20_000), 10_000, 1.2, 7.75, 14],
    ['1-20 s, 10 s apart', uniform(1_000, 20_000), 10_000, 1.5, 5.0, 9.3],
    ['1-20 s, 10 s apart', uniform(1_000, 20_000), 10_000, 1.55, 4.75, 9.3],
    ['1-20 s, 5 s apart', uniform(1_000, 20_000), 5_000, 1.2, 5.5, 14],
    ['1-20 s, 5 s apart', uniform(1_000, 20_000), 5_000, 1.5, 4.1, 10.5],
    ['1-20 s, 5 s apart', uniform(1_000, 20_000), 5_000, 1.85, 3.2, 7],
    ['1-4 s, 1 s apart', uniform(1_000, 4_000), 1_000, 1.0, 1.5, 2.85],
    ['1-4 s, 1 s apart', uniform(1_000, 4_000), 1_000, 1.2, 0.95, 2.25],
    ['1-4 s, 1 s apart', uniform(1_000, 4_000), 1_000, 1.5, 0.74, 1.6],
    ['1-4 s, 1 s apart', uniform(1_000, 4_000), 1_000, 1.85, 0.57, 1.05],
  ];
  const cache = new Map<string, ReturnType<typeof frontier>>();
  for (const [name, lags, spacing, budget, median, p95] of worked) {
    it(`lag ${name}, ${budget} requests per reading: ${median} s median, ${p95} s p95`, () => {
      const f = cache.get(name) ?? frontier(lags, spacing);
      cache.set(name, f);
      const best = f.bestAt(budget)!;
      expect(best.requests).toBeLessThanOrEqual(budget + 1e-9);
      // Tolerance: a few grid steps, or 5 % (the note's values are rounded from a coarser grid).
      const tol = (x: number) => Math.max(4 * f.gridMs, 0.05 * x * 1_000);
      expect(Math.abs(best.median - median * 1_000)).toBeLessThanOrEqual(tol(median));
      expect(Math.abs(best.p95 - p95 * 1_000)).toBeLessThanOrEqual(Math.max(tol(p95), 1_000));
    });
  }

  it('a steady lag costs nothing: about 0 s at one request per reading', () => {
    const best = frontier(uniform(3_000, 3_050), 10_000).bestAt(1)!;
    expect(best.median).toBeLessThanOrEqual(50);
  });

  it('never finds a plan cheaper than one request per reading', () => {
    expect(frontier(uniform(1_000, 20_000), 10_000).bestAt(0.99)).toBeNull();
  });
});

/** Request budget per reading of each setting, in steady state. */
const BUDGET: Record<Freshness, number> = { economical: 1.1, balanced: 1.2, fast: 2 };

describe('the scheduler against the frontier (simulated clock, fixed seeds)', () => {
  it('fast never polls closer than 5 s, whatever min_interval says', () => {
    expect(spacingOf(1_000, 'fast')).toBe(FAST_MIN_SPACING_MS);
    expect(spacingOf(10_000, 'fast')).toBe(10_000);
    expect(spacingOf(1_000, 'balanced')).toBe(1_000);
    expect(spacingOf(1_000)).toBe(1_000);
  });

  for (const w of WORKLOADS) {
    it(`${w.name}: each setting keeps its budget, within 1.15x of the best median for it`, () => {
      const medians: number[] = [];
      for (const f of SETTINGS) {
        const o = simulate(w, f, { readings: 1_500, warmup: 200, seed: 7 });
        expect(o.requestsPerReading, `${f} requests per reading`).toBeLessThanOrEqual(BUDGET[f]);
        expect(o.best, `${f}: a plan at that budget`).not.toBeNull();
        expect(o.medianMs / o.best!.median, `${f} median over the best`).toBeLessThanOrEqual(1.15);
        // Readings the bridge never saw live stay rare (a stalled upload superseded by the next).
        expect(o.superseded / o.readings, `${f} superseded`).toBeLessThanOrEqual(0.06);
        medians.push(o.medianMs);
      }
      // A setting that spends more is never staler (slack: where the frontier is flat, spending more buys
      // nothing and what is left is noise).
      expect(medians[1]!).toBeLessThanOrEqual(medians[0]! * 1.1);
      expect(medians[2]!).toBeLessThanOrEqual(medians[1]! * 1.1 + (w.minIntervalMs < 5_000 ? 1_000 : 0));
    });
  }

  it('several patients on one account, late timers: budgets kept, readings found before the next comes', () => {
    for (const w of WORKLOADS.slice(0, 3)) {
      for (const f of SETTINGS) {
        const o = simulate(w, f, { readings: 600, warmup: 100, seed: 11, patients: 3, jitterMs: 1_000 });
        // Polls are shared by the patients, so an account spends less per reading than one patient.
        expect(o.requestsPerReading, `${w.name}, ${f}`).toBeLessThanOrEqual(BUDGET[f]);
        expect(o.superseded / o.readings, `${w.name}, ${f} superseded`).toBeLessThanOrEqual(0.02);
        expect(o.p95Ms, `${w.name}, ${f} p95`).toBeLessThanOrEqual(20_000);
      }
    }
  });
});
