// JSON schemas for every LibreLinkUp body we read. They check only the fields we use, with strict
// types, and tolerate everything else: upstream keeps adding fields, and many of its fields may be
// null or absent (invitations, emailDay, sensor, glucoseMeasurement, patientDevice.u, alarmRules.c).
// Validators are compiled once, on first use, so importing this module costs nothing.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LluError } from './errors.js';

export interface RawGlucoseItem {
  FactoryTimestamp: string;
  ValueInMgPerDl: number;
  Value?: number | null;
  GlucoseUnits?: 0 | 1 | null;
  TrendArrow?: number | null;
  MeasurementColor?: number | null;
  type?: number | null;
  isHigh?: boolean | null;
  isLow?: boolean | null;
}

/** A logbook entry: type 2 (alarm event) entries may carry no glucose value. */
export type RawLogbookItem = Omit<RawGlucoseItem, 'ValueInMgPerDl'> & { ValueInMgPerDl?: number };

export interface RawSensor {
  sn: string;
  a: number;
  w?: number | null;
  pt?: number | null;
}

interface RawThreshold {
  th?: number | null;
}

export interface RawConnection {
  id: string;
  patientId: string;
  firstName: string;
  lastName: string;
  targetLow: number;
  targetHigh: number;
  uom: 0 | 1;
  sensor?: RawSensor | null;
  alarmRules?: { h?: RawThreshold | null; l?: RawThreshold | null; f?: RawThreshold | null } | null;
  glucoseMeasurement?: RawGlucoseItem | null;
  patientDevice?: { dtid?: number | null; fixedLowAlarmValues?: { mgdl?: number | null } | null } | null;
}

export interface RawEnvelope {
  status: number;
  ticket?: unknown;
}

export interface RawConnectionsResponse extends RawEnvelope {
  data: RawConnection[];
}

export interface RawGraphResponse extends RawEnvelope {
  data: {
    connection: RawConnection;
    activeSensors?: Array<{ sensor?: RawSensor | null }> | null;
    graphData: RawGlucoseItem[];
  };
}

export interface RawLogbookResponse extends RawEnvelope {
  data: RawLogbookItem[];
}

export interface RawLoginSuccess {
  status: 0;
  data: { user: { id: string; uom?: string | null }; authTicket: { token: string; expires: number } };
}

export interface RawLoginRedirect {
  status: 0;
  data: { redirect: true; region: string };
}

export interface RawLoginStep {
  status: 4;
  data: { step: { type: string }; authTicket: { token: string; expires: number } };
}

export interface RawVersionError {
  status: 920;
  data: { minimumVersion: string };
}

export interface RawLockout {
  status: 429;
  data: { data: { lockout: number } };
}

type Schema = Record<string, unknown>;

// Nullable by widening `type` (not anyOf), so the first error names the real problem, not "must be null".
function nullable(schema: Schema): Schema {
  if (Array.isArray(schema.enum)) return { ...schema, enum: [...schema.enum, null] };
  return { ...schema, type: [schema.type, 'null'] };
}
function int(minimum?: number, maximum?: number): Schema {
  return {
    type: 'integer',
    ...(minimum === undefined ? {} : { minimum }),
    ...(maximum === undefined ? {} : { maximum }),
  };
}
function obj(required: string[], properties: Record<string, Schema>): Schema {
  return { type: 'object', required, properties };
}
const num: Schema = { type: 'number' };
const optNum = nullable(num);

const glucoseProps = {
  FactoryTimestamp: { type: 'string' },
  ValueInMgPerDl: num,
  Value: optNum,
  GlucoseUnits: nullable({ enum: [0, 1] }),
  TrendArrow: nullable(int(0, 5)),
  MeasurementColor: nullable(int()),
  type: nullable(int()),
  isHigh: nullable({ type: 'boolean' }),
  isLow: nullable({ type: 'boolean' }),
};
const glucoseItem = obj(['FactoryTimestamp', 'ValueInMgPerDl'], glucoseProps);
const logbookItem = {
  ...obj(['FactoryTimestamp'], glucoseProps),
  // Type 2 entries are alarm events that may carry only timestamps; every other entry needs a value.
  if: obj(['type'], { type: { const: 2 } }),
  else: { required: ['ValueInMgPerDl'] },
};
const sensor = obj(['sn', 'a'], { sn: { type: 'string' }, a: num, w: optNum, pt: optNum });
const threshold = nullable(obj([], { th: optNum }));
const connection = obj(['id', 'patientId', 'firstName', 'lastName', 'targetLow', 'targetHigh', 'uom'], {
  id: { type: 'string' },
  patientId: { type: 'string', minLength: 1 },
  firstName: { type: 'string' },
  lastName: { type: 'string' },
  targetLow: num,
  targetHigh: num,
  uom: { enum: [0, 1] },
  sensor: nullable(sensor),
  alarmRules: nullable(obj([], { h: threshold, l: threshold, f: threshold })),
  glucoseMeasurement: nullable(glucoseItem),
  patientDevice: nullable(
    obj([], { dtid: nullable(int()), fixedLowAlarmValues: nullable(obj([], { mgdl: optNum })) }),
  ),
});
const authTicket = obj(['token', 'expires'], { token: { type: 'string', minLength: 1 }, expires: num });

const schemas = {
  envelope: obj(['status'], { status: int() }),
  glucoseItem,
  connection,
  connections: obj(['status', 'data'], { status: { const: 0 }, data: { type: 'array', items: connection } }),
  graph: obj(['status', 'data'], {
    status: { const: 0 },
    data: obj(['connection', 'graphData'], {
      connection,
      activeSensors: nullable({ type: 'array', items: obj([], { sensor: nullable(sensor) }) }),
      graphData: { type: 'array', items: glucoseItem },
    }),
  }),
  logbook: obj(['status', 'data'], { status: { const: 0 }, data: { type: 'array', items: logbookItem } }),
  // Only the envelope: entries are read field by field (lenient.ts) so one bad entry costs only itself.
  connectionsEnvelope: obj(['status', 'data'], { status: { const: 0 }, data: { type: 'array' } }),
  graphEnvelope: obj(['status', 'data'], {
    status: { const: 0 },
    data: obj(['connection', 'graphData'], {
      connection: { type: 'object' },
      activeSensors: nullable({ type: 'array' }),
      graphData: { type: 'array' },
    }),
  }),
  loginSuccess: obj(['status', 'data'], {
    status: { const: 0 },
    data: obj(['user', 'authTicket'], {
      user: obj(['id'], { id: { type: 'string', minLength: 1 }, uom: nullable({ type: 'string' }) }),
      authTicket,
    }),
  }),
  loginRedirect: obj(['status', 'data'], {
    status: { const: 0 },
    data: obj(['redirect', 'region'], { redirect: { const: true }, region: { type: 'string' } }),
  }),
  loginStep: obj(['status', 'data'], {
    status: { const: 4 },
    data: obj(['step', 'authTicket'], { step: obj(['type'], { type: { type: 'string' } }), authTicket }),
  }),
  messageError: obj(['message'], { message: { type: 'string' } }),
  statusError: obj(['status', 'error'], {
    status: int(),
    error: obj(['message'], { message: { type: 'string' } }),
  }),
  versionError: obj(['status', 'data'], {
    status: { const: 920 },
    data: obj(['minimumVersion'], { minimumVersion: { type: 'string' } }),
  }),
  lockout: obj(['status', 'data'], {
    status: { const: 429 },
    data: obj(['data'], { data: obj(['lockout'], { lockout: num, failures: optNum, interval: optNum }) }),
  }),
} as const;

export interface SchemaTypes {
  envelope: RawEnvelope;
  glucoseItem: RawGlucoseItem;
  connection: RawConnection;
  connections: RawConnectionsResponse;
  graph: RawGraphResponse;
  logbook: RawLogbookResponse;
  connectionsEnvelope: RawEnvelope & { data: unknown[] };
  graphEnvelope: RawEnvelope & {
    data: { connection: Record<string, unknown>; activeSensors?: unknown[] | null; graphData: unknown[] };
  };
  loginSuccess: RawLoginSuccess;
  loginRedirect: RawLoginRedirect;
  loginStep: RawLoginStep;
  messageError: { message: string };
  statusError: { status: number; error: { message: string } };
  versionError: RawVersionError;
  lockout: RawLockout;
}

export type SchemaName = keyof typeof schemas & keyof SchemaTypes;

let ajv: Ajv | null = null;
const compiled = new Map<SchemaName, ValidateFunction>();

function validator(name: SchemaName): ValidateFunction {
  let fn = compiled.get(name);
  if (fn === undefined) {
    ajv ??= new Ajv({ allErrors: false, strict: false });
    fn = ajv.compile(schemas[name]);
    compiled.set(name, fn);
  }
  return fn;
}

/** True when `body` matches the schema; narrows its type. */
export function matches<N extends SchemaName>(name: N, body: unknown): body is SchemaTypes[N] {
  return validator(name)(body) === true;
}

/** Path and rule of the first schema error, never the offending value (it may be personal data). */
export function describeSchemaError(error: ErrorObject | undefined): string {
  if (error === undefined) return 'does not match the expected shape';
  const path = error.instancePath === '' ? '(body)' : error.instancePath;
  const missing = error.keyword === 'required' ? ` (${String(error.params.missingProperty)})` : '';
  return `${path} ${error.message ?? 'is invalid'}${missing}`;
}

/** Validates `body` or throws LluError 'malformed' naming the endpoint and the first error path. */
export function expectShape<N extends SchemaName>(name: N, body: unknown, endpoint: string): SchemaTypes[N] {
  const fn = validator(name);
  if (fn(body) === true) return body as SchemaTypes[N];
  throw new LluError(
    'malformed',
    `LibreLinkUp ${endpoint} answer has an unexpected shape: ${describeSchemaError(fn.errors?.[0])}`,
    { endpoint },
  );
}
