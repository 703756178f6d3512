// The one way to wait a computed time. Node's timers take a 32-bit signed delay: anything above
// 2^31-1 ms (about 24.8 days), and NaN, fires after 1 ms, so a huge or broken delay would turn a
// poll schedule into a tight loop. Every computed delay goes through here.

/** Longest delay a Node timer can hold: 2^31-1 ms. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** `ms` clamped to what a timer can hold; NaN (a bug upstream of here) waits the longest, not 0. */
export function clampDelay(ms: number): number {
  if (Number.isNaN(ms)) return MAX_TIMER_DELAY_MS;
  return Math.min(MAX_TIMER_DELAY_MS, Math.max(0, ms));
}

/**
 * How many times faster than real time the bridge's own clock runs: 1, except in `demo --fast`,
 * which compresses time (src/time-warp.ts) and is the only caller of setTimerScale.
 */
let timerScale = 1;

export function setTimerScale(factor: number): void {
  if (!(factor >= 1) || !Number.isFinite(factor)) throw new Error(`timer scale must be >= 1, got ${factor}`);
  timerScale = factor;
}

/** setTimeout with the delay clamped by clampDelay (and divided by the demo's time scale). */
export function safeTimeout(fn: () => void, ms: number): NodeJS.Timeout {
  return setTimeout(fn, clampDelay(ms) / timerScale);
}
