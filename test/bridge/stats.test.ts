import { describe, expect, it } from 'vitest';
import { computeStats, gmiPercent, type StatsInput } from '../../src/bridge/stats.js';
import type { GlucoseUnit, Reading, SensorInfo } from '../../src/librelinkup/model.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const THRESHOLDS = { targetLowMgdl: 70, targetHighMgdl: 180, urgentLowMgdl: 54 };

function r(ts: number, mgdl: number, extra: Partial<Reading> = {}): Reading {
  return {
    timestamp: ts,
    mgdl,
    value: mgdl,
    unit: 'mg/dL',
    trend: 'stable',
    isHigh: false,
    isLow: false,
    measurementColor: 1,
    type: 1,
    ...extra,
  };
}

const graph = (ts: number, mgdl: number) => r(ts, mgdl, { type: 0, trend: null });

function stats(over: Partial<StatsInput> = {}) {
  return computeStats({
    history: [],
    latest: null,
    unit: 'mg/dL',
    thresholds: THRESHOLDS,
    alarms: { highMgdl: 250 },
    sensor: null,
    deviceTypeId: null,
    now: NOW,
    ...over,
  });
}

/** One reading every `stepMin` minutes from `from` (inclusive) to `to` (exclusive). */
function series(
  from: number,
  to: number,
  stepMin: number,
  mgdl: (ts: number, i: number) => number,
): Reading[] {
  const out: Reading[] = [];
  for (let ts = from, i = 0; ts < to; ts += stepMin * MIN, i++) out.push(graph(ts, mgdl(ts, i)));
  return out;
}

describe('delta', () => {
  const cases: [number, number, GlucoseUnit, number][] = [
    [100, 112, 'mg/dL', 12],
    [112, 100, 'mg/dL', -12],
    // mmol/L from the mg/dL difference: 12 / 18 = 0.667 → 0.7 (the displayed 5.6 → 6.2 would say 0.6)
    [100, 112, 'mmol/L', 0.7],
    [112, 100, 'mmol/L', -0.7],
    [100, 101, 'mmol/L', 0.1],
    [101, 100, 'mmol/L', -0.1],
    [100, 109, 'mmol/L', 0.5],
    [200, 146, 'mmol/L', -3],
  ];
  for (const [prev, cur, unit, want] of cases) {
    it(`${prev} → ${cur} mg/dL is ${want} ${unit}`, () => {
      const s = stats({ unit, history: [r(NOW - 2 * MIN, prev)], latest: r(NOW - MIN, cur) });
      expect(s.delta).toBe(want);
    });
  }

  it('is 0, never -0, without change', () => {
    const s = stats({ unit: 'mmol/L', history: [r(NOW - 2 * MIN, 100)], latest: r(NOW - MIN, 100) });
    expect(Object.is(s.delta, 0)).toBe(true);
  });

  it('uses the previous reading within 15 minutes, a graph point included, and ignores newer ones', () => {
    const latest = r(NOW - 20 * MIN, 130);
    const history = [graph(NOW - 35 * MIN, 120), r(NOW - 10 * MIN, 999)];
    expect(stats({ history, latest }).delta).toBe(10);
  });

  it('is null when the previous reading is more than 15 minutes older, or there is none', () => {
    expect(stats({ history: [r(NOW - 16 * MIN - 1, 100)], latest: r(NOW - MIN, 110) }).delta).toBeNull();
    expect(stats({ history: [], latest: r(NOW - MIN, 110) }).delta).toBeNull();
    expect(stats({ history: [r(NOW - MIN, 110)], latest: null }).delta).toBeNull();
  });

  it('does not count the latest reading twice when the history already holds it', () => {
    const latest = r(NOW - MIN, 110);
    expect(stats({ history: [r(NOW - 6 * MIN, 100), latest], latest }).delta).toBe(10);
  });
});

describe('rate', () => {
  const minutely = (n: number, slope: number) =>
    Array.from({ length: n }, (_, i) => r(NOW - (n - 1 - i) * MIN, 100 + slope * i));

  it('is the least-squares slope per minute, in each unit', () => {
    const h = minutely(11, 2);
    expect(stats({ history: h, latest: h.at(-1)! }).rate).toBe(2);
    // 2 / 18 = 0.111 → 0.11
    expect(stats({ unit: 'mmol/L', history: h, latest: h.at(-1)! }).rate).toBe(0.11);
    const down = minutely(11, -3);
    expect(stats({ history: down, latest: down.at(-1)! }).rate).toBe(-3);
    expect(stats({ unit: 'mmol/L', history: down, latest: down.at(-1)! }).rate).toBe(-0.17);
  });

  it('fits noisy readings: 100, 106, 110 at 5-minute steps is 1.0 mg/dL/min = 0.06 mmol/L/min', () => {
    const h = [graph(NOW - 10 * MIN, 100), graph(NOW - 5 * MIN, 106)];
    const latest = r(NOW, 110);
    expect(stats({ history: h, latest }).rate).toBe(1);
    expect(stats({ unit: 'mmol/L', history: h, latest }).rate).toBe(0.06);
  });

  it('rounds half away from zero: 100, 101, 102 at 4-minute steps is 0.25 → 0.3, falling −0.3', () => {
    const up = [r(NOW - 8 * MIN, 100), r(NOW - 4 * MIN, 101)];
    expect(stats({ history: up, latest: r(NOW, 102) }).rate).toBe(0.3);
    expect(stats({ unit: 'mmol/L', history: up, latest: r(NOW, 102) }).rate).toBe(0.01);
    const down = [r(NOW - 8 * MIN, 102), r(NOW - 4 * MIN, 101)];
    expect(stats({ history: down, latest: r(NOW, 100) }).rate).toBe(-0.3);
  });

  it('is null with fewer than 3 readings or less than 2 minutes covered', () => {
    expect(stats({ history: [r(NOW - 10 * MIN, 100)], latest: r(NOW, 110) }).rate).toBeNull();
    const short = [r(NOW - 90_000, 100), r(NOW - 45_000, 101)]; // 1.5 minutes
    expect(stats({ history: short, latest: r(NOW, 102) }).rate).toBeNull();
    const enough = minutely(3, 1); // 2 minutes
    expect(stats({ history: enough, latest: enough.at(-1)! }).rate).toBe(1);
  });

  it('follows the last 5 minutes of minutely readings, not an older turn', () => {
    // Falling for 10 minutes, then rising for the last 5: the arrow points up, and so must the rate.
    const falling = Array.from({ length: 10 }, (_, i) => r(NOW - (15 - i) * MIN, 200 - 4 * i));
    const rising = Array.from({ length: 6 }, (_, i) => r(NOW - (5 - i) * MIN, 164 + 2 * i));
    const h = [...falling, ...rising];
    expect(stats({ history: h, latest: h.at(-1)! }).rate).toBe(2);
  });

  it('only uses the last 15 minutes before the latest reading', () => {
    const old = [r(NOW - 40 * MIN, 300), r(NOW - 30 * MIN, 300), r(NOW - 20 * MIN, 300)];
    expect(stats({ history: old, latest: r(NOW, 100) }).rate).toBeNull();
    const h = [...old, r(NOW - 15 * MIN, 70), r(NOW - 5 * MIN, 90)];
    expect(stats({ history: h, latest: r(NOW, 100) }).rate).toBe(2);
  });
});

describe('range', () => {
  const colours: [number, string][] = [
    [1, 'in_range'],
    [2, 'above_target'],
    [3, 'above_high_alarm'],
    [4, 'below_low'],
  ];
  for (const [colour, want] of colours) {
    it(`MeasurementColor ${colour} is ${want}, whatever the value`, () => {
      expect(stats({ latest: r(NOW, 120, { measurementColor: colour }) }).colorBand).toBe(want);
    });
  }

  const fallback: [number, number | null, string][] = [
    [69, 250, 'below_low'],
    [70, 250, 'in_range'],
    [180, 250, 'in_range'],
    [181, 250, 'above_target'],
    [249, 250, 'above_target'],
    [250, 250, 'above_high_alarm'],
    [400, 250, 'above_high_alarm'],
    [400, null, 'above_target'],
  ];
  for (const [mgdl, high, want] of fallback) {
    it(`without a colour, ${mgdl} mg/dL (high alarm ${high}) is ${want}`, () => {
      for (const colour of [null, 0, 7]) {
        const s = stats({ latest: r(NOW, mgdl, { measurementColor: colour }), alarms: { highMgdl: high } });
        expect(s.colorBand).toBe(want);
      }
    });
  }

  it('is null without a reading', () => {
    expect(stats().colorBand).toBeNull();
  });
});

describe('time in range, average, GMI', () => {
  const start = NOW - DAY;

  it('24 h at 5-minute spacing, the first 6 h high: 75 %, mean 140 mg/dL, GMI 6.7', () => {
    const h = series(start, NOW, 5, (_ts, i) => (i < 72 ? 200 : 120));
    expect(h).toHaveLength(288);
    const s = stats({ history: h });
    expect(s.timeInRange).toBe(75);
    expect(s.average).toBe(140);
    expect(s.gmi).toBe(6.7); // 3.31 + 0.02392 × 140 = 6.6588
    expect(stats({ history: h, unit: 'mmol/L' }).average).toBe(7.8); // 140 / 18 = 7.78
  });

  it('counts target low and high themselves as in range', () => {
    const h = series(start, NOW, 5, (_ts, i) => [70, 180, 69, 181][i % 4]!);
    expect(stats({ history: h }).timeInRange).toBe(50);
  });

  it('GMI: mean 154 mg/dL is 7.0 %', () => {
    expect(gmiPercent(154)).toBe(7);
    const s = stats({ history: series(start, NOW, 5, () => 154), unit: 'mmol/L' });
    expect(s.gmi).toBe(7);
    expect(s.average).toBe(8.6);
    expect(s.timeInRange).toBe(100);
  });

  it('weights by time, so 1-minute live readings do not outweigh 5-minute graph points', () => {
    const h = [...series(start, NOW - HOUR, 5, () => 100), ...series(NOW - HOUR, NOW, 1, () => 200)];
    const s = stats({ history: h.map((x) => (x.timestamp >= NOW - HOUR ? { ...x, type: 1 } : x)) });
    expect(s.average).toBe(104); // (23 × 100 + 1 × 200) / 24 = 104.2; by count it would be 118
    expect(s.timeInRange).toBe(95.8); // 23 / 24
  });

  it('is null below 70 % coverage and shown from exactly 70 %', () => {
    const from = NOW - 1008 * MIN; // 70 % of 1440 minutes
    const exactly = series(from, NOW, 1, () => 120);
    expect(stats({ history: exactly }).timeInRange).toBe(100);
    const s = stats({ history: exactly.slice(1) });
    expect(s).toMatchObject({ timeInRange: null, average: null, gmi: null });
    const sixteenHours = series(NOW - 16 * HOUR, NOW, 5, () => 120);
    expect(stats({ history: sixteenHours })).toMatchObject({ timeInRange: null, average: null, gmi: null });
  });

  it('counts a gap only up to 15 minutes after the reading before it', () => {
    // 24 h at 5 minutes with nothing from hour 6 to hour 12: 215 × 5 + 15 = 1090 covered minutes (75.7 %)
    const h = series(start, NOW, 5, () => 0).filter(
      (x) => x.timestamp < start + 6 * HOUR || x.timestamp >= start + 12 * HOUR,
    );
    const valued = h.map((x) => ({ ...x, mgdl: x.timestamp < start + 6 * HOUR ? 200 : 120 }));
    const s = stats({ history: valued });
    expect(s.timeInRange).toBe(66.1); // 720 / 1090
    expect(s.average).toBe(147); // (370 × 200 + 720 × 120) / 1090 = 147.2
    expect(s.gmi).toBe(6.8);
    const longGap = valued.filter((x) => x.timestamp < start + 4 * HOUR || x.timestamp >= start + 12 * HOUR);
    expect(stats({ history: longGap }).timeInRange).toBeNull(); // 16 h 15 min
  });

  it('does not count sparse data as covered: one reading every 30 minutes is 50 %', () => {
    expect(stats({ history: series(start, NOW, 30, () => 120) }).timeInRange).toBeNull();
  });

  it('counts the latest reading up to now and readings before the window only inside it', () => {
    // 23 h 50 min of graph points, then the live reading at now − 10 min stands for the last 10 minutes
    const h = series(start - 10 * MIN, NOW - 10 * MIN, 5, () => 100);
    const s = stats({ history: h, latest: r(NOW - 10 * MIN, 244) });
    expect(s.average).toBe(101); // (1430 × 100 + 10 × 244) / 1440 = 101
    expect(s.timeInRange).toBe(99.3); // 1430 / 1440
  });
});

describe('sensor fields', () => {
  const libre3: SensorInfo = {
    serial: 'SN3',
    activatedAt: NOW - 15 * DAY + HOUR,
    warmupMinutes: 60,
    productType: 4,
  };

  it('Libre 3 near expiry: expires 15 days after activation, ended from then', () => {
    const s = stats({ sensor: libre3, deviceTypeId: 40068, latest: r(NOW - MIN, 120) });
    expect(s.sensorExpiresAt).toBe(libre3.activatedAt + 15 * DAY);
    expect(s.sensorProblem).toBeNull();
    const later = stats({ sensor: libre3, deviceTypeId: 40068, latest: r(NOW - MIN, 120), now: NOW + HOUR });
    expect(later.sensorProblem).toBe('ended');
  });

  it('warming up right after activation', () => {
    const fresh = { ...libre3, activatedAt: NOW - 10 * MIN };
    expect(stats({ sensor: fresh, deviceTypeId: 40068 }).sensorProblem).toBe('warming_up');
  });

  it("no sensor: 'none' and no expiry", () => {
    expect(stats({ sensor: null })).toMatchObject({ sensorProblem: 'none', sensorExpiresAt: null });
  });

  it('sensor_days overrides the estimate', () => {
    const libre2 = { ...libre3, productType: 3, activatedAt: NOW - 14.5 * DAY };
    expect(stats({ sensor: libre2, deviceTypeId: 40067 }).sensorProblem).toBe('ended');
    const s = stats({ sensor: libre2, deviceTypeId: 40067, sensorDaysOverride: 15 });
    expect(s.sensorProblem).toBeNull();
    expect(s.sensorExpiresAt).toBe(libre2.activatedAt + 15 * DAY);
  });
});

describe('never NaN or Infinity', () => {
  it('every number is finite or null across edge cases', () => {
    const histories: Reading[][] = [
      [],
      [r(NOW, 100)],
      [r(NOW, 100), r(NOW, 120), r(NOW, 140)],
      [r(NOW - MIN, 120), r(NOW - 10 * MIN, 100), r(NOW - 5 * MIN, 110)],
      [r(NOW - MIN, Number.NaN), r(NOW - 2 * MIN, 0), r(NOW - 3 * MIN, -5), r(Number.NaN, 100)],
      [r(NOW - MIN, Number.POSITIVE_INFINITY), r(NOW - 2 * MIN, 1e308), r(NOW - 3 * MIN, 1e308)],
      [r(NOW + HOUR, 100), r(NOW + 2 * HOUR, 110), r(NOW + 3 * HOUR, 120)],
      [r(0, 100), r(1, 100), r(2, 100)],
      series(NOW - DAY, NOW, 5, () => 120),
      series(NOW - DAY, NOW, 5, () => 1e308),
    ];
    const latests: (Reading | null)[] = [
      null,
      r(NOW, 120),
      r(NOW, 120, { measurementColor: null }),
      r(NOW, Number.NaN, { measurementColor: null }),
      r(Number.NaN, 120),
      r(NOW, 1e308, { measurementColor: 99 }),
      r(NOW - 30 * DAY, 120),
    ];
    const sensors: (SensorInfo | null)[] = [
      null,
      { serial: 's', activatedAt: NOW - 5 * DAY, warmupMinutes: 60, productType: 4 },
      { serial: 's', activatedAt: Number.NaN, warmupMinutes: Number.NaN, productType: null },
      { serial: 's', activatedAt: NOW, warmupMinutes: -1, productType: 3 },
    ];
    const thresholds = [
      THRESHOLDS,
      { targetLowMgdl: Number.NaN, targetHighMgdl: Number.NaN, urgentLowMgdl: 0 },
    ];
    const overrides = [undefined, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e308, 15];
    const nows = [NOW, 0, Number.NaN, Number.POSITIVE_INFINITY];
    let checked = 0;
    for (const history of histories)
      for (const latest of latests)
        for (const sensor of sensors)
          for (const t of thresholds)
            for (const sensorDaysOverride of overrides)
              for (const now of nows)
                for (const unit of ['mg/dL', 'mmol/L'] as const) {
                  const s = computeStats({
                    history,
                    latest,
                    unit,
                    thresholds: t,
                    alarms: { highMgdl: t === THRESHOLDS ? 250 : Number.NaN },
                    sensor,
                    deviceTypeId: 40068,
                    sensorDaysOverride,
                    now,
                  });
                  for (const key of [
                    'rate',
                    'delta',
                    'timeInRange',
                    'average',
                    'gmi',
                    'sensorExpiresAt',
                  ] as const) {
                    const v = s[key];
                    if (v !== null && !Number.isFinite(v)) {
                      throw new Error(`${key}=${v} for ${JSON.stringify({ history, latest, sensor, now })}`);
                    }
                  }
                  expect([null, 'in_range', 'above_target', 'above_high_alarm', 'below_low']).toContain(
                    s.colorBand,
                  );
                  expect([null, 'none', 'warming_up', 'ended']).toContain(s.sensorProblem);
                  checked++;
                }
    expect(checked).toBeGreaterThan(10_000);
  });
});
