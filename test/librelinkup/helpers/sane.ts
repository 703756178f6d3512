// What every parsed connection must satisfy, however hostile the body: no NaN, no undefined, every
// value inside the bounds of limits.ts. Shared by the hostile corpus and the property tests.
import { expect } from 'vitest';
import {
  EARLIEST_PLAUSIBLE_MS,
  GLUCOSE_MGDL,
  ID_MAX_CHARS,
  NAME_MAX_CHARS,
  SENSOR_FUTURE_TOLERANCE_MS,
  TARGET_MGDL,
} from '../../../src/librelinkup/limits.js';
import type { Connection, Reading } from '../../../src/librelinkup/model.js';

function noUndefinedOrNaN(value: unknown, path: string): void {
  expect(value, path).not.toBeUndefined();
  if (typeof value === 'number') expect(Number.isFinite(value), `${path} = ${value}`).toBe(true);
  if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) noUndefinedOrNaN(v, `${path}.${k}`);
}

export function expectSaneReading(r: Reading, path = 'reading'): void {
  noUndefinedOrNaN(r, path);
  expect(r.mgdl).toBeGreaterThanOrEqual(GLUCOSE_MGDL.min);
  expect(r.mgdl).toBeLessThanOrEqual(GLUCOSE_MGDL.max);
  expect(r.timestamp).toBeGreaterThanOrEqual(EARLIEST_PLAUSIBLE_MS);
  expect(['mg/dL', 'mmol/L']).toContain(r.unit);
}

export function expectSaneConnection(c: Connection, upstreamNow: number): void {
  noUndefinedOrNaN(c, 'connection');
  expect(typeof c.patientId).toBe('string');
  expect(c.patientId.length).toBeGreaterThan(0);
  expect(c.patientId.length).toBeLessThanOrEqual(ID_MAX_CHARS);
  for (const name of [c.firstName, c.lastName]) {
    expect(typeof name).toBe('string');
    expect(Array.from(name).length).toBeLessThanOrEqual(NAME_MAX_CHARS);
  }
  expect(['mg/dL', 'mmol/L']).toContain(c.unit);
  for (const t of [c.targetLowMgdl, c.targetHighMgdl]) {
    expect(t).toBeGreaterThanOrEqual(TARGET_MGDL.min);
    expect(t).toBeLessThanOrEqual(TARGET_MGDL.max);
  }
  expect(c.targetLowMgdl).toBeLessThan(c.targetHighMgdl);
  for (const a of Object.values(c.alarms))
    if (a !== null) {
      expect(a).toBeGreaterThanOrEqual(GLUCOSE_MGDL.min);
      expect(a).toBeLessThanOrEqual(GLUCOSE_MGDL.max);
    }
  if (c.sensor !== null) {
    expect(c.sensor.activatedAt).toBeGreaterThanOrEqual(EARLIEST_PLAUSIBLE_MS);
    expect(c.sensor.activatedAt).toBeLessThanOrEqual(upstreamNow + SENSOR_FUTURE_TOLERANCE_MS);
    expect(typeof c.sensor.serial).toBe('string');
  }
  if (c.latest !== null) expectSaneReading(c.latest, 'latest');
}
