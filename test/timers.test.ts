// No computed delay can overflow Node's 32-bit timer and fire at once.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clampDelay, MAX_TIMER_DELAY_MS, safeTimeout } from '../src/timers.js';

describe('clampDelay', () => {
  it('keeps ordinary delays, floors negatives at 0 and caps at 2^31-1 ms', () => {
    expect(clampDelay(1_500)).toBe(1_500);
    expect(clampDelay(-20)).toBe(0);
    expect(clampDelay(2 ** 31)).toBe(MAX_TIMER_DELAY_MS);
    expect(clampDelay(Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_DELAY_MS);
    expect(clampDelay(Number.NEGATIVE_INFINITY)).toBe(0);
  });

  it('waits the longest on NaN instead of firing at once', () => {
    expect(clampDelay(Number.NaN)).toBe(MAX_TIMER_DELAY_MS);
  });
});

describe('safeTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not fire a huge delay immediately (a plain setTimeout of 3e9 ms fires after 1 ms)', () => {
    const fired: string[] = [];
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    setTimeout(() => fired.push('plain'), 3_000_000_000);
    safeTimeout(() => fired.push('safe'), 3_000_000_000);
    safeTimeout(() => fired.push('nan'), Number.NaN);
    vi.advanceTimersByTime(60_000);
    expect(fired).toEqual(['plain']);
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS);
    expect(fired).toEqual(['plain', 'safe', 'nan']);
    warn.mockRestore();
  });

  it('fires an ordinary delay on time', () => {
    const fn = vi.fn();
    safeTimeout(fn, 5_000);
    vi.advanceTimersByTime(4_999);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledOnce();
  });
});
