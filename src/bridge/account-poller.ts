// Runs one LibreLinkUp account's core (account-core.ts): feeds it events, carries out its effects
// (requests, sink calls, log lines, the state file) and keeps its one timer and the request in
// flight. Every decision is the core's; failures of one account never touch another.

import type { AccountConfig, PollConfig } from '../config/types.js';
import type { ConnectionsAnswer } from '../librelinkup/client.js';
import { internalError } from '../librelinkup/errors.js';
import { type Logger, safeText } from '../log.js';
import { safeTimeout } from '../timers.js';
import { step } from './account-core.js';
import { type AccountState, type CoreEvent, type CoreWorld, initialState } from './account-events.js';
import type { Effect } from './effects.js';
import type { AccountStatus, BridgeSink, PatientView } from './events.js';
import type { HistoryStore } from './history-store.js';
import type { People } from './people.js';
import { readingNow, snapshotOf } from './snapshot.js';
import type { AccountStore, PersistedAccount, PersistedPatient } from './store.js';
import { TimeGuard } from './time-guard.js';
import { persistedOf, type Tracked } from './tracked.js';
import type { UpstreamClient } from './upstream.js';

export { type Tracked, trackedFrom } from './tracked.js';
export type { UpstreamClient } from './upstream.js';

/** Longest stop() waits for the request in flight. */
export const STOP_WAIT_MS = 1_000;

/** The events that answer the poll in flight. */
const POLL_ANSWERS: ReadonlySet<CoreEvent['type']> = new Set([
  'connections',
  'graph',
  'graphFailed',
  'failed',
]);

export interface PollerDeps {
  key: string;
  label: string;
  account: AccountConfig;
  poll: PollConfig;
  client: UpstreamClient;
  store: AccountStore;
  persisted: PersistedAccount;
  sink: BridgeSink;
  /** the followed people, shared with every other account's poller */
  people: People<Tracked>;
  /** every account's patient selection by key, so the account that names a person can be found */
  patientConfigs: ReadonlyMap<string, AccountConfig['patients']>;
  logger: Logger;
  /** each person's last 24 h in data_dir (absent: in memory only) */
  history?: HistoryStore;
  /** a stable value in [0, 1) spreading this account's polls against the others */
  spread: number;
  /** how many accounts the bridge polls (absent: one) */
  accounts?: number;
  now?: () => number;
  random?: () => number;
}

export class AccountPoller {
  private readonly now: () => number;
  private readonly world: CoreWorld;
  private state: AccountState;
  /** the one timer: the core's next tick */
  private timer: NodeJS.Timeout | null = null;
  /** the request awaited (connections or graph), so stop() can wait for it */
  private inFlight: Promise<void> | null = null;
  /** resolved when the poll in flight ends (poll()) */
  private pollEnded: Array<() => void> = [];

  constructor(private readonly deps: PollerDeps) {
    this.now = deps.now ?? Date.now;
    this.world = {
      key: deps.key,
      label: deps.label,
      account: deps.account,
      poll: deps.poll,
      spread: deps.spread,
      ...(deps.accounts !== undefined ? { accounts: deps.accounts } : {}),
      people: deps.people,
      patientConfigs: deps.patientConfigs,
      time: new TimeGuard(deps.logger),
      ...(deps.history !== undefined ? { history: deps.history } : {}),
      random: deps.random ?? Math.random,
    };
    this.state = initialState(deps.key, deps.label);
  }

  status(): AccountStatus {
    const { requests, logins } = this.deps.client.stats;
    return { ...this.state.status, requests, logins };
  }

  /** Read-only, for the status page: each followed patient's snapshot as of now and the readings held. */
  patientViews(): PatientView[] {
    const now = readingNow(this.world, this.now());
    const { people, key } = this.deps;
    // A person followed through several accounts is listed once, under the account that names them.
    return [...people.heldBy(key, this.now()).entries()]
      .filter(([id]) => people.ownerOf(id, now) === key)
      .map(([, t]) => ({ snapshot: snapshotOf(this.world, t, now), history: t.history, readingNow: now }));
  }

  /** Show what is known from the last run (stale or not), then start polling. */
  start(): void {
    this.dispatch({ type: 'start', now: this.now() });
  }

  /**
   * Cancels the timer and waits for the request in flight (its answer is dropped; the next run asks
   * again), at most STOP_WAIT_MS: a hung upstream must not hold up the shutdown, whose later steps
   * (the MQTT goodbye) have a budget of their own.
   */
  async stop(): Promise<void> {
    this.dispatch({ type: 'stop', now: this.now() });
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let waited: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      waited = setTimeout(resolve, STOP_WAIT_MS);
    });
    const settled = (async () => {
      while (this.inFlight !== null) await this.inFlight;
    })();
    await Promise.race([settled, limit]);
    clearTimeout(waited);
    for (const resolve of this.pollEnded.splice(0)) resolve();
  }

  /** "Poll now" from Home Assistant: soon, but never against a lockout or inside min_interval. */
  pollNow(): void {
    this.dispatch({ type: 'pollNow', now: this.now() });
  }

  /** A poll right away unless one is in flight; resolves when that poll has ended. */
  async poll(): Promise<void> {
    this.dispatch({ type: 'pollDue', now: this.now() });
    if (this.state.poll === null) return;
    await new Promise<void>((resolve) => this.pollEnded.push(resolve));
  }

  /** The session changed (login, refreshed ticket): keep it so a restart does not log in again. */
  saveSession(session: PersistedAccount['session']): void {
    this.deps.persisted.session = session;
    this.dispatch({ type: 'sessionChanged', now: this.now() });
  }

  private dispatch(event: CoreEvent): void {
    let effects: Effect[];
    try {
      const out = step(this.world, this.state, event);
      this.state = out.state;
      effects = out.effects;
    } catch (error) {
      // A bug in the core: logged, and the polling goes on from the state before this event. An
      // answer it could not take fails its poll; if even that fails, the poll is over anyway.
      this.internal(null, error);
      if (POLL_ANSWERS.has(event.type) && this.state.poll !== null) {
        if (event.type !== 'failed') {
          this.dispatch({ type: 'failed', now: event.now, error });
          return;
        }
        this.state = { ...this.state, poll: null };
      }
      const at = this.state.running ? event.now + this.deps.poll.interval * 1000 : null;
      effects = [{ type: 'timer', at }];
    }
    for (const effect of effects) this.guarded(effect, () => this.run(effect));
    if (this.state.poll === null) for (const resolve of this.pollEnded.splice(0)) resolve();
  }

  private run(effect: Effect): void {
    const { sink, logger } = this.deps;
    switch (effect.type) {
      case 'requestConnections':
        this.request(
          async () => {
            const answer = await this.fetchConnections();
            this.dispatch({ type: 'connections', now: this.now(), answer });
          },
          (error) => ({ type: 'failed', now: this.now(), error }),
        );
        break;
      case 'requestGraph': {
        const { patientId } = effect;
        this.request(
          async () => {
            const graph = await this.deps.client.graph(patientId);
            this.dispatch({ type: 'graph', now: this.now(), patientId, graph });
          },
          (error) => ({ type: 'graphFailed', now: this.now(), patientId, error }),
        );
        break;
      }
      case 'publishReading':
        this.publish(effect);
        break;
      case 'publishSnapshot':
        sink.patientChanged(effect.snapshot);
        break;
      case 'publishAlert':
        sink.alert(effect.snapshot, effect.alert);
        break;
      case 'removePatient':
        sink.patientRemoved(effect.snapshot);
        break;
      case 'publishStatus':
        sink.accountChanged(this.status());
        break;
      case 'appendHistory':
        this.deps.history?.append(effect.patientId, effect.readings, effect.history);
        break;
      case 'log':
        logger[effect.level](effect.fields, effect.message);
        break;
      case 'persist':
        this.persist();
        break;
      case 'timer':
        this.arm(effect.at);
        break;
    }
  }

  /** Hands one reading to the sink; its acknowledgement (or failure) comes back as an event. */
  private publish(effect: Extract<Effect, { type: 'publishReading' }>): void {
    const { patientId, reading } = effect;
    let handed: Promise<void>;
    try {
      handed = this.deps.sink.reading(effect.snapshot, reading, { backfilled: effect.backfilled });
    } catch (error) {
      handed = Promise.reject(error);
    }
    handed.then(
      () => this.dispatch({ type: 'published', now: this.now(), patientId, reading }),
      (error: unknown) => this.dispatch({ type: 'publishFailed', now: this.now(), patientId, error }),
    );
  }

  /** One request at a time; its answer (or failure) comes back as an event. */
  private request(send: () => Promise<void>, failed: (error: unknown) => CoreEvent): void {
    const request = send().catch((error: unknown) => this.dispatch(failed(error)));
    this.inFlight = request;
    void request.finally(() => {
      if (this.inFlight === request) this.inFlight = null;
    });
  }

  private async fetchConnections(): Promise<ConnectionsAnswer> {
    const { client } = this.deps;
    if (client.connectionsAnswer) return client.connectionsAnswer();
    // A client without LibreLinkUp's clock is judged by this machine's.
    const connections = await client.connections();
    return { connections, upstreamNow: this.now(), clockFromHeader: false, issues: [] };
  }

  private arm(at: number | null): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (at === null) return;
    this.timer = safeTimeout(() => {
      this.timer = null;
      this.dispatch({ type: 'tick', now: this.now() });
    }, at - this.now());
  }

  private persist(): void {
    const patients: Record<string, PersistedPatient> = {};
    for (const [id, t] of this.deps.people.heldBy(this.deps.key, this.now())) patients[id] = persistedOf(t);
    // save() never throws: a write failure is reported by the store, once per outage, with the fix.
    this.deps.store.save({
      ...this.deps.persisted,
      session: this.deps.persisted.session,
      patients,
      gone: this.deps.people.tombstonesNow(this.now()),
    });
  }

  /**
   * Runs an effect where nothing catches: a bug of ours (in a sink, say) is logged as `internal` with
   * its stack instead of ending the process or the polling.
   */
  private guarded(effect: Effect, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      const snapshot = 'snapshot' in effect ? effect.snapshot : null;
      this.internal(snapshot?.slug ?? null, error);
    }
  }

  private internal(patient: string | null, error: unknown): void {
    this.deps.logger.error(
      { ...(patient !== null ? { patient } : {}), kind: 'internal', err: error },
      safeText(internalError(error).message),
    );
  }
}
