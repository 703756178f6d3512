// The account core's rules, one per row, each checked on the reducer's effects: no timers, no
// simulated half hours. The poll, its graph reads, failures and backoff.
import { describe, expect, it } from 'vitest';
import { CREDENTIALS_BASE_MS } from '../../src/bridge/backoff.js';
import { spacingOf } from '../../src/bridge/schedule.js';
import { SEED_ATTEMPTS } from '../../src/bridge/seeding.js';
import { LluError } from '../../src/librelinkup/errors.js';
import { coreWorld, Driver, emptyGraph, graphAsked, logs, of, timerOf } from './core-world.js';
import { connection, reading, T0 } from './fixtures.js';

const MIN = 60_000;
const NOW = T0 + 6_000;
const live = (ts: number, mgdl = 120, patientId = 'p-1') =>
  connection({ patientId, firstName: patientId === 'p-1' ? 'Anna' : patientId, latest: reading(ts, mgdl) });

/** Started, one poll done (history seeded), its reading acknowledged. */
function steady(): Driver {
  const d = new Driver();
  d.send({ type: 'start', now: NOW });
  d.ackAll(d.poll(NOW, [live(T0)]), NOW);
  return d;
}

const failing = (d: Driver, now: number, error: unknown) => {
  d.send({ type: 'pollDue', now });
  return d.send({ type: 'failed', now, error });
};

const rules: Array<{ rule: string; check: () => void }> = [
  {
    rule: 'a poll due while idle asks for the connections and remembers when it started',
    check: () => {
      const d = new Driver();
      d.send({ type: 'start', now: NOW });
      expect(of(d.send({ type: 'pollDue', now: NOW }), 'requestConnections')).toHaveLength(1);
      expect(d.state.lastPollAt).toBe(NOW);
    },
  },
  {
    rule: 'one request at a time: a poll due while one is in flight asks nothing',
    check: () => {
      const d = new Driver();
      d.send({ type: 'start', now: NOW });
      d.send({ type: 'pollDue', now: NOW });
      expect(of(d.send({ type: 'pollDue', now: NOW + 1_000 }), 'requestConnections')).toEqual([]);
    },
  },
  {
    rule: 'nothing is asked before start',
    check: () => {
      expect(of(new Driver().send({ type: 'pollDue', now: NOW }), 'requestConnections')).toEqual([]);
    },
  },
  {
    rule: 'the tick at nextPollAt starts the poll',
    check: () => {
      const d = new Driver();
      d.send({ type: 'start', now: NOW });
      const at = d.state.status.nextPollAt!;
      expect(of(d.send({ type: 'tick', now: at }), 'requestConnections')).toHaveLength(1);
    },
  },
  {
    rule: 'timers count whole milliseconds: a tick within the millisecond of nextPollAt polls at once',
    check: () => {
      const d = new Driver();
      d.send({ type: 'start', now: NOW });
      d.state = { ...d.state, status: { ...d.state.status, nextPollAt: NOW + 1_000.6 } };
      expect(of(d.send({ type: 'tick', now: NOW + 999 }), 'requestConnections')).toEqual([]);
      expect(of(d.send({ type: 'tick', now: NOW + 1_000 }), 'requestConnections')).toHaveLength(1);
    },
  },
  {
    rule: 'every event ends with exactly one timer',
    check: () => {
      const d = steady();
      for (const e of [
        d.send({ type: 'tick', now: NOW + 1_000 }),
        d.send({ type: 'pollNow', now: NOW + 2_000 }),
        d.send({ type: 'pollDue', now: NOW + MIN }),
        d.send({ type: 'connections', now: NOW + MIN, answer: answer([live(T0 + MIN)]) }),
        d.send({ type: 'stop', now: NOW + MIN }),
      ])
        expect(of(e, 'timer')).toHaveLength(1);
    },
  },
  {
    rule: 'a new live reading is handed to the sink before the snapshot, logged and added to the history',
    check: () => {
      const d = steady();
      d.send({ type: 'pollDue', now: NOW + MIN });
      const effects = d.send({ type: 'connections', now: NOW + MIN, answer: answer([live(T0 + MIN, 130)]) });
      const types = effects.map((e) => e.type);
      expect(types.indexOf('publishReading')).toBeLessThan(types.indexOf('publishSnapshot'));
      expect(of(effects, 'publishReading')[0]).toMatchObject({ reading: { mgdl: 130 }, backfilled: false });
      expect(logs(effects)).toContain('new reading');
      expect(of(effects, 'appendHistory')[0]?.readings.map((r) => r.mgdl)).toEqual([130]);
    },
  },
  {
    rule: 'a reading seen again is not handed to the sink again',
    check: () => {
      const d = steady();
      expect(of(d.poll(NOW + MIN, [live(T0)]), 'publishReading')).toEqual([]);
    },
  },
  {
    rule: 'the first answer asks one graph read per person to seed the history',
    check: () => {
      const d = new Driver();
      expect(graphAsked(d.startAndAnswer(NOW, [live(T0)]))).toBe('p-1');
      const seeded = d.send({
        type: 'graph',
        now: NOW,
        patientId: 'p-1',
        graph: emptyGraph([reading(T0 - 30 * MIN, 100), reading(T0 - 25 * MIN, 105)]),
      });
      expect(d.record().history.length).toBe(3);
      expect(of(seeded, 'requestGraph')).toEqual([]);
      expect(graphAsked(d.poll(NOW + MIN, [live(T0 + MIN)]))).toBeNull();
    },
  },
  {
    rule: `a failed seed read is tried again at the next poll, ${SEED_ATTEMPTS} times in all`,
    check: () => {
      const d = new Driver();
      d.send({ type: 'start', now: NOW });
      const messages: string[] = [];
      let asked = 0;
      for (let i = 0; i < SEED_ATTEMPTS + 2; i++) {
        const now = NOW + i * MIN;
        d.send({ type: 'pollDue', now });
        const effects = d.send({ type: 'connections', now, answer: answer([live(T0 + i * MIN)]) });
        if (graphAsked(effects) === null) continue;
        asked++;
        const error = new LluError('server', 'HTTP 502', { httpStatus: 502 });
        messages.push(...logs(d.send({ type: 'graphFailed', now, patientId: 'p-1', error })));
      }
      expect(asked).toBe(SEED_ATTEMPTS);
      expect(messages.filter((m) => m.includes('will try again'))).toHaveLength(SEED_ATTEMPTS - 1);
      expect(messages.at(-1)).toMatch(/fill from live readings/);
      expect(d.state.status.ok).toBe(true);
    },
  },
  {
    rule: 'a session refused on a graph read ends the graph reads of that poll (each would cost a login)',
    check: () => {
      const d = new Driver();
      const people = ['p-1', 'p-2', 'p-3'].map((id) => live(T0, 120, id));
      let effects = d.startAndAnswer(NOW, people);
      const asked: string[] = [];
      for (let id = graphAsked(effects); id !== null; id = graphAsked(effects)) {
        asked.push(id);
        const error = new LluError('unauthorized', 'HTTP 401 after a fresh login');
        effects = d.send({ type: 'graphFailed', now: NOW, patientId: id, error });
      }
      expect(asked).toEqual(['p-1']);
      expect(d.state.poll).toBeNull();
      expect(d.state.status.ok).toBe(true);
    },
  },
  {
    rule: 'a graph read failing with a kind that stops gap filling fails the poll',
    check: () => {
      const d = new Driver();
      d.startAndAnswer(NOW, [live(T0)]);
      const error = new LluError('bad_credentials', 'status 2');
      d.send({ type: 'graphFailed', now: NOW, patientId: 'p-1', error });
      expect(d.state.status).toMatchObject({ ok: false, errorKind: 'bad_credentials' });
    },
  },
  {
    rule: 'a bug while reading the graph is `internal`, logged at error with its stack, not a failed poll',
    check: () => {
      const d = new Driver();
      d.startAndAnswer(NOW, [live(T0)]);
      const effects = d.send({ type: 'graphFailed', now: NOW, patientId: 'p-1', error: new TypeError('x') });
      const line = of(effects, 'log').find((l) => l.message.includes('could not read the graph'))!;
      expect(line).toMatchObject({ level: 'error', fields: { kind: 'internal' } });
      expect(line.fields.err).toBeInstanceOf(TypeError);
      expect(d.state.status.ok).toBe(true);
    },
  },
  {
    rule: 'a failed poll sets the status and retries no sooner than min_interval after it',
    check: () => {
      const d = new Driver(coreWorld({ poll: { interval: 300, min_interval: 60, timeout: 20 } }));
      d.send({ type: 'start', now: NOW });
      const effects = failing(d, NOW, new LluError('network', 'ECONNRESET'));
      expect(d.state.status).toMatchObject({ ok: false, errorKind: 'network', blockedUntil: NOW + 60_000 });
      expect(timerOf(effects)).toBe(NOW + 60_000);
      expect(of(effects, 'publishStatus')).toHaveLength(1);
    },
  },
  {
    rule: 'a wrong password waits 5 minutes before the next attempt, with a message about the password',
    check: () => {
      const d = new Driver();
      d.send({ type: 'start', now: NOW });
      const effects = failing(d, NOW, new LluError('bad_credentials', 'status 2'));
      expect(timerOf(effects)).toBe(NOW + CREDENTIALS_BASE_MS);
      expect(d.state.status.message).toMatch(/password/i);
    },
  },
  {
    rule: 'failures of changing kinds count together: the wait doubles (no retry every few seconds)',
    check: () => {
      const d = new Driver();
      d.send({ type: 'start', now: NOW });
      const kinds = ['server', 'timeout', 'server', 'timeout'] as const;
      const waits = kinds.map((kind, i) => {
        const now = NOW + i * 10 * MIN;
        failing(d, now, new LluError(kind, kind));
        return d.state.status.blockedUntil! - now;
      });
      // 10 s doubling, half of it jitter (random 0.5): 7.5, 15, 30, 60 s.
      expect(waits).toEqual([10_000, 15_000, 30_000, 60_000]);
      expect(d.state.failures).toBe(4);
    },
  },
  {
    rule: 'a lockout is honoured to its end: "poll now" is ignored meanwhile',
    check: () => {
      const d = new Driver();
      d.send({ type: 'start', now: NOW });
      failing(d, NOW, new LluError('locked', 'locked', { retryAt: NOW + 300_000 }));
      expect(d.state.status.nextPollAt).toBe(NOW + 301_000);
      const effects = d.send({ type: 'pollNow', now: NOW + 1_000 });
      expect(logs(effects)[0]).toMatch(/poll now ignored/);
      expect(d.state.status.nextPollAt).toBe(NOW + 301_000);
      expect(of(d.send({ type: 'tick', now: NOW + 300_000 }), 'requestConnections')).toEqual([]);
      expect(of(d.send({ type: 'tick', now: NOW + 301_000 }), 'requestConnections')).toHaveLength(1);
    },
  },
  {
    rule: '"poll now" polls at once, but never inside the spacing after the last poll',
    check: () => {
      const d = steady();
      d.send({ type: 'pollNow', now: NOW + 1_000 });
      expect(d.state.status.nextPollAt).toBe(NOW + spacingOf(10_000));
      d.send({ type: 'pollNow', now: NOW + 5 * MIN });
      expect(d.state.status.nextPollAt).toBe(NOW + 5 * MIN);
    },
  },
  {
    rule: 'a success after failures says LibreLinkUp answers again and clears the status',
    check: () => {
      const d = new Driver();
      d.send({ type: 'start', now: NOW });
      failing(d, NOW, new LluError('server', 'HTTP 503', { httpStatus: 503 }));
      const effects = d.poll(NOW + MIN, [live(T0)]);
      expect(logs(effects)).toContain('LibreLinkUp answers again');
      expect(d.state.status).toMatchObject({ ok: true, errorKind: null, message: null, blockedUntil: null });
      expect(d.state.failures).toBe(0);
    },
  },
  {
    rule: 'a bug in the answer (not an LluError) is `internal`, never an upstream problem',
    check: () => {
      const d = new Driver();
      d.send({ type: 'start', now: NOW });
      failing(d, NOW, new TypeError('Cannot read properties of undefined'));
      expect(d.state.status.errorKind).toBe('internal');
      expect(d.state.status.message).toMatch(/^A bug in librelinkup2mqtt/);
    },
  },
];

function answer(connections: ReturnType<typeof live>[]) {
  return { connections, upstreamNow: NOW, clockFromHeader: false, issues: [] };
}

describe('account core: polls, graph reads and failures', () => {
  it.each(rules)('$rule', ({ check }) => check());
});
