// SimPatient: when readings exist, when they become visible upstream and what they say (reference §4
// "Glucose item" and "Timing"). Every check is a pure function of a clock value: nothing sleeps.

import { describe, expect, it } from 'vitest';
import {
  GRAPH_EVERY,
  GRAPH_WINDOW_PERIODS,
  SENSOR_MAX,
  SENSOR_MIN,
  SimPatient,
} from '../../src/simulator/patient-model.js';
import type { SimPatientSpec } from '../../src/simulator/types.js';
import { DAY, HOUR, MIN, T0 } from './helpers.js';

function patient(extra: Partial<SimPatientSpec> = {}, startedAt = T0): SimPatient {
  return new SimPatient(
    { patientId: 'p-1', firstName: 'Pat', lastName: 'Ient', unit: 'mg/dL', ...extra },
    startedAt,
  );
}

const constant = (v: number) => () => v;

describe('reading times', () => {
  it('starts 24 h before the server by default, one reading per minute', () => {
    const p = patient();
    const rs = p.readings(T0);
    expect(rs[0]!.timestamp).toBe(T0 - DAY);
    expect(rs.at(-1)!.timestamp).toBe(T0);
    expect(rs).toHaveLength(24 * 60 + 1);
    for (let i = 1; i < rs.length; i++) expect(rs[i]!.timestamp - rs[i - 1]!.timestamp).toBe(MIN);
  });

  it('spaces readings periodMs apart and keeps whole-second timestamps', () => {
    const p = patient({ periodMs: 5_000, firstReadingAt: T0 - HOUR + 750 });
    const rs = p.readings(T0);
    expect(rs[0]!.timestamp).toBe(T0 - HOUR);
    for (const r of rs) expect(r.timestamp % 1000).toBe(0);
    for (let i = 1; i < rs.length; i++) expect(rs[i]!.timestamp - rs[i - 1]!.timestamp).toBe(5_000);
  });

  it('keeps whole seconds and strictly rising times for a period that is not a whole second', () => {
    const p = patient({ periodMs: 1_500, firstReadingAt: T0 - MIN });
    const rs = p.readings(T0);
    expect(rs.length).toBe(41);
    for (const r of rs) expect(r.timestamp % 1000).toBe(0);
    for (let i = 1; i < rs.length; i++) expect(rs[i]!.timestamp).toBeGreaterThan(rs[i - 1]!.timestamp);
  });

  it('refuses a period under one second (two readings would share a timestamp)', () => {
    expect(() => patient({ periodMs: 999 })).toThrow(/periodMs/);
  });

  it('has no reading before the first one', () => {
    const p = patient({ firstReadingAt: T0 + MIN });
    expect(p.latest(T0)).toBeNull();
    expect(p.readings(T0)).toEqual([]);
    expect(p.graph(T0)).toEqual([]);
    expect(p.latest(T0 + MIN)!.timestamp).toBe(T0 + MIN);
  });
});

describe('upload lag', () => {
  it('a number delays visibility of every reading by that many ms', () => {
    const p = patient({ uploadLagMs: 90_000, firstReadingAt: T0 - HOUR });
    expect(p.latest(T0)!.timestamp).toBe(T0 - 2 * MIN);
    expect(p.latest(T0 + 29_999)!.timestamp).toBe(T0 - 2 * MIN);
    expect(p.latest(T0 + 30_000)!.timestamp).toBe(T0 - MIN);
    const rs = p.readings(T0 + 30_000);
    expect(rs.at(-1)!.availableAt).toBe(T0 - MIN + 90_000);
    for (const r of rs) expect(r.availableAt - r.timestamp).toBe(90_000);
  });

  it('a function sets the lag per reading, so a later reading can be visible before an earlier one', () => {
    // the reading at T0 - 1 min uploads 10 min late; its neighbours at once
    const late = T0 - MIN;
    const p = patient({ firstReadingAt: T0 - HOUR, uploadLagMs: (t) => (t === late ? 10 * MIN : 0) });
    const at = T0;
    expect(p.latest(at)!.timestamp).toBe(T0);
    const times = p.readings(at).map((r) => r.timestamp);
    expect(times).not.toContain(late);
    expect(times).toContain(T0 - 2 * MIN);
    expect(p.readings(late + 10 * MIN).map((r) => r.timestamp)).toContain(late);
    const r = p.readings(late + 10 * MIN).find((x) => x.timestamp === late)!;
    expect(r.availableAt).toBe(late + 10 * MIN);
  });

  it('an uploading-late newest reading leaves the previous one as latest', () => {
    const p = patient({ firstReadingAt: T0 - HOUR, uploadLagMs: (t) => (t === T0 ? 30_000 : 0) });
    expect(p.latest(T0)!.timestamp).toBe(T0 - MIN);
    expect(p.latest(T0 + 30_000)!.timestamp).toBe(T0);
  });
});

describe('pause and resume (phone offline)', () => {
  it('makes no readings between pause and resume; the last known reading stays latest', () => {
    const p = patient({ firstReadingAt: T0 - HOUR });
    p.pause(T0 + 30_000);
    expect(p.latest(T0 + 20 * MIN)!.timestamp).toBe(T0);
    expect(p.latest(T0 + 5 * HOUR)!.timestamp).toBe(T0);
    p.resume(T0 + 20 * MIN + 10_000);
    const after = p.readings(T0 + 30 * MIN).map((r) => r.timestamp);
    const gap = after.filter((t) => t > T0 && t < T0 + 21 * MIN);
    expect(gap).toEqual([]);
    expect(after).toContain(T0 + 21 * MIN);
    expect(p.latest(T0 + 30 * MIN)!.timestamp).toBe(T0 + 30 * MIN);
  });

  it('a second pause is ignored while paused; graph and logbook skip the gap too', () => {
    const p = patient({ firstReadingAt: T0 - 2 * DAY, graphLagMs: 0 });
    p.pause(T0 - 2 * HOUR);
    p.pause(T0 - HOUR);
    p.resume(T0);
    const times = p.graph(T0 + 10 * MIN).map((r) => r.timestamp);
    expect(times.filter((t) => t >= T0 - 2 * HOUR && t < T0)).toEqual([]);
    expect(times.some((t) => t < T0 - 2 * HOUR)).toBe(true);
  });
});

describe('graph', () => {
  const p = patient({ firstReadingAt: T0 - DAY });
  const latest = p.latest(T0)!;
  const graph = p.graph(T0);

  it('holds every 5th reading, oldest first', () => {
    expect(GRAPH_EVERY).toBe(5);
    for (const r of graph) expect(((r.timestamp - p.firstAt) / MIN) % 5).toBe(0);
    for (let i = 1; i < graph.length; i++)
      expect(graph[i]!.timestamp - graph[i - 1]!.timestamp).toBe(5 * MIN);
  });

  it('lags the current reading by graphLagMs (default 15 min at one reading a minute)', () => {
    const newest = graph.at(-1)!.timestamp;
    expect(newest).toBeLessThanOrEqual(latest.timestamp - 15 * MIN);
    expect(newest).toBeGreaterThan(latest.timestamp - 15 * MIN - 5 * MIN);
  });

  it('spans about 720 reading periods (~12 h, ~144 points)', () => {
    expect(GRAPH_WINDOW_PERIODS).toBe(720);
    const span = graph.at(-1)!.timestamp - graph[0]!.timestamp;
    expect(span).toBeGreaterThan(715 * MIN);
    expect(span).toBeLessThanOrEqual(720 * MIN);
    expect(graph.length).toBeGreaterThanOrEqual(140);
    expect(graph.length).toBeLessThanOrEqual(145);
  });

  it('follows a custom graphLagMs and uses the same values as the readings', () => {
    const q = patient({ firstReadingAt: T0 - DAY, graphLagMs: 20 * MIN });
    const g = q.graph(T0);
    expect(g.at(-1)!.timestamp).toBeLessThanOrEqual(T0 - 20 * MIN);
    expect(g.at(-1)!.timestamp).toBeGreaterThan(T0 - 25 * MIN);
    const byTime = new Map(q.readings(T0).map((r) => [r.timestamp, r]));
    for (const r of g) expect(byTime.get(r.timestamp)).toEqual(r);
  });

  it('is short while history is short', () => {
    const q = patient({ firstReadingAt: T0 - 30 * MIN, graphLagMs: 0 });
    expect(q.graph(T0).map((r) => (r.timestamp - (T0 - 30 * MIN)) / MIN)).toEqual([0, 5, 10, 15, 20, 25, 30]);
  });
});

describe('trend arrows', () => {
  const slope = (perPeriod: number) => patient({ curve: (t) => 120 + (perPeriod * (t - T0)) / MIN });

  it.each([
    [3, 5],
    [2.5, 5],
    [1.5, 4],
    [0.5, 3],
    [0, 3],
    [-0.5, 3],
    [-1.5, 2],
    [-2.5, 1],
    [-4, 1],
  ])('slope %f mg/dL per period → arrow %i', (s, arrow) => {
    expect(slope(s).trendAt(T0)).toBe(arrow);
  });

  it('uses the slope per reading period, not per wall minute', () => {
    const p = patient({ periodMs: 5_000, curve: (t) => 120 + (1.5 * (t - T0)) / 5_000 });
    expect(p.trendAt(T0)).toBe(4);
  });

  it('an override wins, 0 (not determined) included, and may be a function of time', () => {
    const rising = (t: number) => 120 + (3 * (t - T0)) / MIN;
    expect(patient({ curve: rising, trendArrow: 0 }).trendAt(T0)).toBe(0);
    expect(patient({ curve: rising, trendArrow: 2 }).reading(0).trendArrow).toBe(2);
    const f = patient({ curve: rising, trendArrow: (t) => (t >= T0 ? 1 : 0) });
    expect(f.trendAt(T0)).toBe(1);
    expect(f.trendAt(T0 - 1000)).toBe(0);
  });
});

describe('MeasurementColor', () => {
  it.each([
    [53, 4],
    [69, 4],
    [70, 1],
    [120, 1],
    [180, 1],
    [181, 2],
    [249, 2],
    [250, 3],
    [310, 3],
  ])('%i mg/dL with targets 70..180 → %i', (mgdl, color) => {
    expect(patient().colorOf(mgdl)).toBe(color);
    const p = patient({ curve: constant(mgdl) });
    expect(p.latest(T0)!.measurementColor).toBe(color);
  });

  it('follows the patient targets: 161 is yellow with targetHigh 160, 75 red with targetLow 80', () => {
    const p = patient({ targetLow: 80, targetHigh: 160 });
    expect(p.colorOf(161)).toBe(2);
    expect(p.colorOf(160)).toBe(1);
    expect(p.colorOf(75)).toBe(4);
    expect(p.colorOf(80)).toBe(1);
  });
});

describe('isHigh / isLow (sensor HI/LO, not targets)', () => {
  it.each([
    [30, SENSOR_MIN, false, true],
    [39, SENSOR_MIN, false, true],
    [40, 40, false, false],
    [53, 53, false, false],
    [310, 310, false, false],
    [400, 400, false, false],
    [401, SENSOR_MAX, true, false],
    [520, SENSOR_MAX, true, false],
  ])('curve %i → ValueInMgPerDl %i, isHigh %s, isLow %s', (raw, mgdl, isHigh, isLow) => {
    expect(SENSOR_MIN).toBe(40);
    expect(SENSOR_MAX).toBe(400);
    const r = patient({ curve: constant(raw) }).latest(T0)!;
    expect(r).toMatchObject({ mgdl, isHigh, isLow });
  });

  it('rounds the curve to whole mg/dL', () => {
    expect(patient({ curve: constant(123.4) }).latest(T0)!.mgdl).toBe(123);
    expect(patient({ curve: constant(123.6) }).latest(T0)!.mgdl).toBe(124);
  });
});

describe('logbook', () => {
  // 60 readings a cycle: 0..19 in range, 20..29 low, 30..39 in range, 40..49 high, 50..59 in range
  const first = T0 - 3 * HOUR;
  const curve = (t: number) => {
    const i = Math.round((t - first) / MIN) % 60;
    if (i >= 20 && i < 30) return 60;
    if (i >= 40 && i < 50) return 280;
    return 120;
  };
  const p = patient({ firstReadingAt: first, curve });
  const book = p.logbook(T0);

  it('lists the reading that entered each alarm, newest first, with alarmType 1 low / 2 high', () => {
    expect(book.map((e) => [(e.timestamp - first) / MIN, e.alarmType, e.mgdl])).toEqual([
      [160, 2, 280],
      [140, 1, 60],
      [100, 2, 280],
      [80, 1, 60],
      [40, 2, 280],
      [20, 1, 60],
    ]);
  });

  it('carries the reading itself (colour, trend) and only visible readings', () => {
    for (const e of book) expect(e.measurementColor).toBe(e.alarmType === 1 ? 4 : 3);
    expect(p.logbook(first + 30 * MIN).map((e) => e.alarmType)).toEqual([1]);
  });
});
