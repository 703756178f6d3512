// Pure conversions from validated LibreLinkUp bodies to the typed model. Time comes from
// FactoryTimestamp (UTC) only; mg/dL from ValueInMgPerDl only (the one unit-explicit field), so a
// mixed-up `Value` can never turn 39 mmol/L into 39 mg/dL or NaN downstream.

import { fromMgdl } from '../units.js';
import { LluError } from './errors.js';
import { type DataIssue, lenientConnection } from './lenient.js';
import { timestampOf } from './lenient-fields.js';
import { lenientReading } from './lenient-reading.js';
import { lenientSensor } from './lenient-sensor.js';
import { FUTURE_TOLERANCE_MS } from './limits.js';
import type { Connection, GlucoseUnit, Graph, Reading, SensorInfo, Trend } from './model.js';

export type { DataIssue } from './lenient.js';

import { TRENDS } from './model.js';
import { expectShape, type RawGlucoseItem, type RawLogbookItem } from './schemas.js';

export interface ParseOptions {
  /** endpoint named in error messages (default "response") */
  endpoint?: string;
  /** told about tolerated oddities, e.g. a `Value` that disagrees with ValueInMgPerDl */
  onWarning?: (message: string) => void;
  /** told about each bad field of one entry (connections, graph), which costs only that field */
  onIssue?: (issue: DataIssue) => void;
  /** LibreLinkUp's clock (epoch ms) when it answered; default this machine's clock */
  upstreamNow?: number;
}

interface ReadingOptions extends ParseOptions {
  /** unit when GlucoseUnits is absent (the connection's uom) */
  fallbackUnit?: GlucoseUnit;
  /** `type` when absent */
  defaultType?: number;
}

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
  const at = timestampOf(text);
  if (at === null) throw malformed(`invalid timestamp ${JSON.stringify(text.slice(0, 40))}`, endpoint);
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

/**
 * A connection object from an unvalidated body, read field by field (see lenientConnection); only an
 * entry without a usable patientId is an error.
 */
export function parseConnection(raw: unknown, options: ParseOptions = {}): Connection {
  const endpoint = options.endpoint ?? 'response';
  const dropped: DataIssue[] = [];
  const connection = lenientConnection(
    raw,
    {
      at: 'connection',
      report: (issue) => {
        if (issue.patientId === null) dropped.push(issue);
        else options.onIssue?.(issue);
      },
    },
    options.upstreamNow ?? Date.now(),
  );
  if (connection === null)
    throw malformed(`unusable connection: ${dropped[0]?.path} ${dropped[0]?.problem}`, endpoint);
  return connection;
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

/**
 * Full body of GET /llu/connections → connections (upstream order, which is not stable). Only a body
 * that is not a connections answer at all is an error; each entry is read on its own, so one
 * patient's bad field costs only that field and an entry without a usable patientId only itself
 * (both reported through onIssue).
 */
export function parseConnections(body: unknown, options: ParseOptions = {}): Connection[] {
  const endpoint = options.endpoint ?? 'connections';
  const raw = expectShape('connectionsEnvelope', body, endpoint);
  const upstreamNow = options.upstreamNow ?? Date.now();
  const report = (issue: DataIssue) => options.onIssue?.(issue);
  const out: Connection[] = [];
  const ids = new Set<string>();
  raw.data.forEach((entry, i) => {
    const c = lenientConnection(entry, { at: `data[${i}]`, report }, upstreamNow);
    if (c === null) return;
    if (ids.has(c.patientId)) {
      report({
        patientId: c.patientId,
        path: `data[${i}].patientId`,
        field: 'patientId',
        problem: 'appears twice; the second entry is ignored',
      });
      return;
    }
    ids.add(c.patientId);
    out.push(c);
  });
  return out;
}

/**
 * Full body of GET /llu/connections/{id}/graph → Graph with readings oldest first. A bad point (or
 * one more than FUTURE_TOLERANCE_MS ahead of upstream's clock) is dropped, the others are kept; a
 * connection without a usable patientId makes the answer malformed (it is about one patient).
 */
export function parseGraph(body: unknown, options: ParseOptions = {}): Graph {
  const endpoint = options.endpoint ?? 'graph';
  const { data } = expectShape('graphEnvelope', body, endpoint);
  const upstreamNow = options.upstreamNow ?? Date.now();
  const report = (issue: DataIssue) =>
    options.onIssue?.({ ...issue, path: issue.path.replace(/^connection/, 'data.connection') });
  const connection = parseConnection(data.connection, { ...options, endpoint, upstreamNow, onIssue: report });
  const ctx = { patientId: connection.patientId, report };
  const activeSensors: SensorInfo[] = [];
  const sensors = Array.isArray(data.activeSensors) ? data.activeSensors : [];
  sensors.forEach((entry, i) => {
    const at = `data.activeSensors[${i}]`;
    const raw = entry !== null && typeof entry === 'object' ? (entry as { sensor?: unknown }).sensor : entry;
    const s = lenientSensor(raw, { ...ctx, at, fieldPrefix: 'activeSensors' }, 'sensor', upstreamNow);
    if (s !== null) activeSensors.push(s);
  });
  const readings: Reading[] = [];
  data.graphData.forEach((point, i) => {
    const at = `data.graphData[${i}]`;
    const pointCtx = { ...ctx, at, fieldPrefix: 'graphData' };
    const r = lenientReading(point, pointCtx, { unit: connection.unit, type: 0 });
    if (r === null) return;
    if (r.timestamp > upstreamNow + FUTURE_TOLERANCE_MS) {
      const minutes = Math.round((r.timestamp - upstreamNow) / 60_000);
      report({
        patientId: connection.patientId,
        path: `${at}.FactoryTimestamp`,
        field: 'graphData.FactoryTimestamp',
        problem: `lies ${minutes} min after LibreLinkUp's clock; point ignored`,
      });
      return;
    }
    readings.push(r);
  });
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
