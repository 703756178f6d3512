// The per-person history in data_dir: appended line by line, compacted from memory, validated line by
// line on load (a bad line costs only itself), never throwing.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_HISTORY } from '../../src/bridge/history.js';
import { HistoryStore } from '../../src/bridge/history-store.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { captureLogs } from '../helpers/logs.js';
import { reading, T0 } from './fixtures.js';

const MIN = 60_000;
const dir = () => mkdtempSync(join(tmpdir(), 'llu-history-'));
const only = (d: string) => {
  const files = readdirSync(d).filter((f) => f.startsWith('history-'));
  expect(files).toHaveLength(1);
  return join(d, files[0]!);
};

describe('history store', () => {
  it('appends readings and loads them back, in a 0600 file named by a hash of the id', () => {
    const d = dir();
    const store = new HistoryStore(d, silentLogger());
    const rs = [reading(T0, 100), reading(T0 + MIN, 101)];
    store.append('../odd/id', rs, rs);
    store.append('../odd/id', [reading(T0 + 2 * MIN, 102)], rs);
    const file = only(d);
    expect(file).toMatch(/history-[0-9a-f]{24}\.jsonl$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(new HistoryStore(d, silentLogger()).load('../odd/id', 'p').map((r) => r.mgdl)).toEqual([
      100, 101, 102,
    ]);
  });

  it('appends only what the file does not hold: a graph read twice, or again after a restart, adds nothing', () => {
    const d = dir();
    const store = new HistoryStore(d, silentLogger());
    const graph = Array.from({ length: 12 }, (_, i) => reading(T0 + i * 5 * MIN, 100 + i, { type: 0 }));
    store.append('p1', graph, graph);
    store.append('p1', graph, graph);
    const count = () => readFileSync(only(d), 'utf8').split('\n').filter(Boolean).length;
    expect(count()).toBe(12);
    // A live reading at a minute the graph already gave wins that minute: it is written.
    const live = reading(T0 + 5 * MIN + 20_000, 106, { type: 1 });
    store.append('p1', [...graph, live], graph);
    expect(count()).toBe(13);
    const again = new HistoryStore(d, silentLogger());
    const loaded = again.load('p1', 'p');
    again.append('p1', [...graph, live], loaded);
    expect(count()).toBe(13);
    again.append('p1', [reading(T0 + 61 * MIN, 120)], loaded);
    expect(count()).toBe(14);
  });

  it('skips bad lines with one warning and keeps the others', () => {
    const d = dir();
    const store = new HistoryStore(d, silentLogger());
    store.append('p1', [reading(T0, 100)], []);
    const file = only(d);
    writeFileSync(
      file,
      `${readFileSync(file, 'utf8')}not json\n{"timestamp":"x","mgdl":"120"}\n${JSON.stringify(reading(T0 + MIN, 130))}\n`,
    );
    const { capture, destination } = captureLogs();
    const loaded = new HistoryStore(d, createLogger({ level: 'info', destination })).load('p1', 'anna');
    expect(loaded.map((r) => r.mgdl)).toEqual([100, 130]);
    expect(capture.lines.filter((l) => l.includes('unusable line'))).toHaveLength(1);
  });

  it('rewrites the file from memory once it has grown far past the history', () => {
    const d = dir();
    const store = new HistoryStore(d, silentLogger());
    const kept = [reading(T0, 100)];
    for (let i = 0; i < 2 * MAX_HISTORY + 5; i++) store.append('p1', [reading(T0 + i * MIN, 100)], kept);
    const lines = readFileSync(only(d), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeLessThan(MAX_HISTORY);
  });

  it('any bytes as the file: load never throws and returns only valid readings (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.uint8Array().map((b) => Buffer.from(b).toString('latin1')),
        ),
        (text) => {
          const d = dir();
          const store = new HistoryStore(d, silentLogger());
          store.append('p1', [reading(T0, 100)], []);
          writeFileSync(only(d), text);
          const loaded = new HistoryStore(d, silentLogger()).load('p1', 'p');
          for (const r of loaded) {
            expect(Number.isFinite(r.mgdl)).toBe(true);
            expect(Number.isFinite(r.timestamp)).toBe(true);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('a data_dir that cannot be written is reported once, not per reading', () => {
    const d = dir();
    const blocked = join(d, 'file-in-the-way');
    writeFileSync(blocked, 'x');
    const { capture, destination } = captureLogs();
    const store = new HistoryStore(join(blocked, 'data'), createLogger({ level: 'info', destination }));
    for (let i = 0; i < 5; i++) store.append('p1', [reading(T0 + i * MIN, 100)], []);
    expect(capture.lines.filter((l) => l.includes('cannot write the history'))).toHaveLength(1);
  });
});
