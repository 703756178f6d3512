// Writing the state file in data_dir: only what changed (a burst of saves is one write, an unchanged
// state none), flush() at stop, and what a data_dir that cannot be written costs (one message per
// outage, no temporary file left behind).

import * as nodeFs from 'node:fs';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PersistedAccount, StoreFs } from '../../src/bridge/store.js';
import { FP, fileText, session, twoPatientState } from './store-fixtures.js';
import { setup, temps } from './store-setup.js';

/** The real file system, counting the state files written. */
function countingFs(): { fs: StoreFs; writes: () => number } {
  let writes = 0;
  const fs: StoreFs = {
    ...nodeFs,
    writeFileSync: ((path: string, data: string, options: nodeFs.WriteFileOptions) => {
      writes += 1;
      return nodeFs.writeFileSync(path, data, options);
    }) as StoreFs['writeFileSync'],
  };
  return { fs, writes: () => writes };
}

/** The state with the session's expiry moved: a change the file must show. */
function changed(i: number): PersistedAccount {
  return { ...twoPatientState(), session: session({ expiresAt: 1_900_000_000_000 + i }) };
}

describe('AccountStore writes only what changed', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llu-store-i-'));
  });

  it('the same state saved many times is written once', async () => {
    const { fs, writes } = countingFs();
    const { store, file } = setup(dir, fs);
    for (let i = 0; i < 10; i++) {
      store.save(twoPatientState());
      await Promise.resolve(); // each save in a burst of its own
    }
    expect(store.flush()).toBe(true);
    expect(writes()).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(fileText(twoPatientState()));
  });

  it('a burst of saves (one run of the event loop) is one write, of the newest state', async () => {
    const { fs, writes } = countingFs();
    const { store, file } = setup(dir, fs);
    for (let i = 0; i < 5; i++) store.save(changed(i));
    expect(writes()).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes()).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(fileText(changed(4)));
    store.save(changed(5));
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes()).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(fileText(changed(5)));
  });

  it('flush() writes the pending state at once, atomically and 0600', () => {
    const { fs, writes } = countingFs();
    const { store, file } = setup(dir, fs);
    store.save(changed(1));
    store.save(changed(2));
    expect(store.flush()).toBe(true);
    expect(writes()).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(fileText(changed(2)));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(temps(dir)).toEqual([]);
    // Nothing pending: nothing more is written.
    expect(store.flush()).toBe(true);
    expect(writes()).toBe(1);
  });

  it('an unchanged state whose file was removed meanwhile is written again', () => {
    const { fs, writes } = countingFs();
    const { store, file, saveNow } = setup(dir, fs);
    expect(saveNow(twoPatientState())).toBe(true);
    rmSync(file);
    expect(saveNow(twoPatientState())).toBe(true);
    expect(writes()).toBe(2);
    expect(store.load(FP)).toEqual(twoPatientState());
  });

  it('what a new store loads is what the other saved last, pending or not', () => {
    const { store } = setup(dir);
    store.save(changed(7));
    store.flush();
    store.save(changed(8)); // still pending: load() writes it first
    expect(setup(dir).store.load(FP)).toEqual(changed(7));
    expect(store.load(FP)).toEqual(changed(8));
  });
});

describe('AccountStore.save when data_dir cannot be written', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llu-store-w-'));
  });
  const state = twoPatientState();

  it('a data_dir below a file: one error naming the directory and the fix, however many saves', () => {
    writeFileSync(join(dir, 'file'), 'x');
    const dataDir = join(dir, 'file', 'data');
    const { saveNow, at } = setup(dataDir);
    for (let i = 0; i < 5; i++) expect(saveNow(state)).toBe(false);
    const errors = at('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ dir: dataDir, code: 'ENOTDIR' });
    expect(errors[0]!.msg).toContain(
      `cannot write the state file in data_dir ${dataDir}: a file is in the way`,
    );
    expect(errors[0]!.msg).toContain('The bridge keeps publishing');
  });

  it('a data_dir replaced by a file while running: one error, then one info line when it works again', () => {
    const dataDir = join(dir, 'data');
    const { saveNow, at } = setup(dataDir);
    expect(saveNow(state)).toBe(true);
    rmSync(dataDir, { recursive: true });
    writeFileSync(dataDir, 'not a directory');
    for (let i = 0; i < 3; i++) expect(saveNow(state)).toBe(false);
    expect(readFileSync(dataDir, 'utf8')).toBe('not a directory'); // never chmod-ed or written
    expect(statSync(dataDir).mode & 0o777).not.toBe(0o700);
    rmSync(dataDir);
    expect(saveNow(state)).toBe(true);
    expect(saveNow(state)).toBe(true);
    expect(at('error')).toHaveLength(1);
    expect(at('info').map((l) => l.msg)).toEqual([`the state file in data_dir ${dataDir} is written again`]);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'acct_test.json')).mode & 0o777).toBe(0o600);
  });

  it('a rename that fails leaves no temporary file behind', () => {
    const { saveNow, file, at } = setup(dir);
    mkdirSync(file); // the state file's name is taken by a directory: rename fails, as root too
    for (let i = 0; i < 3; i++) expect(saveNow(state)).toBe(false);
    expect(temps(dir)).toEqual([]);
    expect(at('error')).toHaveLength(1);
  });

  it('a full disk (partial write): no temporary file left, one error saying to free space; a new kind of failure is reported again', () => {
    let failWith: string | null = 'ENOSPC';
    const fs: StoreFs = {
      ...nodeFs,
      writeFileSync: ((path: string, data: string, options: nodeFs.WriteFileOptions) => {
        if (failWith === null) return nodeFs.writeFileSync(path, data, options);
        // What a full disk does: the file exists with part of the data, then the write fails.
        const fd = openSync(path, 'w', 0o600);
        writeSync(fd, data.slice(0, 10));
        closeSync(fd);
        throw Object.assign(new Error(`${failWith}: simulated`), { code: failWith });
      }) as StoreFs['writeFileSync'],
    };
    const { saveNow, at } = setup(dir, fs);
    for (let i = 0; i < 4; i++) expect(saveNow(state)).toBe(false);
    expect(temps(dir)).toEqual([]);
    failWith = 'EACCES';
    expect(saveNow(state)).toBe(false);
    expect(saveNow(state)).toBe(false);
    failWith = null;
    expect(saveNow(state)).toBe(true);
    const errors = at('error');
    expect(errors.map((e) => e.code)).toEqual(['ENOSPC', 'EACCES']);
    expect(errors[0]!.msg).toContain('the disk is full; free some space');
    expect(errors[1]!.msg).toContain(
      `permission denied; make ${dir} writable by the user running the bridge`,
    );
    expect(at('info')).toHaveLength(1);
    expect(temps(dir)).toEqual([]);
  });
});
