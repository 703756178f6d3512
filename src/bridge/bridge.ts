// The bridge: one poller per configured account, sharing one record per followed person (people.ts),
// a slug registry and a sink. It owns no HTTP or MQTT: the upstream client is made by an injected
// factory and output goes to the sink.

import { createHash } from 'node:crypto';
import type { AccountConfig, Config } from '../config/types.js';
import { maskEmail } from '../librelinkup/mask.js';
import type { Session } from '../librelinkup/model.js';
import type { Logger } from '../log.js';
import { AccountPoller, type UpstreamClient } from './account-poller.js';
import type { AccountStatus, BridgeSink, PatientView } from './events.js';
import { HistoryStore } from './history-store.js';
import { matchPatient } from './patient.js';
import { People } from './people.js';
import { SlugRegistry } from './slugs.js';
import { AccountStore } from './store.js';
import { type Tracked, trackedFrom } from './tracked.js';
import { withLatestInHistory } from './view.js';

export interface ClientFactoryInput {
  account: AccountConfig;
  session: Session | null;
  onSessionChange: (session: Session | null) => void;
  timeoutMs: number;
  logger: Logger;
}

export type ClientFactory = (input: ClientFactoryInput) => UpstreamClient;

export interface BridgeOptions {
  config: Config;
  sink: BridgeSink;
  makeClient: ClientFactory;
  logger: Logger;
  now?: () => number;
  random?: () => number;
}

/** Stable and not secret: a short hash of the lower-cased e-mail. */
export function accountKey(email: string): string {
  return `acct_${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 8)}`;
}

function fingerprint(account: AccountConfig): string {
  return createHash('sha256')
    .update(
      [account.email.trim().toLowerCase(), account.api_url, account.region_url, account.region].join('\n'),
    )
    .digest('hex');
}

export class Bridge {
  private readonly pollers: AccountPoller[] = [];
  private readonly stores: AccountStore[] = [];

  constructor(private readonly options: BridgeOptions) {}

  start(): void {
    const { config, logger } = this.options;
    const now = (this.options.now ?? Date.now)();
    // One store for all accounts: a person followed through several accounts has one history.
    const history = new HistoryStore(config.data_dir, logger);
    const count = config.accounts.length;
    const keys = config.accounts.map((account) => accountKey(account.email));
    const patientConfigs = new Map(config.accounts.map((account, i) => [keys[i]!, account.patients]));
    const people = new People<Tracked>(
      config.accounts.map((account, i) => ({
        key: keys[i]!,
        follows: (c) => matchPatient(c, account.patients) !== undefined,
        nameFor: (c) => matchPatient(c, account.patients)?.name,
      })),
      new SlugRegistry(logger),
      trackedFrom,
    );
    const loaded = config.accounts.map((account, i) => {
      const log = logger.child({ account: maskEmail(account.email) });
      const store = new AccountStore(config.data_dir, keys[i]!, log);
      return { store, persisted: store.load(fingerprint(account)) };
    });
    people.load(
      loaded.map(({ persisted }, i) => ({
        key: keys[i]!,
        patients: persisted.patients,
        gone: persisted.gone,
      })),
      now,
    );
    config.accounts.forEach((account, index) => {
      const key = keys[index]!;
      const label = maskEmail(account.email);
      const log = logger.child({ account: label });
      const { store, persisted } = loaded[index]!;
      this.stores.push(store);
      let poller: AccountPoller | null = null;
      const client = this.options.makeClient({
        account,
        session: persisted.session,
        onSessionChange: (session) => poller?.saveSession(session),
        timeoutMs: config.poll.timeout * 1000,
        // The client binds its (masked) account to its own lines; `log` would repeat the key.
        logger,
      });
      poller = new AccountPoller({
        key,
        label,
        account,
        poll: config.poll,
        client,
        store,
        persisted,
        sink: this.options.sink,
        people,
        patientConfigs,
        logger: log,
        history,
        spread: count <= 1 ? 0 : index / count,
        accounts: count,
        ...(this.options.now ? { now: this.options.now } : {}),
        ...(this.options.random ? { random: this.options.random } : {}),
      });
      this.pollers.push(poller);
    });
    for (const p of this.pollers) p.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.pollers.map((p) => p.stop()));
    // Saves are written at the end of their burst: what the pollers saved last is on disk now.
    for (const store of this.stores) store.flush();
  }

  pollNow(): void {
    for (const p of this.pollers) p.pollNow();
  }

  accounts(): AccountStatus[] {
    return this.pollers.map((p) => p.status());
  }

  /** Read-only, for the status page: every followed patient, in account order. */
  patients(): PatientView[] {
    return this.pollers.flatMap((p) => p.patientViews()).map(withLatestInHistory);
  }
}
