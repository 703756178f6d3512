// Reading single fields of an unvalidated LibreLinkUp body: each bad field is reported as a DataIssue
// naming its JSON path and costs only itself (absent, null or a default). Values are echoed only cut
// short, and never for names (personal data).

import { ID_MAX_CHARS, NAME_MAX_CHARS } from './limits.js';
import type { DataIssue, GlucoseUnit } from './model.js';

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

export function typeOf(value: unknown): string {
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

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function absent(value: unknown): boolean {
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
export function nameAt(raw: Record<string, unknown>, key: string, ctx: EntryContext): string {
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
export function optionalNumber(
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

export function unitFromCode(code: unknown): GlucoseUnit | null {
  if (code === 1) return 'mg/dL';
  if (code === 0) return 'mmol/L';
  return null;
}

export function booleanAt(raw: Record<string, unknown>, key: string, ctx: EntryContext): boolean {
  const value = raw[key];
  if (absent(value) || typeof value === 'boolean') return value === true;
  report(ctx, key, `is ${shown(value)}, not true or false; taken as false`);
  return false;
}

export function record(
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
