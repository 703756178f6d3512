// The shared-person registry of a bridge with one account, for tests that drive one AccountPoller.
import { type Tracked, trackedFrom } from '../../src/bridge/account-poller.js';
import { People } from '../../src/bridge/people.js';
import { SlugRegistry } from '../../src/bridge/slugs.js';
import type { PersistedAccount } from '../../src/bridge/store.js';
import type { AccountConfig } from '../../src/config/types.js';

export function singleAccountPeople(key: string, account: AccountConfig, persisted: PersistedAccount) {
  const people = new People<Tracked>([{ key, follows: () => true }], new SlugRegistry(), trackedFrom);
  people.load([{ key, patients: persisted.patients, gone: persisted.gone }], Date.now());
  return { people, patientConfigs: new Map([[key, account.patients]]) };
}
