// Compressed time for one process: Date.now runs `factor` times faster and every setTimeout /
// setInterval delay is divided by `factor`. Compressing only the config (period, lags, interval,
// min_interval) would leave the bridge's own fixed constants in real milliseconds (DUE_MARGIN_MS,
// GRAPH_RECHECK_MS, MAX_GAP_HOLD_MS, the 15-minute stale timer, request timeouts), which would then
// be `factor` times too long relative to the workload. Warping the clock scales all of them alike, so
// the bridge runs with its default configuration and every figure is already in real seconds. What
// does not scale is real work (CPU, socket round trips): it is stretched by `factor`, which can only
// make the measured delays worse, never better.
//
// Must be installed before the modules under test are imported (they may capture the timers).

export interface Warp {
  readonly factor: number;
}

export function installWarp(factor: number): Warp {
  if (!(factor >= 1)) throw new Error(`warp factor must be >= 1, got ${factor}`);
  if (factor === 1) return { factor };
  const origin = Date.now();
  const perfOrigin = performance.now();
  Date.now = () => Math.round(origin + (performance.now() - perfOrigin) * factor);

  const scale = (ms: unknown): number =>
    typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms / factor : 0;
  const realSetTimeout = globalThis.setTimeout;
  const realSetInterval = globalThis.setInterval;
  const warpedTimeout = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) =>
    realSetTimeout(fn, scale(ms), ...args);
  const warpedInterval = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) =>
    realSetInterval(fn, scale(ms), ...args);
  globalThis.setTimeout = Object.assign(warpedTimeout, realSetTimeout) as unknown as typeof setTimeout;
  globalThis.setInterval = Object.assign(warpedInterval, realSetInterval) as unknown as typeof setInterval;
  return { factor };
}
