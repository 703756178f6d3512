// One AccountPoller of a bridge with one account, on a fresh state file: the setup the poller's unit
// tests share (each passes its own upstream, sink and logger).
import {
  AccountPoller,
  type Tracked,
  trackedFrom,
  type UpstreamClient,
} from '../../src/bridge/account-poller.js';
import type { BridgeSink } from '../../src/bridge/events.js';
import { People } from '../../src/bridge/people.js';
import { SlugRegistry } from '../../src/bridge/slugs.js';
import { AccountStore, type PersistedAccount } from '../../src/bridge/store.js';
import { configFrom } from '../../src/config/from-partial.js';
import type { AccountConfig, PollConfig } from '../../src/config/types.js';
import { type Logger, silentLogger } from '../../src/log.js';

export const TEST_ACCOUNT: AccountConfig = configFrom({
  accounts: [
    {
      email: 'follower@example.com',
      password: 'pw',
      api_url: 'http://127.0.0.1:1',
      region_url: 'http://127.0.0.1:1/r/{region}',
    },
  ],
}).accounts[0]!;

export function singleAccountPeople(key: string, account: AccountConfig, persisted: PersistedAccount) {
  const people = new People<Tracked>([{ key, follows: () => true }], new SlugRegistry(), trackedFrom);
  people.load([{ key, patients: persisted.patients, gone: persisted.gone }], Date.now());
  return { people, patientConfigs: new Map([[key, account.patients]]) };
}

export function singleAccountPoller(options: {
  dir: string;
  client: UpstreamClient;
  sink: BridgeSink;
  logger?: Logger;
  account?: AccountConfig;
  /** changes the loaded state before the poller sees it, as a state file from an earlier run would */
  edit?: (persisted: PersistedAccount) => void;
  poll?: PollConfig;
}): AccountPoller {
  const account = options.account ?? TEST_ACCOUNT;
  const store = new AccountStore(options.dir, 'acct_test', silentLogger());
  const persisted = store.load('fp');
  options.edit?.(persisted);
  return new AccountPoller({
    key: 'acct_test',
    label: 'fo***@example.com',
    account,
    poll: options.poll ?? { interval: 60, min_interval: 10, timeout: 20 },
    client: options.client,
    store,
    persisted,
    sink: options.sink,
    ...singleAccountPeople('acct_test', account, persisted),
    logger: options.logger ?? silentLogger(),
    spread: 0,
    random: () => 0.5,
  });
}
