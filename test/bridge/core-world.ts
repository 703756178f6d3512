// A world for the account core (account-core.ts) without timers or I/O: one account following
// everyone, a fresh set of people records, and a driver that feeds events and keeps the effects.
import { step } from '../../src/bridge/account-core.js';
import {
  type AccountState,
  type CoreEvent,
  type CoreWorld,
  initialState,
} from '../../src/bridge/account-events.js';
import type { Effect } from '../../src/bridge/effects.js';
import { People } from '../../src/bridge/people.js';
import { SlugRegistry } from '../../src/bridge/slugs.js';
import type { PersistedPatient } from '../../src/bridge/store.js';
import { TimeGuard } from '../../src/bridge/time-guard.js';
import { type Tracked, trackedFrom } from '../../src/bridge/tracked.js';
import type { PollConfig } from '../../src/config/types.js';
import type { ConnectionsAnswer } from '../../src/librelinkup/client.js';
import type { Connection, Graph, Reading } from '../../src/librelinkup/model.js';
import { silentLogger } from '../../src/log.js';
import { connection, T0 } from './fixtures.js';
import { TEST_ACCOUNT } from './single-account.js';

export const KEY = 'acct_test';

export function coreWorld(
  options: {
    patients?: Record<string, PersistedPatient>;
    gone?: unknown;
    poll?: PollConfig;
    now?: number;
  } = {},
): CoreWorld {
  const people = new People<Tracked>([{ key: KEY, follows: () => true }], new SlugRegistry(), trackedFrom);
  people.load([{ key: KEY, patients: options.patients ?? {}, gone: options.gone }], options.now ?? T0);
  return {
    key: KEY,
    label: 'fo***@example.com',
    account: TEST_ACCOUNT,
    poll: options.poll ?? { interval: 60, min_interval: 10, timeout: 20 },
    spread: 0,
    people,
    patientConfigs: new Map([[KEY, undefined]]),
    time: new TimeGuard(silentLogger()),
    random: () => 0.5,
  };
}

/** Feeds events to the core, keeping its state and every effect. */
export class Driver {
  state: AccountState = initialState(KEY, 'fo***@example.com');
  effects: Effect[] = [];
  constructor(readonly world: CoreWorld = coreWorld()) {}

  /** One event; returns its effects (also kept in `effects`). */
  send(event: CoreEvent): Effect[] {
    const out = step(this.world, this.state, event);
    this.state = out.state;
    this.effects.push(...out.effects);
    return out.effects;
  }

  /** Start, then one poll at `now` answered with `connections` (no graph answer yet). */
  startAndAnswer(now: number, connections: Connection[]): Effect[] {
    this.send({ type: 'start', now });
    this.send({ type: 'pollDue', now });
    return this.send({ type: 'connections', now, answer: answerOf(connections, now) });
  }

  /** A whole poll at `now`: the answer, then every graph read asked for answered with `graph`; all effects. */
  poll(now: number, connections: Connection[], graph: Graph = emptyGraph()): Effect[] {
    const out = [...this.send({ type: 'pollDue', now })];
    let last = this.send({ type: 'connections', now, answer: answerOf(connections, now) });
    out.push(...last);
    for (let asked = graphAsked(last); asked !== null; asked = graphAsked(last)) {
      last = this.send({ type: 'graph', now, patientId: asked, graph });
      out.push(...last);
    }
    return out;
  }

  /** Acknowledges every reading handed to the sink in `effects` (and the ones that follow). */
  ackAll(effects: Effect[], now: number): Reading[] {
    const acked: Reading[] = [];
    let pending = effects.filter(isPublish);
    while (pending.length > 0) {
      const next: Effect[] = [];
      for (const p of pending) {
        acked.push(p.reading);
        next.push(...this.send({ type: 'published', now, patientId: p.patientId, reading: p.reading }));
      }
      pending = next.filter(isPublish);
    }
    return acked;
  }

  record(patientId = 'p-1'): Tracked {
    return this.world.people.get(patientId)!;
  }
}

export function answerOf(connections: Connection[], now: number, clockFromHeader = false): ConnectionsAnswer {
  return { connections, upstreamNow: now, clockFromHeader, issues: [] };
}

export function emptyGraph(readings: Reading[] = []): Graph {
  return { connection: connection(), activeSensors: [], readings };
}

export function isPublish(e: Effect): e is Extract<Effect, { type: 'publishReading' }> {
  return e.type === 'publishReading';
}

export function graphAsked(effects: Effect[]): string | null {
  const e = effects.find((x) => x.type === 'requestGraph');
  return e?.type === 'requestGraph' ? e.patientId : null;
}

export function of<T extends Effect['type']>(
  effects: Effect[],
  type: T,
): Array<Extract<Effect, { type: T }>> {
  return effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
}

export function timerOf(effects: Effect[]): number | null | undefined {
  return of(effects, 'timer').at(-1)?.at;
}

export function logs(effects: Effect[]): string[] {
  return of(effects, 'log').map((e) => e.message);
}
