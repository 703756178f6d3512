// The account core's rules about readings, one per row, on the reducer's effects: publishing order
// and acknowledgement, the state file, staleness, restarts, presence and stop.
import { describe, expect, it } from 'vitest';
import { EMPTY_ALERT_MEMORY } from '../../src/bridge/alerts.js';
import { EMPTY_CADENCE } from '../../src/bridge/cadence.js';
import { PUBLISH_RETRY_MS } from '../../src/bridge/drain.js';
import { EMPTY_LOG } from '../../src/bridge/outbox.js';
import type { PersistedPatient } from '../../src/bridge/store.js';
import { LluError } from '../../src/librelinkup/errors.js';
import { answerOf, coreWorld, Driver, emptyGraph, isPublish, logs, of, timerOf } from './core-world.js';
import { connection, reading, T0 } from './fixtures.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = T0 + 6_000;
const live = (ts: number, mgdl = 120, patientId = 'p-1') =>
  connection({ patientId, firstName: patientId === 'p-1' ? 'Anna' : patientId, latest: reading(ts, mgdl) });

/** Started, one poll done (history seeded), its reading acknowledged. */
function steady(world = coreWorld()): Driver {
  const d = new Driver(world);
  d.send({ type: 'start', now: NOW });
  d.ackAll(d.poll(NOW, [live(T0)]), NOW);
  return d;
}

/** What an earlier run stored for Anna: `ts` published. */
function stored(ts: number): Record<string, PersistedPatient> {
  return {
    'p-1': {
      slug: 'anna_smith',
      connection: live(ts),
      latest: reading(ts, 120),
      log: { ...EMPTY_LOG, lastPublishedTs: ts },
      alerts: EMPTY_ALERT_MEMORY,
      cadence: EMPTY_CADENCE,
    },
  };
}

const rules: Array<{ rule: string; check: () => void }> = [
  {
    rule: 'one reading at a time: the next is handed over only once the sink acknowledged the one before',
    check: () => {
      const d = steady();
      const first = d.poll(NOW + MIN, [live(T0 + MIN)]).filter(isPublish);
      const second = d.poll(NOW + 2 * MIN, [live(T0 + 2 * MIN)]).filter(isPublish);
      expect(first.map((p) => p.reading.timestamp)).toEqual([T0 + MIN]);
      expect(second).toEqual([]);
      const next = d.send({
        type: 'published',
        now: NOW + 2 * MIN,
        patientId: 'p-1',
        reading: first[0]!.reading,
      });
      expect(next.filter(isPublish).map((p) => p.reading.timestamp)).toEqual([T0 + 2 * MIN]);
      expect(d.record().log.lastPublishedTs).toBe(T0 + MIN);
    },
  },
  {
    rule: 'the state file is written once when a run of publishes ends, not after each reading',
    check: () => {
      const d = steady();
      d.send({ type: 'pollDue', now: NOW + 20 * MIN });
      const answer = answerOf([live(T0 + 20 * MIN)], NOW + 20 * MIN);
      const effects = d.send({ type: 'connections', now: NOW + 20 * MIN, answer });
      const graph = emptyGraph([5, 10].map((m) => reading(T0 + m * MIN, 100 + m)));
      effects.push(...d.send({ type: 'graph', now: NOW + 20 * MIN, patientId: 'p-1', graph }));
      const persists: number[] = [];
      let pending = effects.filter(isPublish);
      while (pending.length > 0) {
        const out = d.send({
          type: 'published',
          now: NOW + 20 * MIN,
          patientId: 'p-1',
          reading: pending[0]!.reading,
        });
        persists.push(of(out, 'persist').length);
        pending = out.filter(isPublish);
      }
      expect(persists).toEqual([0, 0, 1]);
    },
  },
  {
    rule: 'live readings first, then the gap from the graph, oldest first, marked as backfilled',
    check: () => {
      const d = steady();
      const now = NOW + 20 * MIN;
      const graph = emptyGraph([5, 10, 15].map((m) => reading(T0 + m * MIN, 100 + m)));
      const order = d.ackAll(d.poll(now, [live(T0 + 20 * MIN)], graph), now).map((r) => r.timestamp);
      expect(order).toEqual([T0 + 20 * MIN, T0 + 5 * MIN, T0 + 10 * MIN, T0 + 15 * MIN]);
      const backfilled = d.effects.filter(isPublish).filter((p) => p.backfilled);
      expect(backfilled.map((p) => p.reading.timestamp)).toEqual([
        T0 + 5 * MIN,
        T0 + 10 * MIN,
        T0 + 15 * MIN,
      ]);
    },
  },
  {
    rule: 'a reading the sink could not take is offered again 5 s later (the one timer, no timer of its own)',
    check: () => {
      const d = steady();
      const [p] = d.poll(NOW + MIN, [live(T0 + MIN)]).filter(isPublish);
      const failed = d.send({
        type: 'publishFailed',
        now: NOW + MIN,
        patientId: 'p-1',
        error: new Error('offline'),
      });
      expect(logs(failed)).toContain('could not publish a reading; will retry');
      expect(timerOf(failed)).toBe(NOW + MIN + PUBLISH_RETRY_MS);
      const again = d.send({ type: 'tick', now: NOW + MIN + PUBLISH_RETRY_MS }).filter(isPublish);
      expect(again.map((x) => x.reading)).toEqual([p!.reading]);
    },
  },
  {
    rule: 'a reading published before a restart is not published again',
    check: () => {
      const d = new Driver(coreWorld({ patients: stored(T0) }));
      d.send({ type: 'start', now: NOW });
      expect(d.poll(NOW, [live(T0)]).filter(isPublish)).toEqual([]);
      expect(
        d
          .poll(NOW + MIN, [live(T0 + MIN)])
          .filter(isPublish)
          .map((p) => p.reading.timestamp),
      ).toEqual([T0 + MIN]);
    },
  },
  {
    rule: 'stale 15 minutes after the last reading: logged, shown stale, `stale` fired once',
    check: () => {
      const d = steady();
      const at = T0 + 15 * MIN;
      expect(d.send({ type: 'tick', now: at - 1 }).filter((e) => e.type === 'publishSnapshot')).toEqual([]);
      const effects = d.send({ type: 'tick', now: at });
      expect(logs(effects)[0]).toMatch(/no new reading for 15 minutes/);
      expect(of(effects, 'publishSnapshot')[0]?.snapshot.stale).toBe(true);
      expect(of(effects, 'publishAlert').map((a) => a.alert.type)).toEqual(['stale']);
      expect(of(effects, 'persist')).toHaveLength(1);
      expect(of(d.send({ type: 'tick', now: at + MIN }), 'publishAlert')).toEqual([]);
    },
  },
  {
    rule: 'the timer waits for the earliest of the next poll and the reading going stale',
    check: () => {
      const d = steady();
      const effects = d.send({ type: 'pollNow', now: NOW + 20_000 });
      expect(timerOf(effects)).toBe(NOW + 20_000);
      const w = steady(coreWorld({ poll: { interval: 3600, min_interval: 1800, timeout: 20 } }));
      expect(timerOf(w.effects)).toBe(T0 + 15 * MIN);
    },
  },
  {
    rule: "this machine 3 h behind LibreLinkUp: the reading goes stale 15 minutes after it by LibreLinkUp's clock",
    check: () => {
      const d = new Driver();
      const upstreamNow = NOW + 3 * HOUR;
      d.send({ type: 'start', now: NOW });
      d.send({ type: 'pollDue', now: NOW });
      const answer = { ...answerOf([live(T0 + 3 * HOUR)], upstreamNow), clockFromHeader: true };
      d.send({ type: 'connections', now: NOW, answer });
      d.send({ type: 'graph', now: NOW, patientId: 'p-1', graph: emptyGraph() });
      expect(d.world.time.clockOffset()).toBe(3 * HOUR);
      expect(of(d.send({ type: 'tick', now: T0 + 14 * MIN }), 'publishAlert')).toEqual([]);
      expect(
        of(d.send({ type: 'tick', now: T0 + 15 * MIN }), 'publishAlert').map((a) => a.alert.type),
      ).toEqual(['stale']);
    },
  },
  {
    rule: 'a person left out of the answers is removed only after 3 answers and 10 minutes',
    check: () => {
      const d = steady();
      const removed = [1, 6, 12].map((m) => of(d.poll(NOW + m * MIN, []), 'removePatient').length);
      expect(removed).toEqual([0, 0, 1]);
      expect(d.world.people.get('p-1')).toBeUndefined();
    },
  },
  {
    rule: 'a failed poll is not an answer: it never confirms an absence',
    check: () => {
      const d = steady();
      for (const m of [1, 6, 12, 20]) {
        d.send({ type: 'pollDue', now: NOW + m * MIN });
        d.send({
          type: 'failed',
          now: NOW + m * MIN,
          error: new LluError('server', '503', { httpStatus: 503 }),
        });
      }
      expect(of(d.effects, 'removePatient')).toEqual([]);
    },
  },
  {
    rule: 'stop writes the state file and disarms the timer; an answer arriving after stop is dropped',
    check: () => {
      const d = steady();
      d.send({ type: 'pollDue', now: NOW + MIN });
      const stopped = d.send({ type: 'stop', now: NOW + MIN });
      expect(of(stopped, 'persist')).toHaveLength(1);
      expect(timerOf(stopped)).toBeNull();
      const late = d.send({ type: 'connections', now: NOW + MIN, answer: answerOf([live(T0 + MIN)], NOW) });
      expect(late).toEqual([{ type: 'timer', at: null }]);
    },
  },
  {
    rule: 'a publish acknowledged after stop is still marked published (and saved), nothing more is offered',
    check: () => {
      const d = steady();
      d.send({ type: 'pollDue', now: NOW + MIN });
      d.send({ type: 'connections', now: NOW + MIN, answer: answerOf([live(T0 + MIN)], NOW) });
      d.send({ type: 'stop', now: NOW + MIN });
      const out = d.send({
        type: 'published',
        now: NOW + MIN,
        patientId: 'p-1',
        reading: reading(T0 + MIN, 120),
      });
      expect(d.record().log.lastPublishedTs).toBe(T0 + MIN);
      expect(out.filter(isPublish)).toEqual([]);
      expect(of(out, 'persist')).toHaveLength(1);
    },
  },
  {
    rule: 'at start, what was stored is shown once and a reading stale meanwhile fires `stale`',
    check: () => {
      const d = new Driver(coreWorld({ patients: stored(T0 - HOUR) }));
      const effects = d.send({ type: 'start', now: NOW });
      expect(of(effects, 'publishSnapshot').map((s) => s.snapshot.stale)).toEqual([true]);
      expect(of(effects, 'publishAlert').map((a) => a.alert.type)).toEqual(['stale']);
      expect(of(effects, 'publishStatus')).toHaveLength(1);
    },
  },
  {
    rule: 'a poll writes the state file once: when its readings are acknowledged, else at its end',
    check: () => {
      const d = new Driver();
      d.send({ type: 'start', now: NOW });
      const effects = d.poll(NOW, [live(T0, 120, 'p-1'), live(T0, 130, 'p-2')]);
      expect(of(effects, 'requestGraph').map((g) => g.patientId)).toEqual(['p-1', 'p-2']);
      // Both readings are still being published: the write waits for them.
      expect(of(effects, 'persist')).toEqual([]);
      const acked = effects
        .filter(isPublish)
        .map((p) => d.send({ type: 'published', now: NOW, patientId: p.patientId, reading: p.reading }));
      expect(acked.map((e) => of(e, 'persist').length)).toEqual([1, 1]);
      // Nothing to publish: written at the poll's end.
      expect(of(d.poll(NOW + MIN, [live(T0, 120, 'p-1'), live(T0, 130, 'p-2')]), 'persist')).toHaveLength(1);
    },
  },
  {
    rule: 'a session renewed during a poll (LibreLinkUp slides the ticket on every answer) is written with the poll, not on its own',
    check: () => {
      const d = steady();
      d.send({ type: 'pollDue', now: NOW + MIN });
      // Renewed by the connections answer, before the core sees that answer.
      expect(of(d.send({ type: 'sessionChanged', now: NOW + MIN }), 'persist')).toEqual([]);
      const answered = d.send({
        type: 'connections',
        now: NOW + MIN,
        answer: answerOf([live(T0)], NOW + MIN),
      });
      expect(of(answered, 'persist')).toHaveLength(1);
      // Outside a poll (a login answered after stop, say) it is written at once.
      d.send({ type: 'stop', now: NOW + MIN });
      expect(of(d.send({ type: 'sessionChanged', now: NOW + MIN }), 'persist')).toHaveLength(1);
    },
  },
  {
    rule: "a second poll ending while the first one's reading is still with the sink writes the state file anyway",
    check: () => {
      const d = steady();
      const first = d.poll(NOW + MIN, [live(T0 + MIN)]);
      expect(of(first, 'persist')).toEqual([]);
      expect(of(d.poll(NOW + 2 * MIN, [live(T0 + MIN)]), 'persist')).toHaveLength(1);
    },
  },
];

describe('account core: readings, staleness, presence, stop', () => {
  it.each(rules)('$rule', ({ check }) => check());
});

describe('the stored history comes first', () => {
  it('a person seen for the first time this run appends to their history file only after loading it (a compaction rewrites the file from memory)', () => {
    const storedReadings = Array.from({ length: 30 }, (_, i) => reading(T0 - (30 - i) * MIN, 100 + i));
    const world = { ...coreWorld(), history: { load: () => storedReadings } } as ReturnType<typeof coreWorld>;
    const d = new Driver(world);
    d.send({ type: 'start', now: NOW });
    const effects = d.poll(NOW, [live(T0)]);
    const appends = effects.filter((e) => e.type === 'appendHistory');
    expect(appends.length).toBeGreaterThan(0);
    for (const a of appends) {
      if (a.type !== 'appendHistory') continue;
      // Every append hands the store the whole history: the 30 stored readings and the new one.
      expect(a.history.map((r) => r.timestamp)).toEqual(
        expect.arrayContaining([...storedReadings.map((r) => r.timestamp), T0]),
      );
    }
  });
});
