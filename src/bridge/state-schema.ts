// JSON schemas for the state file in data_dir (see store.ts). Every field the bridge reads back is
// checked with a strict type and, where one exists, a physical bound (limits.ts): a value outside
// them was not written by this bridge, and trusting it could crash a start or hide a reading.
// Objects lose properties the schema does not name (removeAdditional), so nothing unchecked rides
// along into the poller. Validators are compiled once, on first use.
//
// The schema must accept everything the bridge itself writes (anything the parser accepts), or a
// restart would throw away good state: bounds here are the parser's bounds, never tighter. The
// parts kept of LibreLinkUp's answers are in model-schemas.ts, the building blocks in schema-kit.ts.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ID_MAX_CHARS } from '../librelinkup/limits.js';
import type { AlertMemory } from './alerts.js';
import type { Cadence } from './cadence.js';
import {
  alarmsSchema,
  connectionCore,
  connectionSchema,
  deviceTypeSchema,
  nullableReading,
  readingSchema,
  sensorSchema,
  sessionSchema,
} from './model-schemas.js';
import type { Gap, ReadingLog } from './outbox.js';
import type { PersistedPatient } from './persisted.js';
import {
  CADENCE_SAMPLES_MAX,
  localTime,
  nullable,
  OUTBOX_MAX,
  obj,
  range,
  type Schema,
  SLUG_MAX_CHARS,
  text,
  timestamp,
  WEEK_MS,
} from './schema-kit.js';
import type { Tombstone } from './tombstones.js';

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
