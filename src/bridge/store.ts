// Persistence in data_dir: one JSON file per account holding the session (so a restart does not log
// in again) and, per patient, the reading log, last alert state, cadence and topic slug (so a restart
// neither repeats nor skips a reading, and topics never move). Files are 0600 in a 0700 directory
// and replaced atomically (write a temporary file, then rename). A corrupt file is logged, kept
// aside and replaced: losing it costs a login, never the bridge.

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection, Reading, Session } from '../librelinkup/model.js';
import type { Logger } from '../log.js';
import type { AlertMemory } from './alerts.js';
import type { Cadence } from './cadence.js';
import type { ReadingLog } from './outbox.js';

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
  /** people removed lately, shared by all accounts (people.ts Tombstone; checked where merged) */
  gone?: Record<string, unknown>;
}

const FORMAT = 1;

export class AccountStore {
  private readonly file: string;

  constructor(
    private readonly dataDir: string,
    accountKey: string,
    private readonly logger: Logger,
  ) {
    this.file = join(dataDir, `${accountKey}.json`);
  }

  load(fingerprint: string): PersistedAccount {
    const empty: PersistedAccount = { fingerprint, session: null, patients: {} };
    if (!existsSync(this.file)) return empty;
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as {
        format?: number;
      } & Partial<PersistedAccount>;
      if (parsed.format !== FORMAT || typeof parsed.patients !== 'object' || parsed.patients === null) {
        throw new Error(`unexpected format ${String(parsed.format)}`);
      }
      const session = parsed.fingerprint === fingerprint ? (parsed.session ?? null) : null;
      if (parsed.fingerprint !== fingerprint)
        this.logger.info('account settings changed: stored session not reused');
      return {
        fingerprint,
        session,
        patients: parsed.patients,
        ...(parsed.gone ? { gone: parsed.gone } : {}),
      };
    } catch (error) {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      this.logger.warn(
        { file: this.file, aside, reason: (error as Error).message },
        'state file is unreadable; starting afresh (one extra login) and keeping the old file aside',
      );
      try {
        renameSync(this.file, aside);
      } catch {
        // keeping it aside is a courtesy; the new file replaces it either way
      }
      return empty;
    }
  }

  save(state: PersistedAccount): void {
    ensurePrivateDir(this.dataDir);
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, ...state }), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}

export function ensurePrivateDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}
