// Each person's last ~24 h of readings in data_dir, so time in range, average, GMI and the chart are
// back at once after a restart (the graph alone gives ~12 h). One file per person, named by a hash of
// the patientId (no id reaches a path). Written incrementally: new readings are appended as JSON lines,
// minus what the file already holds (a graph read returns hours of points already written); when the
// file holds far more lines than the history keeps, it is rewritten atomically from the history in
// memory. Loaded like every state file: each line validated, a bad one costs only itself.

import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Reading } from '../librelinkup/model.js';
import type { Logger } from '../log.js';
import { MAX_HISTORY } from './history.js';
import { stateProblem } from './state-schema.js';
import { ensurePrivateDir, writeAtomic } from './store-fs.js';
import { WrittenMinutes } from './written-minutes.js';

/** A file past this many lines is compacted (rewritten from memory). */
const COMPACT_LINES = 2 * MAX_HISTORY;
/** Larger than any file we write (a line is ~200 bytes): anything bigger is not ours. */
const MAX_FILE_BYTES = 4 * COMPACT_LINES * 400;

export class HistoryStore {
  private readonly lines = new Map<string, number>();
  /** per person, what their file holds, so a reading already there is not appended again */
  private readonly written = new Map<string, WrittenMinutes>();
  private failing = false;

  constructor(
    private readonly dataDir: string,
    private readonly logger: Logger,
  ) {}

  private file(patientId: string): string {
    const id = createHash('sha256').update(patientId).digest('hex').slice(0, 24);
    return join(this.dataDir, `history-${id}.jsonl`);
  }

  /** The stored readings (any order, possibly repeated), every one valid. Never throws. */
  load(patientId: string, slug: string): Reading[] {
    const file = this.file(patientId);
    try {
      if (!existsSync(file)) return [];
      if (statSync(file).size > MAX_FILE_BYTES) throw new Error('far larger than a history file');
      const out: Reading[] = [];
      let bad = 0;
      const text = readFileSync(file, 'utf8');
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          bad += 1;
          continue;
        }
        if (value !== null && stateProblem('latest', value) === null) out.push(value as Reading);
        else bad += 1;
      }
      this.lines.set(patientId, out.length + bad);
      this.written.set(patientId, new WrittenMinutes(out));
      if (bad > 0)
        this.logger.warn(
          { patient: slug, file, bad_lines: bad },
          `history file of ${slug}: ${bad} unusable line(s) skipped; the other readings are kept`,
        );
      return out;
    } catch (error) {
      this.logger.warn(
        { patient: slug, file, reason: (error as Error).message },
        `history file of ${slug} is unreadable; the 24 h figures start from LibreLinkUp's graph`,
      );
      rmSync(file, { force: true });
      this.lines.set(patientId, 0);
      this.written.set(patientId, new WrittenMinutes([]));
      return [];
    }
  }

  /**
   * Appends those of `readings` the file does not hold yet; rewrites the file from `history` once it
   * has grown far past it. Never throws.
   */
  append(patientId: string, readings: readonly Reading[], history: readonly Reading[]): void {
    const written = this.written.get(patientId) ?? new WrittenMinutes([]);
    this.written.set(patientId, written);
    const fresh = written.unwritten(readings);
    if (fresh.length === 0) return;
    const file = this.file(patientId);
    try {
      const count = (this.lines.get(patientId) ?? 0) + fresh.length;
      if (count > COMPACT_LINES) {
        writeAtomic(this.dataDir, file, lines(history));
        this.lines.set(patientId, history.length);
        this.written.set(patientId, new WrittenMinutes(history));
      } else {
        ensurePrivateDir(this.dataDir);
        appendFileSync(file, lines(fresh), { mode: 0o600 });
        this.lines.set(patientId, count);
        written.add(fresh);
      }
      if (this.failing)
        this.logger.info({ dir: this.dataDir }, 'history files in data_dir are written again');
      this.failing = false;
    } catch (error) {
      // As for the state file, a failed rewrite leaves no temporary file behind (writeAtomic).
      if (this.failing) return;
      this.failing = true;
      this.logger.error(
        { dir: this.dataDir, reason: (error as Error).message },
        `cannot write the history in data_dir ${this.dataDir}; readings keep flowing, but after a restart the 24 h figures start from LibreLinkUp's graph. Reported once until it works again`,
      );
    }
  }
}

function lines(readings: readonly Reading[]): string {
  return readings.map((r) => `${JSON.stringify(r)}\n`).join('');
}
