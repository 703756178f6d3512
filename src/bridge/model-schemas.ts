// Schemas of what the state file keeps of LibreLinkUp's answers: readings, the connection (patient,
// sensor, alarm thresholds) and the session. Bounds are the parser's, never tighter (state-schema.ts).

import { ID_MAX_CHARS, TARGET_MGDL } from '../librelinkup/limits.js';
import {
  type AlarmThresholds,
  type Connection,
  type Reading,
  type SensorInfo,
  type Session,
  TRENDS,
} from '../librelinkup/model.js';
import {
  GLUCOSE_MMOL,
  mgdl,
  nullable,
  obj,
  range,
  type Schema,
  TEXT_MAX_CHARS,
  TOKEN_MAX_CHARS,
  text,
  threshold,
  timestamp,
  unit,
} from './schema-kit.js';

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
export const nullableReading: Schema = nullable(readingSchema);

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
export const connectionCore = {
  patientId: text(ID_MAX_CHARS, 1),
  connectionId: text(ID_MAX_CHARS),
  firstName: text(TEXT_MAX_CHARS),
  lastName: text(TEXT_MAX_CHARS),
  unit,
  targetLowMgdl: range('number', TARGET_MGDL.min, TARGET_MGDL.max),
  targetHighMgdl: range('number', TARGET_MGDL.min, TARGET_MGDL.max),
};
export const connectionSchema = obj<Connection>(
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
