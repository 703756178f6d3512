// Persistence in data_dir: one JSON file per account (persisted.ts), 0600 in a 0700 directory,
// replaced atomically (store-fs.ts). Written incrementally: saves that come in the same burst (one
// run of the event loop's microtasks) become one write, and a state identical to the file on disk is
// not written again; flush() writes what is pending at once (at stop).
//
// Nothing read back is trusted (state-repair.ts): a file that is not ours as a whole is kept aside
// and replaced (one extra login); a bad part costs only itself. load() never throws: losing state
// costs a login or a repeated reading, never the bridge. A data_dir that cannot be written is
// reported once per outage, with the fix, and once more when writing works again.

import {
  chmodSync,
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from '../log.js';
import type { PersistedAccount } from './persisted.js';
import { repairAccount } from './state-repair.js';
import { stateProblem } from './state-schema.js';
import { errorText, realFs, type StoreFs, TEMP_MARK, writeAtomic, writeFix } from './store-fs.js';

export type { PersistedAccount, PersistedPatient } from './persisted.js';
export { ensurePrivateDir, type StoreFs } from './store-fs.js';

const FORMAT = 1;
/** A state file holds a few kB per patient; anything this large was not written by the bridge. */
export const MAX_STATE_BYTES = 8 * 1024 * 1024;

export class AccountStore {
  private readonly file: string;
  /** the error code of the write outage in progress (already reported), or null */
  private writeOutage: string | null = null;
  /** the newest state saved and not yet written */
  private pending: PersistedAccount | null = null;
  /** the text last written to the file, so an unchanged state is not written again */
  private written: string | null = null;

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
    // A save still pending is what this store last meant to be on disk.
    this.flush();
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
    const { account, notes, settingsChanged } = repairAccount(
      raw as Record<string, unknown> & { patients: Record<string, unknown> },
      fingerprint,
    );
    if (settingsChanged) this.logger.info('account settings changed: stored session not reused');
    if (notes.length > 0) {
      const aside = this.copyAside();
      for (const note of notes)
        this.logger.warn(
          { file: this.file, aside, ...note.fields },
          `state file ${this.file}: ${note.message}. The original is kept as ${aside ?? '(could not copy)'}`,
        );
    }
    return account;
  }

  /** A process killed between write and rename leaves its temporary file: nothing reads it again. */
  private removeStaleTemps(): void {
    const prefix = `${basename(this.file)}${TEMP_MARK}`;
    try {
      for (const name of readdirSync(this.dataDir))
        if (name.startsWith(prefix)) rmSync(join(this.dataDir, name), { force: true });
    } catch {
      // no data_dir yet, or not readable: a write reports what matters
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
   * Saves the state: written once the current burst of saves is over (or at flush()), only if it
   * differs from the file. Never throws. Returns false while writes fail (see flush()).
   */
  save(state: PersistedAccount): boolean {
    const idle = this.pending === null;
    this.pending = state;
    if (idle) queueMicrotask(() => this.flush());
    return this.writeOutage === null;
  }

  /**
   * Writes the pending state now, atomically. Never throws: a failure leaves no temporary file
   * behind and is logged once per outage (with the fix), its end once at info. Returns whether the
   * newest saved state is on disk.
   */
  flush(): boolean {
    const state = this.pending;
    if (state === null) return this.writeOutage === null;
    this.pending = null;
    try {
      const text = JSON.stringify({ format: FORMAT, ...state });
      // Unchanged and still there: nothing to write (a file removed meanwhile is written again).
      if (text === this.written && this.fs.existsSync(this.file)) return true;
      this.written = null;
      writeAtomic(this.dataDir, this.file, text, this.fs);
      this.written = text;
    } catch (error) {
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
