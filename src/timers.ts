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

/** setTimeout with the delay clamped by clampDelay. */
export function safeTimeout(fn: () => void, ms: number): NodeJS.Timeout {
  return setTimeout(fn, clampDelay(ms));
}
