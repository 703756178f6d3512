import { describe, expect, it } from 'vitest';
import {
  ALIVE_AFTER_END_MS,
  sensorExpiresAt,
  sensorLifeDays,
  sensorProblem,
} from '../../src/bridge/sensor-life.js';
import type { Reading, SensorInfo } from '../../src/librelinkup/model.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const ACTIVATED = Date.UTC(2026, 10, 1, 8, 0, 0);

function sensor(extra: Partial<SensorInfo> = {}): SensorInfo {
  return { serial: 'SN1', activatedAt: ACTIVATED, warmupMinutes: 60, productType: 4, ...extra };
}

function reading(ts: number): Reading {
  return {
    timestamp: ts,
    mgdl: 120,
    value: 120,
    unit: 'mg/dL',
    trend: 'stable',
    isHigh: false,
    isLow: false,
    measurementColor: 1,
    type: 1,
  };
}

describe('sensorLifeDays', () => {
  it('is 15 days for a Libre 3 by product type or by the Libre 3 app', () => {
    expect(sensorLifeDays(sensor({ productType: 4 }), null)).toBe(15);
    expect(sensorLifeDays(sensor({ productType: null }), 40068)).toBe(15);
    expect(sensorLifeDays(null, 40068)).toBe(15);
  });

  it('is 14 days for a Libre 2 (and, as an estimate, anything not recognisably a Libre 3)', () => {
    expect(sensorLifeDays(sensor({ productType: 3 }), 40067)).toBe(14);
    expect(sensorLifeDays(sensor({ productType: null }), 40066)).toBe(14);
    expect(sensorLifeDays(null, null)).toBe(14);
  });

  it('takes a positive override (sensor_days) over the estimate and ignores nonsense', () => {
    expect(sensorLifeDays(sensor({ productType: 3 }), 40067, 15)).toBe(15);
    expect(sensorLifeDays(sensor(), 40068, 14)).toBe(14);
    for (const bad of [0, -3, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(sensorLifeDays(sensor(), 40068, bad)).toBe(15);
    }
  });
});

describe('sensorExpiresAt', () => {
  it('is activation plus the life in days', () => {
    expect(sensorExpiresAt(sensor(), 15)).toBe(ACTIVATED + 15 * DAY);
    expect(sensorExpiresAt(sensor(), 14)).toBe(ACTIVATED + 14 * DAY);
  });

  it('is null without a sensor or with a non-finite result', () => {
    expect(sensorExpiresAt(null, 14)).toBeNull();
    expect(sensorExpiresAt(sensor({ activatedAt: Number.NaN }), 14)).toBeNull();
    expect(sensorExpiresAt(sensor(), Number.POSITIVE_INFINITY)).toBeNull();
  });
});

describe('sensorProblem', () => {
  it("is 'none' without an active sensor", () => {
    expect(sensorProblem(null, reading(ACTIVATED), ACTIVATED, 14)).toBe('none');
  });

  it("is 'warming_up' for `w` minutes after activation, then no problem", () => {
    expect(sensorProblem(sensor(), null, ACTIVATED, 15)).toBe('warming_up');
    expect(sensorProblem(sensor(), null, ACTIVATED + 59 * MIN, 15)).toBe('warming_up');
    expect(sensorProblem(sensor(), null, ACTIVATED + 60 * MIN, 15)).toBeNull();
  });

  it('uses 60 warm-up minutes when `w` is absent, and honours a different `w`', () => {
    expect(sensorProblem(sensor({ warmupMinutes: null }), null, ACTIVATED + 59 * MIN, 15)).toBe('warming_up');
    expect(sensorProblem(sensor({ warmupMinutes: 30 }), null, ACTIVATED + 45 * MIN, 15)).toBeNull();
  });

  it('treats an activation ahead of our clock as warming up', () => {
    expect(sensorProblem(sensor(), null, ACTIVATED - 5 * MIN, 15)).toBe('warming_up');
  });

  it("Libre 3 near expiry: fine until 15 days, 'ended' from then on", () => {
    const days = sensorLifeDays(sensor(), 40068);
    const end = ACTIVATED + 15 * DAY;
    expect(sensorProblem(sensor(), reading(end - 2 * MIN), end - MIN, days)).toBeNull();
    expect(sensorProblem(sensor(), reading(end - 2 * MIN), end, days)).toBe('ended');
    expect(sensorProblem(sensor(), reading(end - 2 * MIN), end + 3 * DAY, days)).toBe('ended');
  });

  it('is not ended while fresh readings newer than the estimated end keep coming (estimate too short)', () => {
    const end = ACTIVATED + 14 * DAY;
    const now = end + 6 * 60 * MIN;
    expect(sensorProblem(sensor({ productType: 3 }), reading(now - 2 * MIN), now, 14)).toBeNull();
    // the same reading, no longer fresh: the sensor has stopped after all
    const later = now - 2 * MIN + ALIVE_AFTER_END_MS;
    expect(sensorProblem(sensor({ productType: 3 }), reading(now - 2 * MIN), later, 14)).toBe('ended');
    // the last known reading repeated upstream keeps its old timestamp: no proof of life
    expect(sensorProblem(sensor({ productType: 3 }), reading(end - 5 * MIN), end + MIN, 14)).toBe('ended');
  });

  it('follows the override: a Libre 2 Plus with sensor_days 15 is fine on day 14.5', () => {
    const days = sensorLifeDays(sensor({ productType: 3 }), 40067, 15);
    const now = ACTIVATED + 14.5 * DAY;
    expect(sensorProblem(sensor({ productType: 3 }), null, now, days)).toBeNull();
    expect(sensorProblem(sensor({ productType: 3 }), null, now, 14)).toBe('ended');
  });
});
