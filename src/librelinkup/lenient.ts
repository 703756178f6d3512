// Field-by-field reading of one connection or glucose item from an unvalidated body. One bad field
// costs only that field (absent, null or a default), never the other fields of the entry nor the
// other entries of the body: one patient's odd data must not hide another patient's urgent low.
// Every problem is reported as a DataIssue naming the JSON path; values are echoed only cut short
// and never for names (personal data).

import { fromMgdl } from '../units.js';
import {
  DEFAULT_TARGET_HIGH_MGDL,
  DEFAULT_TARGET_LOW_MGDL,
  EARLIEST_PLAUSIBLE_MS,
  GLUCOSE_MGDL,
  ID_MAX_CHARS,
  NAME_MAX_CHARS,
  SENSOR_FUTURE_TOLERANCE_MS,
  TARGET_MGDL,
} from './limits.js';
import type { AlarmThresholds, Connection, DataIssue, GlucoseUnit, Reading, SensorInfo } from './model.js';
import { TRENDS } from './model.js';

export type { DataIssue } from './model.js';

/** Where an entry sits in the body and whom it belongs to, for the issues it reports. */
export interface EntryContext {
  /** path prefix of the entry, e.g. `data[1]` or `data.connection` */
  at: string;
  /** prefix of `field` (e.g. `graphData` for graph points), '' for a connection */
  fieldPrefix: string;
  patientId: string | null;
  report: (issue: DataIssue) => void;
}

const MAX_ECHO_CHARS = 24;
const TIMESTAMP = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/;
const MGDL_TOLERANCE = 1;
const MMOL_TOLERANCE = 0.15;

/** A value as a log may show it: type and, for short primitives, the value cut to a few characters. */
export function shown(value: unknown): string {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const cut = value.length > MAX_ECHO_CHARS ? `${value.slice(0, MAX_ECHO_CHARS)}…` : value;
    return `the string ${JSON.stringify(cut)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function report(ctx: EntryContext, field: string, problem: string): void {
  const stable =
    ctx.fieldPrefix === '' ? field : field === '' ? ctx.fieldPrefix : `${ctx.fieldPrefix}.${field}`;
  ctx.report({
    patientId: ctx.patientId,
    path: field === '' ? ctx.at : `${ctx.at}.${field}`,
    field: stable,
    problem,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** "5/21/2022 1:38:50 PM" (en-US, 12-hour clock, UTC) → epoch ms, or null when it is not one. */
export function timestampOf(text: string): number | null {
  const m = TIMESTAMP.exec(text);
  if (m === null) return null;
  const [, mo, dd, yyyy, hh, mi, ss, ampm] = m;
  const month = Number(mo);
  const day = Number(dd);
  const hour12 = Number(hh);
  const minute = Number(mi);
  const second = Number(ss);
  if (month < 1 || month > 12 || day < 1 || hour12 < 1 || hour12 > 12 || minute > 59 || second > 59)
    return null;
  const hour = (hour12 % 12) + (ampm === 'PM' ? 12 : 0);
  const at = Date.UTC(Number(yyyy), month - 1, day, hour, minute, second);
  // Date.UTC silently rolls 2/30 over into March: reject dates that do not round-trip.
  return new Date(at).getUTCDate() === day ? at : null;
}

/** Display text: a string cut to NAME_MAX_CHARS (whole characters); anything else is ''. */
function nameAt(raw: Record<string, unknown>, key: string, ctx: EntryContext): string {
  const value = raw[key];
  if (typeof value !== 'string') {
    report(ctx, key, `is ${typeOf(value)}, not a name; shown as empty`);
    return '';
  }
  const chars = Array.from(value);
  if (chars.length <= NAME_MAX_CHARS) return value;
  report(ctx, key, `is ${chars.length} characters long; cut to ${NAME_MAX_CHARS}`);
  return chars.slice(0, NAME_MAX_CHARS).join('');
}

/** An optional number: absent/null → null silently; anything else not finite (or out of `range`) → null with an issue. */
function optionalNumber(
  raw: Record<string, unknown>,
  key: string,
  ctx: EntryContext,
  field: string,
  options: { integer?: boolean; range?: { min: number; max: number } } = {},
): number | null {
  const value = raw[key];
  if (absent(value)) return null;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!options.integer || Number.isInteger(value)) &&
    (options.range === undefined || (value >= options.range.min && value <= options.range.max));
  if (ok) return value;
  const range = options.range ? ` in ${options.range.min}..${options.range.max}` : '';
  report(ctx, field, `is ${shown(value)}, not a ${options.integer ? 'whole ' : ''}number${range}; ignored`);
  return null;
}

function unitFromCode(code: unknown): GlucoseUnit | null {
  if (code === 1) return 'mg/dL';
  if (code === 0) return 'mmol/L';
  return null;
}

export interface ReadingDefaults {
  /** unit when GlucoseUnits is absent (the connection's uom) */
  unit: GlucoseUnit;
  /** `type` when absent */
  type: number;
}

/**
 * One glucose item (glucoseMeasurement or a graph point), or null when its time or value is unusable.
 * The time must be a FactoryTimestamp after EARLIEST_PLAUSIBLE_MS and the value a ValueInMgPerDl
 * inside GLUCOSE_MGDL; optional fields that are odd are treated as absent.
 */
export function lenientReading(raw: unknown, ctx: EntryContext, defaults: ReadingDefaults): Reading | null {
  if (!isRecord(raw)) {
    report(ctx, '', `is ${typeOf(raw)}, not a glucose item; reading ignored`);
    return null;
  }
  const ts = raw.FactoryTimestamp;
  const timestamp = typeof ts === 'string' ? timestampOf(ts) : null;
  if (timestamp === null) {
    report(ctx, 'FactoryTimestamp', `is ${shown(ts)}, not a timestamp; reading ignored`);
    return null;
  }
  if (timestamp < EARLIEST_PLAUSIBLE_MS) {
    report(ctx, 'FactoryTimestamp', `${shown(ts)} predates any Libre sensor; reading ignored`);
    return null;
  }
  const mgdl = raw.ValueInMgPerDl;
  if (
    typeof mgdl !== 'number' ||
    !Number.isFinite(mgdl) ||
    mgdl < GLUCOSE_MGDL.min ||
    mgdl > GLUCOSE_MGDL.max
  ) {
    report(
      ctx,
      'ValueInMgPerDl',
      `is ${shown(mgdl)}, not a glucose value in ${GLUCOSE_MGDL.min}..${GLUCOSE_MGDL.max} mg/dL; reading ignored`,
    );
    return null;
  }
  let unit = defaults.unit;
  if (!absent(raw.GlucoseUnits)) {
    const u = unitFromCode(raw.GlucoseUnits);
    if (u === null) report(ctx, 'GlucoseUnits', `is ${shown(raw.GlucoseUnits)}, not 0 or 1; using ${unit}`);
    else unit = u;
  }
  let value = fromMgdl(mgdl, unit);
  const given = optionalNumber(raw, 'Value', ctx, 'Value');
  if (given !== null) {
    const agrees =
      unit === 'mg/dL'
        ? Math.abs(given - mgdl) <= MGDL_TOLERANCE
        : Math.abs(given - mgdl / 18) <= MMOL_TOLERANCE;
    if (agrees) value = given;
    else
      report(ctx, 'Value', `${given} ${unit} disagrees with ValueInMgPerDl ${mgdl}; using ${value} ${unit}`);
  }
  const arrow = optionalNumber(raw, 'TrendArrow', ctx, 'TrendArrow', {
    integer: true,
    range: { min: 0, max: 5 },
  });
  return {
    timestamp,
    mgdl,
    value,
    unit,
    trend: arrow === null || arrow < 1 ? null : (TRENDS[arrow - 1] ?? null),
    isHigh: booleanAt(raw, 'isHigh', ctx),
    isLow: booleanAt(raw, 'isLow', ctx),
    measurementColor: optionalNumber(raw, 'MeasurementColor', ctx, 'MeasurementColor', { integer: true }),
    type: optionalNumber(raw, 'type', ctx, 'type', { integer: true }) ?? defaults.type,
  };
}

function booleanAt(raw: Record<string, unknown>, key: string, ctx: EntryContext): boolean {
  const value = raw[key];
  if (absent(value) || typeof value === 'boolean') return value === true;
  report(ctx, key, `is ${shown(value)}, not true or false; taken as false`);
  return false;
}

function aheadText(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

/** A sensor, or null when absent or unusable (no serial, or an activation outside the plausible window). */
export function lenientSensor(
  raw: unknown,
  ctx: EntryContext,
  field: string,
  upstreamNow: number,
): SensorInfo | null {
  if (absent(raw)) return null;
  if (!isRecord(raw)) {
    report(ctx, field, `is ${typeOf(raw)}, not a sensor; sensor ignored`);
    return null;
  }
  const serial = raw.sn;
  if (typeof serial !== 'string' || serial === '' || serial.length > ID_MAX_CHARS) {
    report(ctx, `${field}.sn`, `is ${shown(serial)}, not a serial number; sensor ignored`);
    return null;
  }
  const a = raw.a;
  const activatedAt = typeof a === 'number' && Number.isFinite(a) ? a * 1000 : null;
  if (
    activatedAt === null ||
    activatedAt < EARLIEST_PLAUSIBLE_MS ||
    activatedAt > upstreamNow + SENSOR_FUTURE_TOLERANCE_MS
  ) {
    const when =
      activatedAt === null
        ? `is ${shown(a)}, not a time`
        : activatedAt < EARLIEST_PLAUSIBLE_MS
          ? `${a} predates any Libre sensor`
          : `${a} lies ${aheadText(activatedAt - upstreamNow)} after LibreLinkUp's clock`;
    report(ctx, `${field}.a`, `${when}; sensor ignored`);
    return null;
  }
  return {
    serial,
    activatedAt,
    warmupMinutes: optionalNumber(raw, 'w', ctx, `${field}.w`, { range: { min: 0, max: 24 * 60 } }),
    productType: optionalNumber(raw, 'pt', ctx, `${field}.pt`, { integer: true }),
  };
}

function record(
  raw: Record<string, unknown>,
  key: string,
  ctx: EntryContext,
  field: string,
): Record<string, unknown> {
  const value = raw[key];
  if (absent(value)) return {};
  if (isRecord(value)) return value;
  report(ctx, field, `is ${typeOf(value)}, not an object; ignored`);
  return {};
}

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
 * A usable patientId: a string of at most ID_MAX_CHARS with something visible in it and no control
 * characters (blank or control-laden ids cannot be told apart in logs, topics or URLs).
 */
export function usablePatientId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= ID_MAX_CHARS &&
    /\S/.test(value) &&
    ![...value].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f')
  );
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
