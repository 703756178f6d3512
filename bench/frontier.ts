// The freshness frontier: for a sample of upload lags and a minimum spacing between polls, the best
// median delay any poll plan reaches at each budget of requests per reading. A plan polls at fixed
// offsets o1 < o2 < o3 after a reading's timestamp (at least `spacing` apart, the last at or after the
// largest lag, so every reading is found) and stops at the first poll that finds the reading. This is
// what a scheduler that knew the lag distribution exactly could reach; brute force over 1-3 offsets on
// a grid, so values are within about one grid step of the true frontier. Pure.

export interface PlanFigures {
  /** poll offsets after the reading's timestamp, ms */
  offsets: number[];
  /** expected polls per reading */
  requests: number;
  /** delay from availability to the finding poll, ms */
  median: number;
  p95: number;
}

export interface Frontier {
  /** the lowest-median plan among those costing at most `budget` requests per reading (null: none) */
  bestAt(budget: number): PlanFigures | null;
  /** every evaluated plan, cheapest first */
  plans: readonly PlanFigures[];
  gridMs: number;
}

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element > x. */
function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Evaluates one plan on sorted lags: expected polls and the q-quantiles of the delay. */
export function evaluatePlan(sorted: Float64Array, offsets: readonly number[]): PlanFigures {
  const n = sorted.length;
  let requests = 1;
  for (let j = 0; j < offsets.length - 1; j++) requests += (n - upperBound(sorted, offsets[j]!)) / n;
  // Lags in (o[j-1], o[j]] are found at o[j] with delay o[j] - L: count those with delay <= d.
  const within = (d: number): number => {
    let count = 0;
    let prev = Number.NEGATIVE_INFINITY;
    for (const o of offsets) {
      const from = Math.max(prev, o - d);
      // (prev, o] ∩ [o - d, o]
      const lo = from === prev ? upperBound(sorted, prev) : lowerBound(sorted, from);
      count += Math.max(0, upperBound(sorted, o) - lo);
      prev = o;
    }
    return count;
  };
  const quantileOfDelay = (q: number): number => {
    const need = Math.ceil(q * n);
    let lo = 0;
    let hi = offsets[offsets.length - 1]! - sorted[0]!;
    while (hi - lo > 1) {
      const mid = (lo + hi) / 2;
      if (within(mid) >= need) hi = mid;
      else lo = mid;
    }
    return hi;
  };
  return { offsets: [...offsets], requests, median: quantileOfDelay(0.5), p95: quantileOfDelay(0.95) };
}

/**
 * All plans of 1-3 offsets on a grid (about `steps` points over the lag range, at least 10 ms apart),
 * each last offset set to max(largest lag, previous + spacing): a later last poll only adds delay.
 */
export function frontier(lags: readonly number[], spacing: number, steps = 240): Frontier {
  if (lags.length === 0) throw new Error('frontier of no lags');
  const sorted = Float64Array.from(lags).sort();
  const max = sorted[sorted.length - 1]!;
  const min = sorted[0]!;
  const gridMs = Math.max(10, (max - Math.min(min, 0)) / steps);
  const grid: number[] = [];
  for (let o = Math.floor(min / gridMs) * gridMs; o < max; o += gridMs) grid.push(o);
  const plans: PlanFigures[] = [evaluatePlan(sorted, [max])];
  for (const o1 of grid) {
    plans.push(evaluatePlan(sorted, [o1, Math.max(max, o1 + spacing)]));
    for (const o2 of grid) {
      if (o2 < o1 + spacing) continue;
      plans.push(evaluatePlan(sorted, [o1, o2, Math.max(max, o2 + spacing)]));
    }
  }
  plans.sort((a, b) => a.requests - b.requests || a.median - b.median);
  // Prefix minimum of the median, so a budget query is one binary search.
  const best: PlanFigures[] = [];
  for (const p of plans) {
    const last = best[best.length - 1];
    best.push(last !== undefined && last.median <= p.median ? last : p);
  }
  return {
    plans,
    gridMs,
    bestAt(budget: number): PlanFigures | null {
      let lo = 0;
      let hi = plans.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (plans[mid]!.requests <= budget + 1e-9) lo = mid + 1;
        else hi = mid;
      }
      return lo === 0 ? null : best[lo - 1]!;
    },
  };
}
