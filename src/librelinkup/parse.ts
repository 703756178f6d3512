// Pure conversions from validated LibreLinkUp bodies to the typed model. Time comes from
// FactoryTimestamp (UTC) only; mg/dL from ValueInMgPerDl only (the one unit-explicit field), so a
// mixed-up `Value` can never turn 39 mmol/L into 39 mg/dL or NaN downstream.

import { fromMgdl } from '../units.js';
import { LluError } from './errors.js';
import type { Connection, GlucoseUnit, Graph, Reading, SensorInfo, Trend } from './model.js';
import { TRENDS } from './model.js';
import {
  expectShape,
  type RawConnection,
  type RawGlucoseItem,
  type RawLogbookItem,
  type RawSensor,
} from './schemas.js';

export interface ParseOptions {
  /** endpoint named in error messages (default "response") */
  endpoint?: string;
  /** told about tolerated oddities, e.g. a `Value` that disagrees with ValueInMgPerDl */
  onWarning?: (message: string) => void;
}

interface ReadingOptions extends ParseOptions {
  /** unit when GlucoseUnits is absent (the connection's uom) */
  fallbackUnit?: GlucoseUnit;
  /** `type` when absent */
  defaultType?: number;
}

const TIMESTAMP = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/;
/** Anything outside (0, 1000) mg/dL is not a glucose value (sensors report 40..500). */
const MAX_MGDL = 1000;
const MGDL_TOLERANCE = 1;
const MMOL_TOLERANCE = 0.15;

function malformed(message: string, endpoint: string | undefined): LluError {
  return new LluError(
    'malformed',
    `LibreLinkUp ${endpoint ?? 'response'}: ${message}`,
    endpoint ? { endpoint } : {},
  );
}

/** "5/21/2022 1:38:50 PM" (en-US, 12-hour clock, UTC when it is a FactoryTimestamp) → epoch ms. */
export function parseTimestamp(text: string, endpoint?: string): number {
  const m = TIMESTAMP.exec(text);
  const bad = () => malformed(`invalid timestamp ${JSON.stringify(text.slice(0, 40))}`, endpoint);
  if (m === null) throw bad();
  const [, mo, dd, yyyy, hh, mi, ss, ampm] = m;
  const month = Number(mo);
  const day = Number(dd);
  const hour12 = Number(hh);
  const minute = Number(mi);
  const second = Number(ss);
  if (month < 1 || month > 12 || day < 1 || hour12 < 1 || hour12 > 12 || minute > 59 || second > 59)
    throw bad();
  const hour = (hour12 % 12) + (ampm === 'PM' ? 12 : 0);
  const at = Date.UTC(Number(yyyy), month - 1, day, hour, minute, second);
  // Date.UTC silently rolls 2/30 over into March: reject dates that do not round-trip.
  if (new Date(at).getUTCDate() !== day) throw bad();
  return at;
}

export function trendFromArrow(arrow: number | null | undefined): Trend | null {
  if (arrow === null || arrow === undefined || arrow < 1 || arrow > 5) return null;
  return TRENDS[arrow - 1] ?? null;
}

function unitFrom(code: number | null | undefined, fallback: GlucoseUnit): GlucoseUnit {
  if (code === 1) return 'mg/dL';
  if (code === 0) return 'mmol/L';
  return fallback;
}

function valueAgrees(value: number, mgdl: number, unit: GlucoseUnit): boolean {
  return unit === 'mg/dL'
    ? Math.abs(value - mgdl) <= MGDL_TOLERANCE
    : Math.abs(value - mgdl / 18) <= MMOL_TOLERANCE;
}

/** One already-validated glucose item → Reading. */
export function readingFrom(raw: RawGlucoseItem, options: ReadingOptions = {}): Reading {
  const mgdl = raw.ValueInMgPerDl;
  if (!Number.isFinite(mgdl) || mgdl <= 0 || mgdl >= MAX_MGDL) {
    throw malformed(`implausible ValueInMgPerDl ${mgdl}`, options.endpoint);
  }
  const timestamp = parseTimestamp(raw.FactoryTimestamp, options.endpoint);
  const unit = unitFrom(raw.GlucoseUnits, options.fallbackUnit ?? 'mg/dL');
  let value = fromMgdl(mgdl, unit);
  if (typeof raw.Value === 'number' && Number.isFinite(raw.Value)) {
    if (valueAgrees(raw.Value, mgdl, unit)) value = raw.Value;
    else {
      options.onWarning?.(
        `Value ${raw.Value} ${unit} disagrees with ValueInMgPerDl ${mgdl} at ${raw.FactoryTimestamp}; using ${value} ${unit}`,
      );
    }
  }
  return {
    timestamp,
    mgdl,
    value,
    unit,
    trend: trendFromArrow(raw.TrendArrow),
    isHigh: raw.isHigh === true,
    isLow: raw.isLow === true,
    measurementColor: raw.MeasurementColor ?? null,
    type: raw.type ?? options.defaultType ?? 0,
  };
}

/** A glucose item (glucoseMeasurement, graphData point) from an unvalidated body. */
export function parseReading(raw: unknown, options: ReadingOptions = {}): Reading {
  return readingFrom(expectShape('glucoseItem', raw, options.endpoint ?? 'response'), options);
}

export function sensorFrom(raw: RawSensor): SensorInfo {
  return {
    serial: raw.sn,
    activatedAt: raw.a * 1000,
    warmupMinutes: raw.w ?? null,
    productType: raw.pt ?? null,
  };
}

/** One already-validated connection → Connection. */
export function connectionFrom(raw: RawConnection, options: ParseOptions = {}): Connection {
  const unit: GlucoseUnit = raw.uom === 1 ? 'mg/dL' : 'mmol/L';
  const rules = raw.alarmRules ?? null;
  const device = raw.patientDevice ?? null;
  return {
    patientId: raw.patientId,
    connectionId: raw.id,
    firstName: raw.firstName,
    lastName: raw.lastName,
    unit,
    targetLowMgdl: raw.targetLow,
    targetHighMgdl: raw.targetHigh,
    sensor: raw.sensor ? sensorFrom(raw.sensor) : null,
    latest: raw.glucoseMeasurement
      ? readingFrom(raw.glucoseMeasurement, { ...options, fallbackUnit: unit, defaultType: 1 })
      : null,
    alarms: {
      highMgdl: rules?.h?.th ?? null,
      lowMgdl: rules?.l?.th ?? null,
      urgentLowMgdl: device?.fixedLowAlarmValues?.mgdl ?? rules?.f?.th ?? null,
    },
    deviceTypeId: device?.dtid ?? null,
  };
}

/** A connection object (connections item or graph.data.connection) from an unvalidated body. */
export function parseConnection(raw: unknown, options: ParseOptions = {}): Connection {
  return connectionFrom(expectShape('connection', raw, options.endpoint ?? 'response'), options);
}

/** Oldest first; exact duplicates (same time and same values) dropped. */
export function sortReadings(readings: Reading[]): Reading[] {
  const seen = new Set<string>();
  const out: Reading[] = [];
  for (const r of [...readings].sort((a, b) => a.timestamp - b.timestamp)) {
    const key = JSON.stringify(r);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

/** Full body of GET /llu/connections → connections (upstream order, which is not stable). */
export function parseConnections(body: unknown, options: ParseOptions = {}): Connection[] {
  const endpoint = options.endpoint ?? 'connections';
  const raw = expectShape('connections', body, endpoint);
  return raw.data.map((c) => connectionFrom(c, { ...options, endpoint }));
}

/** Full body of GET /llu/connections/{id}/graph → Graph with readings oldest first. */
export function parseGraph(body: unknown, options: ParseOptions = {}): Graph {
  const endpoint = options.endpoint ?? 'graph';
  const { data } = expectShape('graph', body, endpoint);
  const connection = connectionFrom(data.connection, { ...options, endpoint });
  const activeSensors: SensorInfo[] = [];
  for (const entry of data.activeSensors ?? [])
    if (entry.sensor) activeSensors.push(sensorFrom(entry.sensor));
  const readings = data.graphData.map((p) =>
    readingFrom(p, { ...options, endpoint, fallbackUnit: connection.unit, defaultType: 0 }),
  );
  return { connection, activeSensors, readings: sortReadings(readings) };
}

/** Full body of GET /llu/connections/{id}/logbook → readings oldest first; value-less alarm events skipped. */
export function parseLogbook(body: unknown, options: ParseOptions = {}): Reading[] {
  const endpoint = options.endpoint ?? 'logbook';
  const { data } = expectShape('logbook', body, endpoint);
  const readings: Reading[] = [];
  for (const item of data as RawLogbookItem[]) {
    if (item.ValueInMgPerDl === undefined) continue;
    readings.push(
      readingFrom({ ...item, ValueInMgPerDl: item.ValueInMgPerDl }, { ...options, endpoint, defaultType: 1 }),
    );
  }
  return sortReadings(readings);
}
