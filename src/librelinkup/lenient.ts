// Field-by-field reading of one connection entry from an unvalidated body. One bad field costs only
// that field (absent, null or a default), never the other fields of the entry nor the other entries
// of the body: one patient's odd data must not hide another patient's urgent low. Its glucose item
// and sensor are read by lenient-reading.ts and lenient-sensor.ts, single fields by lenient-fields.ts.

import {
  absent,
  type EntryContext,
  isRecord,
  nameAt,
  optionalNumber,
  record,
  report,
  shown,
  typeOf,
  unitFromCode,
  usablePatientId,
} from './lenient-fields.js';
import { lenientReading } from './lenient-reading.js';
import { lenientSensor } from './lenient-sensor.js';
import {
  DEFAULT_TARGET_HIGH_MGDL,
  DEFAULT_TARGET_LOW_MGDL,
  GLUCOSE_MGDL,
  ID_MAX_CHARS,
  TARGET_MGDL,
} from './limits.js';
import type { AlarmThresholds, Connection } from './model.js';

export type { DataIssue } from './model.js';

function alarmsFrom(
  raw: Record<string, unknown>,
  ctx: EntryContext,
): AlarmThresholds & { deviceTypeId: number | null } {
  const rules = record(raw, 'alarmRules', ctx, 'alarmRules');
  const device = record(raw, 'patientDevice', ctx, 'patientDevice');
  const th = (key: string) =>
    optionalNumber(record(rules, key, ctx, `alarmRules.${key}`), 'th', ctx, `alarmRules.${key}.th`, {
      range: GLUCOSE_MGDL,
    });
  const fixed = optionalNumber(
    record(device, 'fixedLowAlarmValues', ctx, 'patientDevice.fixedLowAlarmValues'),
    'mgdl',
    ctx,
    'patientDevice.fixedLowAlarmValues.mgdl',
    { range: GLUCOSE_MGDL },
  );
  return {
    highMgdl: th('h'),
    lowMgdl: th('l'),
    urgentLowMgdl: fixed ?? th('f'),
    deviceTypeId: optionalNumber(device, 'dtid', ctx, 'patientDevice.dtid', { integer: true }),
  };
}

function targetAt(raw: Record<string, unknown>, key: string, fallback: number, ctx: EntryContext): number {
  const value = raw[key];
  if (typeof value === 'number' && value >= TARGET_MGDL.min && value <= TARGET_MGDL.max) return value;
  report(
    ctx,
    key,
    `is ${shown(value)}, not a target in ${TARGET_MGDL.min}..${TARGET_MGDL.max} mg/dL; using ${fallback}`,
  );
  return fallback;
}

/**
 * One connection entry, or null when it has no usable patientId (dropped: nothing could be keyed to
 * it). Every other bad field costs only itself:
 * - glucoseMeasurement unusable (time, value) → `latest` null;
 * - sensor unusable, or activated outside [EARLIEST_PLAUSIBLE_MS, upstreamNow + SENSOR_FUTURE_TOLERANCE_MS] → `sensor` null;
 * - targets outside TARGET_MGDL (or low ≥ high) → the defaults (70/180 mg/dL);
 * - alarm thresholds outside GLUCOSE_MGDL → null;
 * - names that are not strings → '' (strings are cut to NAME_MAX_CHARS);
 * - uom other than 0/1 → the unit of glucoseMeasurement.GlucoseUnits, else mg/dL, with an issue. Only
 *   the display unit depends on it: mg/dL always comes from ValueInMgPerDl, so no value is misread.
 */
export function lenientConnection(
  raw: unknown,
  ctx: Omit<EntryContext, 'patientId' | 'fieldPrefix'>,
  upstreamNow: number,
): Connection | null {
  const base: EntryContext = { ...ctx, patientId: null, fieldPrefix: '' };
  if (!isRecord(raw)) {
    report(base, '', `is ${typeOf(raw)}, not a connection; entry dropped`);
    return null;
  }
  if (!usablePatientId(raw.patientId)) {
    const v = raw.patientId;
    const what = typeof v === 'string' ? `a string of ${v.length} characters` : typeOf(v);
    report(base, 'patientId', `is ${what}, not an id (1..${ID_MAX_CHARS} visible characters); entry dropped`);
    return null;
  }
  const c: EntryContext = { ...base, patientId: raw.patientId };
  let connectionId = '';
  if (usablePatientId(raw.id)) connectionId = raw.id;
  else report(c, 'id', `is ${shown(raw.id)}, not a connection id; ignored`);
  const measurement = isRecord(raw.glucoseMeasurement) ? raw.glucoseMeasurement : null;
  let unit = unitFromCode(raw.uom);
  if (unit === null) {
    unit = unitFromCode(measurement?.GlucoseUnits) ?? 'mg/dL';
    report(c, 'uom', `is ${shown(raw.uom)}, not 0 (mmol/L) or 1 (mg/dL); showing ${unit}`);
  }
  let targetLowMgdl = targetAt(raw, 'targetLow', DEFAULT_TARGET_LOW_MGDL, c);
  let targetHighMgdl = targetAt(raw, 'targetHigh', DEFAULT_TARGET_HIGH_MGDL, c);
  if (targetLowMgdl >= targetHighMgdl) {
    report(c, 'targetLow', `${targetLowMgdl} is not below targetHigh ${targetHighMgdl}; using the defaults`);
    targetLowMgdl = DEFAULT_TARGET_LOW_MGDL;
    targetHighMgdl = DEFAULT_TARGET_HIGH_MGDL;
  }
  const { deviceTypeId, ...alarms } = alarmsFrom(raw, c);
  const latest = absent(raw.glucoseMeasurement)
    ? null
    : lenientReading(
        raw.glucoseMeasurement,
        { ...c, at: `${c.at}.glucoseMeasurement`, fieldPrefix: 'glucoseMeasurement' },
        { unit, type: 1 },
      );
  return {
    patientId: raw.patientId,
    connectionId,
    firstName: nameAt(raw, 'firstName', c),
    lastName: nameAt(raw, 'lastName', c),
    unit,
    targetLowMgdl,
    targetHighMgdl,
    sensor: lenientSensor(raw.sensor, c, 'sensor', upstreamNow),
    latest,
    alarms,
    deviceTypeId,
  };
}
