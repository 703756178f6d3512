// Repairs a state file read back from data_dir, part by part: nothing in it is trusted, and one bad
// value costs only its own part. A bad patient entry starts that patient afresh; a bad part of an
// entry (its log, alert memory, cadence, saved reading) is reset alone; a bad tombstone is forgotten.
// Pure: what was dropped comes back as notes for the store to log.

import { ID_MAX_CHARS } from '../librelinkup/limits.js';
import type { Reading, Session } from '../librelinkup/model.js';
import { EMPTY_ALERT_MEMORY } from './alerts.js';
import { EMPTY_CADENCE } from './cadence.js';
import { EMPTY_LOG, type Gap, inGap, type ReadingLog } from './outbox.js';
import type { PersistedAccount, PersistedPatient } from './persisted.js';
import { type StateSchemaName, stateProblem } from './state-schema.js';
import type { Tombstone } from './tombstones.js';

/** Something dropped or reset, for one warning line. */
export interface Note {
  fields: Record<string, unknown>;
  message: string;
}

/** A part of an entry that can start afresh on its own, and the value it starts with. */
interface Part {
  name: string;
  schema: StateSchemaName;
  path: readonly string[];
  empty: () => unknown;
}

const PARTS: readonly Part[] = [
  { name: 'latest reading', schema: 'latest', path: ['latest'], empty: () => null },
  { name: 'reading log', schema: 'log', path: ['log'], empty: () => ({ ...EMPTY_LOG, outbox: [] }) },
  { name: 'alert memory', schema: 'alerts', path: ['alerts'], empty: () => ({ ...EMPTY_ALERT_MEMORY }) },
  {
    name: 'cadence',
    schema: 'cadence',
    path: ['cadence'],
    empty: () => ({ periods: [...EMPTY_CADENCE.periods], lags: [...EMPTY_CADENCE.lags] }),
  },
  { name: 'sensor', schema: 'sensor', path: ['connection', 'sensor'], empty: () => null },
  { name: 'connection reading', schema: 'latest', path: ['connection', 'latest'], empty: () => null },
  {
    name: 'alarm thresholds',
    schema: 'alarms',
    path: ['connection', 'alarms'],
    empty: () => ({ highMgdl: null, lowMgdl: null, urgentLowMgdl: null }),
  },
  { name: 'device type', schema: 'deviceType', path: ['connection', 'deviceTypeId'], empty: () => null },
];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shortId(id: string): string {
  return `${id.slice(0, 8)}${id.length > 8 ? '…' : ''}`;
}

export interface Repaired {
  account: PersistedAccount;
  notes: Note[];
  /** the file was written for other account settings: its session is not reused */
  settingsChanged: boolean;
}

/** A document whose envelope is valid (state-schema.ts), repaired part by part. Mutates `parsed`. */
export function repairAccount(parsed: Json & { patients: Json }, fingerprint: string): Repaired {
  const notes: Note[] = [];
  let session: Session | null = null;
  const settingsChanged = parsed.fingerprint !== fingerprint;
  if (!settingsChanged) {
    const stored = parsed.session ?? null;
    const bad = stateProblem('session', stored);
    if (bad === null) session = stored as Session | null;
    else
      notes.push({
        fields: { path: `/session${bad.path}`, problem: bad.problem },
        message: `the saved LibreLinkUp session is unusable at /session${bad.path} (${bad.problem}); logging in again`,
      });
  }

  const patients: Array<[string, PersistedPatient]> = [];
  const slugs = new Set<string>();
  for (const [id, entry] of Object.entries(parsed.patients)) {
    const patient = repairPatient(id, entry, slugs, notes);
    if (patient === null) continue;
    slugs.add(patient.slug);
    patients.push([id, patient]);
  }
  const gone = repairGone(parsed.gone, notes);
  // fromEntries defines own properties: an id such as "__proto__" stays an ordinary key.
  const account: PersistedAccount = {
    fingerprint,
    session,
    patients: Object.fromEntries(patients),
    ...(gone !== undefined ? { gone } : {}),
  };
  return { account, notes, settingsChanged };
}

/** One patient entry, repaired part by part, or null when it cannot be used at all. */
function repairPatient(
  id: string,
  entry: unknown,
  slugs: Set<string>,
  notes: Note[],
): PersistedPatient | null {
  const short = shortId(id);
  const base = `/patients/${short}`;
  const slug = isObject(entry) && typeof entry.slug === 'string' ? entry.slug.slice(0, 64) : undefined;
  const who = slug !== undefined && /^[a-z0-9_]+$/.test(slug) ? `${slug} (${short})` : short;
  const drop = (path: string, problem: string): null => {
    notes.push({
      fields: { patient: who, path: `${base}${path}`, problem },
      message: `the saved state of patient ${who} is unusable at ${base}${path} (${problem}); that patient starts afresh (its latest reading may be published again)`,
    });
    return null;
  };
  if (id.length > ID_MAX_CHARS) return drop('', `the patient id is longer than ${ID_MAX_CHARS} characters`);
  const core = stateProblem('patientCore', entry);
  if (core !== null) return drop(core.path, core.problem);
  const patient = entry as Json & { slug: string; connection: Json };
  if (patient.connection.patientId !== id)
    return drop('/connection/patientId', "differs from the entry's id");
  if (slugs.has(patient.slug)) return drop('/slug', 'is already used by another patient in this file');

  const reset: string[] = [];
  let first: { path: string; problem: string } | null = null;
  for (const part of PARTS) {
    const holder = part.path.length === 1 ? patient : patient.connection;
    const key = part.path[part.path.length - 1]!;
    const bad = stateProblem(part.schema, holder[key]);
    if (bad === null) continue;
    holder[key] = part.empty();
    reset.push(part.name);
    first ??= { path: `/${part.path.join('/')}${bad.path}`, problem: bad.problem };
  }
  normaliseLog(patient.log as unknown as ReadingLog);
  const whole = stateProblem('patient', patient);
  if (whole !== null) return drop(whole.path, whole.problem);
  if (first !== null)
    notes.push({
      fields: { patient: who, path: `${base}${first.path}`, problem: first.problem, reset },
      message: `part of the saved state of patient ${who} is unusable at ${base}${first.path} (${first.problem}); starting afresh: ${reset.join(', ')}`,
    });
  return patient as unknown as PersistedPatient;
}

/** Removed people's memory (tombstones.ts): each entry checked alone, a bad one dropped. */
function repairGone(value: unknown, notes: Note[]): Record<string, Tombstone> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    notes.push({
      fields: { path: '/gone', problem: 'must be object' },
      message: 'the memory of removed patients is unusable at /gone (must be object); it starts afresh',
    });
    return undefined;
  }
  const kept: Array<[string, Tombstone]> = [];
  for (const [id, entry] of Object.entries(value)) {
    const bad =
      id.length > ID_MAX_CHARS ? { path: '', problem: 'id too long' } : stateProblem('tombstone', entry);
    if (bad === null) kept.push([id, entry as Tombstone]);
    else {
      const short = shortId(id);
      notes.push({
        fields: { path: `/gone/${short}${bad.path}`, problem: bad.problem },
        message: `the memory of removed patient ${short} is unusable at /gone/${short}${bad.path} (${bad.problem}); forgotten (if they come back, their latest reading may be published again)`,
      });
    }
  }
  return Object.fromEntries(kept);
}

/**
 * The bridge only ever appends readings in order, but a file edited by hand may not: sort and
 * dedupe the outbox, and drop what is already published (live readings up to the watermark, gap
 * readings up to the gap's own), so the log's rules hold.
 */
function normaliseLog(log: ReadingLog): void {
  if (!isObject(log) || !Array.isArray(log.outbox)) return;
  const watermark = typeof log.lastPublishedTs === 'number' ? log.lastPublishedTs : Number.NEGATIVE_INFINITY;
  const gap = isObject(log.gap) ? (log.gap as Gap) : null;
  const gapMark = typeof gap?.publishedUntil === 'number' ? gap.publishedUntil : Number.NEGATIVE_INFINITY;
  const pending = (t: number) => (inGap(gap, t) ? t > gapMark : t > watermark);
  const byTime = new Map<number, Reading>();
  for (const r of log.outbox)
    if (isObject(r) && typeof r.timestamp === 'number' && pending(r.timestamp) && !byTime.has(r.timestamp))
      byTime.set(r.timestamp, r);
  log.outbox = [...byTime.values()].sort((a, b) => a.timestamp - b.timestamp);
}
