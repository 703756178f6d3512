// The state file in data_dir: what a damaged file costs (only its damaged part). Writing it:
// store-writes.test.ts.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_STATE_BYTES, type PersistedAccount } from '../../src/bridge/store.js';
import { FP, fileText, twoPatientState } from './store-fixtures.js';
import { asides, setup, temps } from './store-setup.js';

/** The file text with one change applied to the parsed document. */
// biome-ignore lint/suspicious/noExplicitAny: the edits reach into arbitrary JSON on purpose
function edited(change: (doc: any) => void, state: PersistedAccount = twoPatientState()): string {
  const doc = JSON.parse(fileText(state));
  change(doc);
  return JSON.stringify(doc);
}

describe('AccountStore.load', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llu-store-'));
  });

  it('a file it wrote loads back unchanged, with no warning', () => {
    const { store, at } = setup(dir);
    const state = twoPatientState();
    expect(store.save(state)).toBe(true);
    expect(store.load(FP)).toEqual(state);
    expect(at('warn')).toEqual([]);
    expect(asides(dir)).toEqual([]);
  });

  it('removes a temporary file left by a process killed between write and rename', () => {
    const { store, file } = setup(dir);
    store.save(twoPatientState());
    writeFileSync(`${file}.tmp-99999`, '{"format":1,');
    writeFileSync(join(dir, 'other.json.tmp-1'), 'x'); // not ours
    expect(store.load(FP)).toEqual(twoPatientState());
    expect(temps(dir)).toEqual(['other.json.tmp-1']);
  });

  it.each([
    ['an array', '[]', '/'],
    ['a number', '42', '/'],
    ['null', 'null', '/'],
    ['another format', JSON.stringify({ format: 2, patients: {} }), '/format'],
    ['patients missing', JSON.stringify({ format: 1, fingerprint: FP }), '/patients'],
    ['patients an array', JSON.stringify({ format: 1, fingerprint: FP, patients: [] }), '/patients'],
  ])(
    'valid JSON of the wrong shape (%s): moved aside, one warning naming file, path and problem, starts afresh',
    (_, text, path) => {
      const { store, file, at } = setup(dir);
      writeFileSync(file, text);
      expect(store.load(FP)).toEqual({ fingerprint: FP, session: null, patients: {} });
      const warns = at('warn');
      expect(warns).toHaveLength(1);
      expect(warns[0]!.msg).toContain(file);
      expect(warns[0]!.msg).toContain(`has an unexpected shape at ${path}:`);
      expect(warns[0]!.msg).toContain('starting afresh');
      expect(existsSync(file)).toBe(false);
      expect(asides(dir)).toHaveLength(1);
      expect(readFileSync(join(dir, asides(dir)[0]!), 'utf8')).toBe(text);
    },
  );

  it('a truncated file and one larger than any state file are moved aside too', () => {
    const { store, file, at } = setup(dir);
    writeFileSync(file, fileText(twoPatientState()).slice(0, 100));
    expect(store.load(FP).patients).toEqual({});
    writeFileSync(file, ' '.repeat(MAX_STATE_BYTES + 1));
    expect(store.load(FP).patients).toEqual({});
    expect(at('warn').map((l) => l.msg)).toEqual([
      expect.stringContaining('is unreadable'),
      expect.stringContaining('far more than a state file holds'),
    ]);
    expect(existsSync(file)).toBe(false);
  });

  it('one bad patient entry: only that patient starts afresh; the other and the session are kept, the original kept aside', () => {
    const { store, file, at } = setup(dir);
    const text = edited((doc) => {
      delete doc.patients['p-2'].connection;
    });
    writeFileSync(file, text);
    const good = twoPatientState();
    const loaded = store.load(FP);
    expect(loaded.patients).toEqual({ 'p-1': good.patients['p-1'] });
    expect(loaded.session).toEqual(good.session);
    const warns = at('warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ patient: 'ben_jones (p-2)', path: '/patients/p-2/connection', file });
    expect(warns[0]!.msg).toContain(
      'the saved state of patient ben_jones (p-2) is unusable at /patients/p-2/connection (is missing); that patient starts afresh',
    );
    expect(asides(dir)).toHaveLength(1);
    expect(readFileSync(join(dir, asides(dir)[0]!), 'utf8')).toBe(text);
    expect(readFileSync(file, 'utf8')).toBe(text); // replaced by the next save, not before
  });

  it('a saved reading with glucose as a string or a timestamp that was NaN resets only that part', () => {
    const { store, file, at } = setup(dir);
    writeFileSync(
      file,
      edited((doc) => {
        doc.patients['p-1'].latest.mgdl = '120';
        doc.patients['p-2'].log.outbox[0].timestamp = null; // what JSON.stringify makes of NaN
      }),
    );
    const good = twoPatientState();
    const loaded = store.load(FP);
    expect(loaded.patients['p-1']).toEqual({ ...good.patients['p-1'], latest: null });
    // The log keeps nothing it cannot trust, so the watermark goes with it.
    expect(loaded.patients['p-2']).toEqual({
      ...good.patients['p-2'],
      log: { lastPublishedTs: null, outbox: [], gap: null },
    });
    expect(at('warn').map((l) => [l.path, l.problem, l.reset])).toEqual([
      ['/patients/p-1/latest/mgdl', 'must be number', ['latest reading']],
      ['/patients/p-2/log/outbox/0/timestamp', 'must be integer', ['reading log']],
    ]);
    expect(at('warn')[0]!.msg).toContain(
      'part of the saved state of patient anna_smith (p-1) is unusable at /patients/p-1/latest/mgdl (must be number); starting afresh: latest reading',
    );
  });

  it('physical bounds: glucose outside 20..600 mg/dL, a timestamp before 2014, a target outside 40..400', () => {
    const { store, file } = setup(dir);
    writeFileSync(
      file,
      edited((doc) => {
        doc.patients['p-1'].latest.mgdl = 900;
        doc.patients['p-1'].connection.sensor.activatedAt = 0;
        doc.patients['p-2'].connection.targetLowMgdl = 10;
      }),
    );
    const loaded = store.load(FP);
    expect(loaded.patients['p-1']?.latest).toBeNull();
    expect(loaded.patients['p-1']?.connection.sensor).toBeNull();
    expect(loaded.patients['p-2']).toBeUndefined();
  });

  it("a reading ahead of this machine's clock is kept (the clock may be behind; upstream judges it)", () => {
    const { store, file } = setup(dir);
    const future = Date.now() + 5 * 3_600_000;
    writeFileSync(
      file,
      edited((doc) => {
        doc.patients['p-1'].latest.timestamp = future;
        doc.patients['p-1'].log.lastPublishedTs = future;
        doc.patients['p-1'].log.outbox = [];
      }),
    );
    const loaded = store.load(FP);
    expect(loaded.patients['p-1']?.latest?.timestamp).toBe(future);
    expect(loaded.patients['p-1']?.log.lastPublishedTs).toBe(future);
  });

  it('a session token that cannot be a header costs one login, nothing else', () => {
    const { store, file, at } = setup(dir);
    writeFileSync(
      file,
      edited((doc) => {
        doc.session.token = 'abc\r\nX-Injected: 1';
      }),
    );
    const loaded = store.load(FP);
    expect(loaded.session).toBeNull();
    expect(loaded.patients).toEqual(twoPatientState().patients);
    expect(at('warn')).toHaveLength(1);
    expect(at('warn')[0]!.msg).toContain('the saved LibreLinkUp session is unusable at /session/token');
    expect(at('warn')[0]!.msg).not.toContain('X-Injected');
  });

  it('an entry whose id differs from its connection, or a slug used twice: that entry is dropped', () => {
    const { store, file } = setup(dir);
    writeFileSync(
      file,
      edited((doc) => {
        doc.patients['p-3'] = { ...doc.patients['p-1'] }; // same slug, patientId p-1
        doc.patients['p-2'].slug = 'anna_smith';
      }),
    );
    expect(Object.keys(store.load(FP).patients)).toEqual(['p-1']);
  });

  it('unknown properties are left out, and a hand-edited outbox is put back in order', () => {
    const { store, file } = setup(dir);
    const good = twoPatientState();
    const r1 = good.patients['p-1']!.latest!;
    const r0 = { ...r1, timestamp: r1.timestamp - 60_000 };
    writeFileSync(
      file,
      edited((doc) => {
        doc.patients['p-1'].extra = 'x';
        doc.patients['p-1'].connection.latest.extra = 1;
        doc.patients['p-1'].log.outbox = [r1, r0, r1, { ...r1, timestamp: r1.timestamp - 120_000 }];
        doc.patients['p-1'].log.lastPublishedTs = r1.timestamp - 120_000;
      }),
    );
    const p = store.load(FP).patients['p-1']!;
    expect(p).not.toHaveProperty('extra');
    expect(p.connection.latest).not.toHaveProperty('extra');
    expect(p.log.outbox.map((r) => r.timestamp)).toEqual([r0.timestamp, r1.timestamp]);
  });
});
