// A state store in a directory, with its log lines captured, for the store's tests.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AccountStore, type PersistedAccount, type StoreFs } from '../../src/bridge/store.js';
import { createLogger } from '../../src/log.js';
import { captureLogs } from '../helpers/logs.js';

export interface Line {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export function setup(dir: string, fs?: StoreFs) {
  const { capture, destination } = captureLogs();
  const logger = createLogger({ level: 'debug', destination });
  const store = new AccountStore(dir, 'acct_test', logger, fs);
  /** save() writes at the end of the burst: this writes at once and says whether it worked */
  const saveNow = (state: PersistedAccount) => {
    store.save(state);
    return store.flush();
  };
  const lines = () => capture.lines.map((l) => JSON.parse(l) as Line);
  const at = (level: string) => lines().filter((l) => l.level === level);
  return { store, saveNow, file: join(dir, 'acct_test.json'), lines, at };
}

export function asides(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.includes('.corrupt-'));
}
export function temps(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.includes('.tmp-'));
}
