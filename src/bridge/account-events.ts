// The account core's input: what it reacts to (events), what it keeps (AccountState, replaced on
// every event, never mutated) and what it reads and updates besides (CoreWorld).

import type { AccountConfig, PollConfig } from '../config/types.js';
import type { ConnectionsAnswer } from '../librelinkup/client.js';
import type { Graph, Reading } from '../librelinkup/model.js';
import type { AccountStatus } from './events.js';
import type { People } from './people.js';
import type { GraphPurpose } from './seeding.js';
import type { TimeGuard } from './time-guard.js';
import type { Tracked } from './tracked.js';

/** Every event carries `now`: this machine's clock when it happened. */
export type CoreEvent =
  | { type: 'start'; now: number }
  | { type: 'stop'; now: number }
  /** the one timer fired: a poll, a stale reading or a publish retry may be due */
  | { type: 'tick'; now: number }
  /** "Poll now" from Home Assistant */
  | { type: 'pollNow'; now: number }
  /** a poll right away (tests, tools), unless one is in flight */
  | { type: 'pollDue'; now: number }
  | { type: 'connections'; now: number; answer: ConnectionsAnswer }
  | { type: 'graph'; now: number; patientId: string; graph: Graph }
  | { type: 'graphFailed'; now: number; patientId: string; error: unknown }
  /** the connections request (or a poll step) failed */
  | { type: 'failed'; now: number; error: unknown }
  | { type: 'published'; now: number; patientId: string; reading: Reading }
  | { type: 'publishFailed'; now: number; patientId: string; error: unknown }
  /** the session changed: persist it */
  | { type: 'sessionChanged'; now: number };

/** The poll in flight: the connections answer, then one graph read at a time. */
export interface PollRun {
  startedAt: number;
  /** when the poll before this one started (null: none this run) */
  previousPollAt: number | null;
  /** who may still need a graph read this poll, in order */
  graphQueue: readonly string[];
  /** the graph read awaited, and why it was asked */
  graph: { patientId: string; purpose: GraphPurpose } | null;
}

export type StatusFields = Omit<AccountStatus, 'requests' | 'logins'>;

export interface AccountState {
  running: boolean;
  status: StatusFields;
  lastPollAt: number | null;
  /** consecutive failed polls, whatever their kind */
  failures: number;
  lastErrorKind: string | null;
  poll: PollRun | null;
  /** a person whose reading could not be handed to the sink is tried again at this time */
  publishRetryAt: Readonly<Record<string, number>>;
  /** a poll ended while a reading was being published: its state is written when that publish ends */
  savePending: boolean;
}

/** Read-only port: each person's stored history (history-store.ts), read once per person and run. */
export interface HistorySource {
  load(patientId: string, slug: string): Reading[];
}

/**
 * What the core reads and updates besides its own state. `people` holds the records shared with the
 * other accounts' cores (updated in place, see tracked.ts). `time` keeps the time rules' memories
 * (time-guard.ts): per patient episodes and the clock offset, which must outlive a single event and
 * whose once-per-episode warnings it words and logs itself; the rules are pure (time-sanity.ts).
 */
export interface CoreWorld {
  key: string;
  label: string;
  account: AccountConfig;
  poll: PollConfig;
  /** a stable value in [0, 1) spreading this account's polls against the others */
  spread: number;
  /** how many accounts the bridge polls (absent: one) */
  accounts?: number;
  people: People<Tracked>;
  /** every account's patient selection by key, so the account that names a person can be found */
  patientConfigs: ReadonlyMap<string, AccountConfig['patients']>;
  time: Pick<
    TimeGuard,
    'clockOffset' | 'beforeConnections' | 'afterConnections' | 'forgetAhead' | 'judge' | 'graphIssues'
  >;
  history?: HistorySource;
  random: () => number;
}

export function initialState(key: string, label: string): AccountState {
  return {
    running: false,
    status: {
      key,
      label,
      ok: false,
      errorKind: null,
      message: null,
      lastSuccessAt: null,
      lastErrorAt: null,
      nextPollAt: null,
      blockedUntil: null,
    },
    lastPollAt: null,
    failures: 0,
    lastErrorKind: null,
    poll: null,
    publishRetryAt: {},
    savePending: false,
  };
}
