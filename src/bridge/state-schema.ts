// JSON schemas for the state file in data_dir (see store.ts). Every field the bridge reads back is
// checked with a strict type and, where one exists, a physical bound (limits.ts): a value outside
// them was not written by this bridge, and trusting it could crash a start or hide a reading.
// Objects lose properties the schema does not name (removeAdditional), so nothing unchecked rides
// along into the poller. Validators are compiled once, on first use.
//
// The schema must accept everything the bridge itself writes (anything the parser accepts), or a
// restart would throw away good state: bounds here are the parser's bounds, never tighter.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { EARLIEST_PLAUSIBLE_MS, GLUCOSE_MGDL, ID_MAX_CHARS, TARGET_MGDL } from '../librelinkup/limits.js';
import {
  type AlarmThresholds,
  type Connection,
  type Reading,
  type SensorInfo,
  type Session,
  TRENDS,
} from '../librelinkup/model.js';
import type { AlertMemory } from './alerts.js';
import type { Cadence } from './cadence.js';
import type { Gap, ReadingLog } from './outbox.js';
import type { PersistedPatient } from './persisted.js';
import type { Tombstone } from './tombstones.js';

/**
 * Latest timestamp accepted from the file. Not a freshness rule (a Pi without network time may run
 * hours behind the readings; the first upstream answer judges those): it keeps every timestamp a
 * valid Date, so formatting one can never throw.
 */
export const LATEST_PLAUSIBLE_MS = Date.UTC(2200, 0, 1);
/** Slugs form MQTT topics: [a-z0-9_] only (as slugify makes them), far below MQTT's topic limit. */
export const SLUG_MAX_CHARS = 128;
/** Display text only; the next upstream answer replaces it. Generous, so an older file stays usable. */
const TEXT_MAX_CHARS = 1024;
/** A JWT is ~1 kB; anything far larger is not a token we wrote. */
const TOKEN_MAX_CHARS = 16_384;
/** mmol/L bounds derived from the mg/dL ones (1 mmol/L = 18.0 mg/dL), with rounding slack. */
const GLUCOSE_MMOL = {
  min: Math.floor((GLUCOSE_MGDL.min / 18.1) * 10) / 10,
  max: Math.ceil(GLUCOSE_MGDL.max / 18),
};
/** Readings the log may hold unacknowledged (a long broker outage at one per minute: ~70 days). */
const OUTBOX_MAX = 100_000;
/** Samples kept by the cadence learner (it keeps 15); more means the file was not written by us. */
const CADENCE_SAMPLES_MAX = 100;
const WEEK_MS = 7 * 24 * 3_600_000;

type Schema = Record<string, unknown>;

function nullable(schema: Schema): Schema {
  if (Array.isArray(schema.enum)) return { ...schema, enum: [...schema.enum, null] };
  return { ...schema, type: [schema.type, 'null'] };
}
/**
 * A closed object: every listed property is checked, unlisted ones are removed on load. Typed by the
 * model, so a field added to a persisted type without a schema here fails to compile (it would
 * otherwise be removed on load, silently).
 */
function obj<T>(required: Array<keyof T & string>, properties: { [K in keyof Required<T>]: Schema }): Schema {
  return { type: 'object', required, properties, additionalProperties: false };
}
function range(type: 'number' | 'integer', min: number, max: number): Schema {
  return { type, minimum: min, maximum: max };
}
function text(max: number, minLength = 0): Schema {
  return { type: 'string', minLength, maxLength: max };
}

const timestamp = range('integer', EARLIEST_PLAUSIBLE_MS, LATEST_PLAUSIBLE_MS);
/** A time read from this machine's clock (which may be anywhere): only a valid Date is required. */
const localTime = range('number', 0, LATEST_PLAUSIBLE_MS);
const unit = { enum: ['mg/dL', 'mmol/L'] };
const mgdl = range('number', GLUCOSE_MGDL.min, GLUCOSE_MGDL.max);
/** Alarm thresholds: 0 can mean "off" upstream, so only a sane magnitude is required. */
const threshold = nullable(range('number', 0, 1000));

export const readingSchema: Schema = {
  ...obj<Reading>(
    ['timestamp', 'mgdl', 'value', 'unit', 'trend', 'isHigh', 'isLow', 'measurementColor', 'type'],
    {
      timestamp,
      mgdl,
      value: { type: 'number' },
      unit,
      trend: nullable({ enum: [...TRENDS] }),
      isHigh: { type: 'boolean' },
      isLow: { type: 'boolean' },
      measurementColor: nullable({ type: 'integer' }),
      type: { type: 'integer' },
    },
  ),
  // `value` is in the reading's own unit, so its bounds depend on it.
  if: { properties: { unit: { const: 'mmol/L' } } },
  // biome-ignore lint/suspicious/noThenProperty: a JSON schema keyword, never awaited
  then: { properties: { value: range('number', GLUCOSE_MMOL.min, GLUCOSE_MMOL.max) } },
  else: { properties: { value: mgdl } },
};
// Nullable by widening `type` (not anyOf), so the first error names the real problem.
const nullableReading: Schema = nullable(readingSchema);

export const sensorSchema: Schema = nullable(
  obj<SensorInfo>(['serial', 'activatedAt', 'warmupMinutes', 'productType'], {
    serial: text(ID_MAX_CHARS),
    activatedAt: timestamp,
    warmupMinutes: nullable({ type: 'number' }),
    productType: nullable({ type: 'number' }),
  }),
);
export const alarmsSchema: Schema = obj<AlarmThresholds>(['highMgdl', 'lowMgdl', 'urgentLowMgdl'], {
  highMgdl: threshold,
  lowMgdl: threshold,
  urgentLowMgdl: threshold,
});
export const deviceTypeSchema: Schema = nullable({ type: 'integer' });

/** What identifies and names the patient: without it the entry is unusable. */
const connectionCore = {
  patientId: text(ID_MAX_CHARS, 1),
  connectionId: text(ID_MAX_CHARS),
  firstName: text(TEXT_MAX_CHARS),
  lastName: text(TEXT_MAX_CHARS),
  unit,
  targetLowMgdl: range('number', TARGET_MGDL.min, TARGET_MGDL.max),
  targetHighMgdl: range('number', TARGET_MGDL.min, TARGET_MGDL.max),
};
const connectionSchema = obj<Connection>(
  [
    'patientId',
    'connectionId',
    'firstName',
    'lastName',
    'unit',
    'targetLowMgdl',
    'targetHighMgdl',
    'sensor',
    'latest',
    'alarms',
    'deviceTypeId',
  ],
  {
    ...connectionCore,
    sensor: sensorSchema,
    latest: nullableReading,
    alarms: alarmsSchema,
    deviceTypeId: deviceTypeSchema,
  },
);

export const logSchema: Schema = obj<ReadingLog>(['lastPublishedTs', 'outbox', 'gap'], {
  lastPublishedTs: nullable(timestamp),
  outbox: { type: 'array', maxItems: OUTBOX_MAX, items: readingSchema },
  gap: nullable(
    obj<Gap>(['from', 'to', 'coveredUntil', 'openedAt', 'nextGraphAt'], {
      from: timestamp,
      to: timestamp,
      coveredUntil: timestamp,
      openedAt: localTime,
      nextGraphAt: localTime,
      publishedUntil: timestamp,
      final: { type: 'boolean' },
    }),
  ),
});

export const alertsSchema: Schema = obj<AlertMemory>(['range', 'fastTrend', 'stale'], {
  range: nullable({ enum: ['urgent_low', 'low', 'in_range', 'high'] }),
  fastTrend: nullable({ enum: ['falling_quickly', 'rising_quickly'] }),
  stale: { type: 'boolean' },
  sensorSerial: nullable(text(ID_MAX_CHARS)),
  sensorEnded: { type: 'boolean' },
});

const sample = range('number', 0, WEEK_MS);
export const cadenceSchema: Schema = obj<Cadence>(['periods', 'lags'], {
  periods: { type: 'array', maxItems: CADENCE_SAMPLES_MAX, items: sample },
  lags: { type: 'array', maxItems: CADENCE_SAMPLES_MAX, items: sample },
  lagAim: sample,
  hitStreak: range('integer', 0, Number.MAX_SAFE_INTEGER),
  missStreak: range('integer', 0, Number.MAX_SAFE_INTEGER),
  aimStep: sample,
});

export const slugSchema: Schema = {
  type: 'string',
  minLength: 1,
  maxLength: SLUG_MAX_CHARS,
  pattern: '^[a-z0-9_]+$',
};

/** The parts of an entry without which it is unusable (the rest can start afresh on its own). */
export const patientCoreSchema: Schema = {
  type: 'object',
  required: ['slug', 'connection'],
  properties: {
    slug: slugSchema,
    connection: { type: 'object', required: Object.keys(connectionCore), properties: connectionCore },
  },
};

export const patientSchema: Schema = obj<PersistedPatient>(
  ['slug', 'connection', 'latest', 'log', 'alerts', 'cadence'],
  {
    slug: slugSchema,
    connection: connectionSchema,
    latest: nullableReading,
    log: logSchema,
    alerts: alertsSchema,
    cadence: cadenceSchema,
  },
);

export const tombstoneSchema: Schema = obj<Tombstone>(
  ['slug', 'latest', 'lastPublishedTs', 'alerts', 'removedAt'],
  {
    slug: slugSchema,
    latest: nullableReading,
    lastPublishedTs: nullable(timestamp),
    alerts: alertsSchema,
    removedAt: localTime,
  },
);

export const sessionSchema: Schema = nullable(
  obj<Session>(['token', 'expiresAt', 'accountIdHash', 'baseUrl', 'region', 'version', 'userUnit'], {
    // Sent as a header: printable ASCII only (a JWT is base64url and dots).
    token: { type: 'string', minLength: 1, maxLength: TOKEN_MAX_CHARS, pattern: '^[\\x21-\\x7e]+$' },
    expiresAt: { type: 'number' },
    accountIdHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    baseUrl: { type: 'string', maxLength: 2048, pattern: '^https?://[\\x21-\\x7e]+$' },
    region: nullable({ type: 'string', pattern: '^[a-z0-9-]{1,24}$' }),
    // as versions.ts accepts a version header
    version: { type: 'string', pattern: '^\\d{1,4}(\\.\\d{1,6}){0,3}$' },
    userUnit: nullable(unit),
  }),
);

/** The envelope: without a matching one the file as a whole is not ours. */
export const envelopeSchema: Schema = {
  type: 'object',
  required: ['format', 'patients'],
  properties: {
    format: { const: 1 },
    fingerprint: { type: 'string', maxLength: 256 },
    patients: { type: 'object' },
  },
};

/** The whole file as load() returns it (without `format`), for tests and a final check. */
export const accountSchema: Schema = {
  type: 'object',
  required: ['fingerprint', 'session', 'patients'],
  additionalProperties: false,
  properties: {
    fingerprint: { type: 'string', maxLength: 256 },
    session: sessionSchema,
    patients: {
      type: 'object',
      propertyNames: { minLength: 1, maxLength: ID_MAX_CHARS },
      additionalProperties: patientSchema,
    },
    gone: {
      type: 'object',
      propertyNames: { minLength: 1, maxLength: ID_MAX_CHARS },
      additionalProperties: tombstoneSchema,
    },
  },
};

const schemas = {
  envelope: envelopeSchema,
  session: sessionSchema,
  patientCore: patientCoreSchema,
  patient: patientSchema,
  latest: nullableReading,
  log: logSchema,
  alerts: alertsSchema,
  cadence: cadenceSchema,
  sensor: sensorSchema,
  alarms: alarmsSchema,
  deviceType: deviceTypeSchema,
  account: accountSchema,
  tombstone: tombstoneSchema,
} as const;

export type StateSchemaName = keyof typeof schemas;

let ajv: Ajv | null = null;
const compiled = new Map<StateSchemaName, ValidateFunction>();

function validator(name: StateSchemaName): ValidateFunction {
  let fn = compiled.get(name);
  if (fn === undefined) {
    // removeAdditional: properties a closed object does not list are dropped, not refused.
    ajv ??= new Ajv({ allErrors: false, strict: false, removeAdditional: true });
    fn = ajv.compile(schemas[name]);
    compiled.set(name, fn);
  }
  return fn;
}

/**
 * Checks `value` against one part's schema. Returns null when it matches (unlisted properties are
 * removed from `value` in place), else the path and rule of the first problem, never the value
 * itself (it may be a token or personal data).
 */
export function stateProblem(
  name: StateSchemaName,
  value: unknown,
): { path: string; problem: string } | null {
  const fn = validator(name);
  if (fn(value) === true) return null;
  return describe(fn.errors?.[0]);
}

function describe(error: ErrorObject | undefined): { path: string; problem: string } {
  if (error === undefined) return { path: '', problem: 'does not match the expected shape' };
  if (error.keyword === 'required')
    return { path: `${error.instancePath}/${String(error.params.missingProperty)}`, problem: 'is missing' };
  return { path: error.instancePath, problem: error.message ?? 'is invalid' };
}
