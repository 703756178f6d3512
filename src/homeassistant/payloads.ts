// What goes on the state, reading and event topics, built from a snapshot. Pure. Every number is
// checked finite; a snapshot without a reading publishes no state at all, never NaN or a guess.

import type { Alert, PatientSnapshot } from '../bridge/events.js';
import type { Reading } from '../librelinkup/model.js';
import { fromMgdl } from '../units.js';

function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function readingPayload(p: PatientSnapshot, r: Reading, backfilled = false): Record<string, unknown> {
  if (!Number.isFinite(r.mgdl) || !Number.isFinite(r.timestamp))
    throw new Error('refusing to publish a non-finite reading');
  return {
    timestamp: iso(r.timestamp),
    glucose_mgdl: r.mgdl,
    glucose: fromMgdl(r.mgdl, p.unit),
    unit: p.unit,
    trend: r.trend,
    // Only on a gap's readings from the graph, which may follow newer live readings.
    ...(backfilled ? { backfilled: true } : {}),
  };
}

export function statePayload(p: PatientSnapshot): Record<string, unknown> | null {
  const r = p.latest;
  if (r === null) return null;
  const s = p.stats;
  return {
    ...readingPayload(p, r),
    is_high: r.isHigh,
    is_low: r.isLow,
    high: p.high,
    low: p.low,
    range: p.range,
    stale: p.stale,
    target_low: fromMgdl(p.thresholds.targetLowMgdl, p.unit),
    target_high: fromMgdl(p.thresholds.targetHighMgdl, p.unit),
    rate: finiteOrNull(s.rate),
    delta: finiteOrNull(s.delta),
    color_range: s.range,
    time_in_range: finiteOrNull(s.timeInRange),
    average: finiteOrNull(s.average),
    gmi: finiteOrNull(s.gmi),
    sensor_activated: p.sensor ? iso(p.sensor.activatedAt) : null,
    sensor_expires:
      s.sensorExpiresAt !== null && Number.isFinite(s.sensorExpiresAt) ? iso(s.sensorExpiresAt) : null,
    sensor_problem: s.sensorProblem ?? 'ok',
  };
}

export function eventPayload(p: PatientSnapshot, a: Alert): Record<string, unknown> {
  const r = a.reading;
  return {
    event_type: a.type,
    timestamp: r ? iso(r.timestamp) : null,
    glucose_mgdl: r ? r.mgdl : null,
    glucose: r ? fromMgdl(r.mgdl, p.unit) : null,
    unit: p.unit,
    trend: r ? r.trend : null,
  };
}
