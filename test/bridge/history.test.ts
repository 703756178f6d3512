import { describe, expect, it } from 'vitest';
import {
  addToHistory,
  HISTORY_KEEP_MS,
  MAX_HISTORY,
  mergeReadings,
  STATS_WINDOW_MS,
} from '../../src/bridge/history.js';
import type { Reading } from '../../src/librelinkup/model.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

function r(ts: number, mgdl: number, type = 1): Reading {
  return {
    timestamp: ts,
    mgdl,
    value: mgdl,
    unit: 'mg/dL',
    trend: type === 0 ? null : 'stable',
    isHigh: false,
    isLow: false,
    measurementColor: 1,
    type,
  };
}

describe('addToHistory', () => {
  it('merges, sorts oldest first and does not mutate its inputs', () => {
    const history = [r(T0 - 10 * MIN, 100), r(T0 - 20 * MIN, 90)];
    const incoming = [r(T0, 120), r(T0 - 5 * MIN, 110)];
    const out = addToHistory(history, incoming, T0);
    expect(out.map((x) => x.mgdl)).toEqual([90, 100, 110, 120]);
    expect(history.map((x) => x.mgdl)).toEqual([100, 90]);
    expect(incoming.map((x) => x.mgdl)).toEqual([120, 110]);
  });

  it('dedupes by timestamp, the live reading winning over a graph point either way round', () => {
    const live = r(T0, 120, 1);
    const graph = r(T0, 118, 0);
    expect(addToHistory([live], [graph], T0)).toEqual([live]);
    expect(addToHistory([graph], [live], T0)).toEqual([live]);
  });

  it('replaces an older copy of the same reading with the newer one', () => {
    const out = addToHistory([r(T0, 120)], [r(T0, 121)], T0);
    expect(out.map((x) => x.mgdl)).toEqual([121]);
  });

  it('keeps at most one reading per minute: the live one, else the later one', () => {
    const out = addToHistory(
      [],
      [r(T0 + 10_000, 100, 0), r(T0 + 50_000, 101, 0), r(T0 + 20_000, 102, 1), r(T0 + 70_000, 103, 0)],
      T0 + 2 * MIN,
    );
    expect(out.map((x) => [x.timestamp - T0, x.mgdl])).toEqual([
      [20_000, 102],
      [70_000, 103],
    ]);
    const graphOnly = addToHistory([], [r(T0 + 10_000, 100, 0), r(T0 + 50_000, 101, 0)], T0 + MIN);
    expect(graphOnly.map((x) => x.mgdl)).toEqual([101]);
  });

  it('keeps the last 24 h plus a little, dropping older readings and bogus future ones', () => {
    const now = T0;
    const out = addToHistory(
      [r(now - HISTORY_KEEP_MS - 1, 50), r(now - HISTORY_KEEP_MS, 60), r(now - STATS_WINDOW_MS, 70)],
      [r(now + 5 * MIN, 80), r(now + 2 * 60 * MIN, 90)],
      now,
    );
    expect(out.map((x) => x.mgdl)).toEqual([60, 70, 80]);
  });

  it('drops readings that carry no usable glucose', () => {
    const out = addToHistory(
      [],
      [r(T0, Number.NaN), r(T0 - MIN, 0), r(Number.NaN, 100), r(T0 - 2 * MIN, 99)],
      T0,
    );
    expect(out.map((x) => x.mgdl)).toEqual([99]);
  });

  it('stays bounded when fed a day of readings every 20 seconds, twice', () => {
    const readings: Reading[] = [];
    for (let t = T0 - 2 * STATS_WINDOW_MS; t <= T0; t += 20_000) readings.push(r(t, 100));
    const once = addToHistory([], readings, T0);
    const twice = addToHistory(once, readings, T0);
    expect(once.length).toBeLessThanOrEqual(MAX_HISTORY);
    expect(twice).toEqual(once);
    expect(once.length).toBe(HISTORY_KEEP_MS / MIN + 1);
    const minutes = once.map((x) => Math.floor(x.timestamp / MIN));
    expect(new Set(minutes).size).toBe(once.length);
  });
});

describe('mergeReadings', () => {
  it('applies no time cut-off', () => {
    expect(mergeReadings([r(0, 100)], [r(T0, 110)]).map((x) => x.mgdl)).toEqual([100, 110]);
  });
});
