// Building blocks of the state file's JSON schemas: closed objects typed by the model, bounded
// numbers and strings, and the bounds every part shares (limits.ts for the physical ones).

import { EARLIEST_PLAUSIBLE_MS, GLUCOSE_MGDL } from '../librelinkup/limits.js';

/**
 * Latest timestamp accepted from the file. Not a freshness rule (a Pi without network time may run
 * hours behind the readings; the first upstream answer judges those): it keeps every timestamp a
 * valid Date, so formatting one can never throw.
 */
export const LATEST_PLAUSIBLE_MS = Date.UTC(2200, 0, 1);
/** Slugs form MQTT topics: [a-z0-9_] only (as slugify makes them), far below MQTT's topic limit. */
export const SLUG_MAX_CHARS = 128;
/** Display text only; the next upstream answer replaces it. Generous, so an older file stays usable. */
export const TEXT_MAX_CHARS = 1024;
/** A JWT is ~1 kB; anything far larger is not a token we wrote. */
export const TOKEN_MAX_CHARS = 16_384;
/** mmol/L bounds derived from the mg/dL ones (1 mmol/L = 18.0 mg/dL), with rounding slack. */
export const GLUCOSE_MMOL = {
  min: Math.floor((GLUCOSE_MGDL.min / 18.1) * 10) / 10,
  max: Math.ceil(GLUCOSE_MGDL.max / 18),
};
/** Readings the log may hold unacknowledged (a long broker outage at one per minute: ~70 days). */
export const OUTBOX_MAX = 100_000;
/** Samples kept by the cadence learner (it keeps 15); more means the file was not written by us. */
export const CADENCE_SAMPLES_MAX = 100;
export const WEEK_MS = 7 * 24 * 3_600_000;

export type Schema = Record<string, unknown>;

export function nullable(schema: Schema): Schema {
  if (Array.isArray(schema.enum)) return { ...schema, enum: [...schema.enum, null] };
  return { ...schema, type: [schema.type, 'null'] };
}
/**
 * A closed object: every listed property is checked, unlisted ones are removed on load. Typed by the
 * model, so a field added to a persisted type without a schema here fails to compile (it would
 * otherwise be removed on load, silently).
 */
export function obj<T>(
  required: Array<keyof T & string>,
  properties: { [K in keyof Required<T>]: Schema },
): Schema {
  return { type: 'object', required, properties, additionalProperties: false };
}
export function range(type: 'number' | 'integer', min: number, max: number): Schema {
  return { type, minimum: min, maximum: max };
}
export function text(max: number, minLength = 0): Schema {
  return { type: 'string', minLength, maxLength: max };
}

export const timestamp = range('integer', EARLIEST_PLAUSIBLE_MS, LATEST_PLAUSIBLE_MS);
/** A time read from this machine's clock (which may be anywhere): only a valid Date is required. */
export const localTime = range('number', 0, LATEST_PLAUSIBLE_MS);
export const unit = { enum: ['mg/dL', 'mmol/L'] };
export const mgdl = range('number', GLUCOSE_MGDL.min, GLUCOSE_MGDL.max);
/** Alarm thresholds: 0 can mean "off" upstream, so only a sane magnitude is required. */
export const threshold = nullable(range('number', 0, 1000));
