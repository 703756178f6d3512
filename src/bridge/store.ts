// Persistence in data_dir: one JSON file per account holding the session (so a restart does not log
// in again) and, per patient, the reading log, last alert state, cadence and topic slug (so a restart
// neither repeats nor skips a reading, and topics never move). Files are 0600 in a 0700 directory
// and replaced atomically (write a temporary file, then rename).
//
// Nothing in the file is trusted: it is checked against state-schema.ts part by part, so one bad
// value costs only its own part. A file that is not ours as a whole is kept aside and replaced
// (one extra login); a bad patient entry starts that patient afresh; a bad part of an entry (its
// log, alert memory, cadence, saved reading) is reset alone. load() never throws: losing state
// costs a login or a repeated reading, never the bridge. A data_dir that cannot be written is
// reported once per outage, with the fix, and once more when writing works again.

import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { ID_MAX_CHARS } from '../librelinkup/limits.js';
import type { Connection, Reading, Session } from '../librelinkup/model.js';
import type { Logger } from '../log.js';
import { type AlertMemory, EMPTY_ALERT_MEMORY } from './alerts.js';
import { type Cadence, EMPTY_CADENCE } from './cadence.js';
import { EMPTY_LOG, type Gap, inGap, type ReadingLog } from './outbox.js';
import type { Tombstone } from './people.js';
import { type StateSchemaName, stateProblem } from './state-schema.js';

export interface PersistedPatient {
  slug: string;
  /** last connection seen, so a restart can show the patient (stale or not) before the first poll */
  connection: Connection;
  latest: Reading | null;
  log: ReadingLog;
  alerts: AlertMemory;
  cadence: Cadence;
}

export interface PersistedAccount {
  /** changes when e-mail, api_url or region change: the stored session is then not reused */
  fingerprint: string;
  session: Session | null;
  patients: Record<string, PersistedPatient>;
  /** people removed lately, shared by all accounts (people.ts), each entry checked on load */
  gone?: Record<string, Tombstone>;
}

const FORMAT = 1;
/** A state file holds a few kB per patient; anything this large was not written by the bridge. */
export const MAX_STATE_BYTES = 8 * 1024 * 1024;

/** The file operations save() uses; tests inject failures (a full disk cannot be made as root). */
export interface StoreFs {
  mkdirSync: typeof mkdirSync;
  writeFileSync: typeof writeFileSync;
  chmodSync: typeof chmodSync;
  renameSync: typeof renameSync;
  unlinkSync: typeof unlinkSync;
  statSync: typeof statSync;
  existsSync: typeof existsSync;
}

const realFs: StoreFs = {
  mkdirSync,
  writeFileSync,
  chmodSync,
  renameSync,
  unlinkSync,
  statSync,
  existsSync,
};

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

interface Note {
  fields: Record<string, unknown>;
  message: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class AccountStore {
  private readonly file: string;
  /** the error code of the write outage in progress (already reported), or null */
  private writeOutage: string | null = null;

  constructor(
    private readonly dataDir: string,
    accountKey: string,
    private readonly logger: Logger,
    private readonly fs: StoreFs = realFs,
  ) {
    this.file = join(dataDir, `${accountKey}.json`);
  }

  /** The saved state, every part of it valid; whatever is not is logged and left out. Never throws. */
  load(fingerprint: string): PersistedAccount {
    const empty: PersistedAccount = { fingerprint, session: null, patients: {} };
    try {
      return this.read(fingerprint) ?? empty;
    } catch (error) {
      // A bug of ours must not make every start fatal either.
      this.logger.error({ file: this.file, err: error }, 'could not load the state file; starting afresh');
      return empty;
    }
  }

  private read(fingerprint: string): PersistedAccount | null {
    this.removeStaleTemps();
    if (!existsSync(this.file)) return null;
    let raw: unknown;
    try {
      const size = statSync(this.file).size;
      if (size > MAX_STATE_BYTES) throw new Error(`${size} bytes, far more than a state file holds`);
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      this.setAside(`is unreadable (${errorText(error)})`);
      return null;
    }
    const shape = stateProblem('envelope', raw);
    if (shape !== null) {
      this.setAside(`has an unexpected shape at ${shape.path || '/'}: ${shape.problem}`);
      return null;
    }
    const parsed = raw as Json & { patients: Json };
    const notes: Note[] = [];

    let session: Session | null = null;
    if (parsed.fingerprint !== fingerprint) {
      this.logger.info('account settings changed: stored session not reused');
    } else {
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
      const patient = this.readPatient(id, entry, slugs, notes);
      if (patient === null) continue;
      slugs.add(patient.slug);
      patients.push([id, patient]);
    }

    const gone = readGone(parsed.gone, notes);

    if (notes.length > 0) {
      const aside = this.copyAside();
      for (const note of notes)
        this.logger.warn(
          { file: this.file, aside, ...note.fields },
          `state file ${this.file}: ${note.message}. The original is kept as ${aside ?? '(could not copy)'}`,
        );
    }
    // fromEntries defines own properties: an id such as "__proto__" stays an ordinary key.
    return {
      fingerprint,
      session,
      patients: Object.fromEntries(patients),
      ...(gone !== undefined ? { gone } : {}),
    };
  }

  /** One patient entry, repaired part by part, or null when it cannot be used at all. */
  private readPatient(
    id: string,
    entry: unknown,
    slugs: Set<string>,
    notes: Note[],
  ): PersistedPatient | null {
    const short = `${id.slice(0, 8)}${id.length > 8 ? '…' : ''}`;
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

  /** A process killed between write and rename leaves its temporary file: nothing reads it again. */
  private removeStaleTemps(): void {
    const prefix = `${basename(this.file)}.tmp-`;
    try {
      for (const name of readdirSync(this.dataDir))
        if (name.startsWith(prefix)) rmSync(join(this.dataDir, name), { force: true });
    } catch {
      // no data_dir yet, or not readable: save() reports what matters
    }
  }

  /** The whole file is not usable: keep it aside for diagnosis and start afresh. */
  private setAside(what: string): void {
    const aside = `${this.file}.corrupt-${Date.now()}`;
    let kept = true;
    try {
      renameSync(this.file, aside);
    } catch {
      kept = false; // keeping it aside is a courtesy; the new file replaces it either way
    }
    this.logger.warn(
      { file: this.file, aside: kept ? aside : null },
      `state file ${this.file} ${what}; starting afresh (one extra login, the latest readings may be published again)${kept ? ` and keeping the old file as ${aside}` : ''}`,
    );
  }

  /** Part of the file is dropped: keep the original for diagnosis (the next save replaces it). */
  private copyAside(): string | null {
    const aside = `${this.file}.corrupt-${Date.now()}`;
    try {
      copyFileSync(this.file, aside);
      chmodSync(aside, 0o600);
      return aside;
    } catch {
      return null;
    }
  }

  /**
   * Writes the state atomically. Never throws: a failure leaves no temporary file behind and is
   * logged once per outage (with the fix), its end once at info. Returns whether the state is saved.
   */
  save(state: PersistedAccount): boolean {
    const fs = this.fs;
    const tmp = `${this.file}.tmp-${process.pid}`;
    try {
      ensurePrivateDir(this.dataDir, fs);
      fs.writeFileSync(tmp, JSON.stringify({ format: FORMAT, ...state }), { mode: 0o600 });
      fs.chmodSync(tmp, 0o600);
      fs.renameSync(tmp, this.file);
    } catch (error) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // never created, or the directory itself is gone
      }
      this.reportWriteFailure(error);
      return false;
    }
    if (this.writeOutage !== null) {
      this.writeOutage = null;
      this.logger.info({ dir: this.dataDir }, `the state file in data_dir ${this.dataDir} is written again`);
    }
    return true;
  }

  private reportWriteFailure(error: unknown): void {
    const code = (error as NodeJS.ErrnoException)?.code ?? 'unknown';
    if (this.writeOutage === code) return;
    this.writeOutage = code;
    this.logger.error(
      { dir: this.dataDir, code, reason: errorText(error) },
      `cannot write the state file in data_dir ${this.dataDir}: ${writeFix(code, this.dataDir)}. The bridge keeps publishing; until this is fixed a restart logs in again and may publish the latest readings again. Reported once until it works again`,
    );
  }
}

/** Removed people's memory (people.ts tombstones): each entry checked alone, a bad one dropped. */
function readGone(value: unknown, notes: Note[]): Record<string, Tombstone> | undefined {
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
      const short = `${id.slice(0, 8)}${id.length > 8 ? '…' : ''}`;
      notes.push({
        fields: { path: `/gone/${short}${bad.path}`, problem: bad.problem },
        message: `the memory of removed patient ${short} is unusable at /gone/${short}${bad.path} (${bad.problem}); forgotten (if they come back, their latest reading may be published again)`,
      });
    }
  }
  return Object.fromEntries(kept);
}

function writeFix(code: string, dir: string): string {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full; free some space';
    case 'EACCES':
    case 'EPERM':
      return `permission denied; make ${dir} writable by the user running the bridge (chown it to that user, chmod 700)`;
    case 'EROFS':
      return `the file system is read-only; point data_dir to a writable directory or mount ${dir} read-write`;
    case 'ENOTDIR':
    case 'EEXIST':
    case 'EISDIR':
      return `a file is in the way; ${dir} (and every directory above it) must be a directory, and its state files regular files`;
    default:
      return `${code}; check that ${dir} exists, is writable by the user running the bridge and has free space`;
  }
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

export function ensurePrivateDir(dir: string, fs: StoreFs = realFs): void {
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.statSync(dir);
  if (!stat.isDirectory()) {
    // Never chmod a file that stands where the directory should be.
    throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
  }
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}
