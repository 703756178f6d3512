// `demo --fast` compresses the process clock: Date.now and the bridge's timers (safeTimeout) run
// `factor` times faster, alike, and restore() puts the real clock back.
import { afterEach, describe, expect, it } from 'vitest';
import { compressTime, type TimeWarp } from '../src/time-warp.js';
import { safeTimeout } from '../src/timers.js';

let warp: TimeWarp | null = null;
afterEach(() => {
  warp?.restore();
  warp = null;
});

/** Real ms until `fn` runs under safeTimeout(ms). */
function realDelay(ms: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => safeTimeout(() => resolve(performance.now() - started), ms));
}

describe('compressTime', () => {
  it('runs Date.now and safeTimeout delays `factor` times faster, alike', async () => {
    warp = compressTime(100);
    const simStart = Date.now();
    const real = await realDelay(60_000);
    const simulated = Date.now() - simStart;
    // A simulated minute: about 600 real ms (a busy machine only makes it later, never sooner).
    expect(real).toBeGreaterThanOrEqual(590);
    expect(real).toBeLessThan(20_000);
    expect(simulated).toBeGreaterThanOrEqual(59_000);
    // The clock the bridge reads and the delays it waits through agree.
    expect(simulated / real).toBeCloseTo(100, -1);
  });

  it('restores the real clock and real delays, and refuses a second warp meanwhile', async () => {
    warp = compressTime(50);
    expect(() => compressTime(2)).toThrow(/already compressed/);
    warp.restore();
    warp.restore();
    // biome-ignore lint/complexity/useDateNow: new Date() reads the wall clock the warp never touches
    expect(Math.abs(Date.now() - new Date().getTime())).toBeLessThan(50);
    expect(await realDelay(40)).toBeGreaterThanOrEqual(35);
    warp = compressTime(2);
    expect(warp.factor).toBe(2);
  });

  it('rejects factors below 1 and non-numbers', () => {
    for (const f of [0, 0.5, -3, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => compressTime(f), String(f)).toThrow(/factor must be >= 1/);
    }
  });
});
