// The shared per-person records: the registry's answers to "who follows whom" (people.ts). Merging
// records and tombstones alone: person-record.test.ts.
import { describe, expect, it } from 'vitest';
import { type Tracked, trackedFrom } from '../../src/bridge/account-poller.js';
import { EMPTY_ALERT_MEMORY } from '../../src/bridge/alerts.js';
import { addLive } from '../../src/bridge/outbox.js';
import { People } from '../../src/bridge/people.js';
import { startRecord } from '../../src/bridge/person-record.js';
import { ABSENCE_ANSWERS, ABSENCE_MS } from '../../src/bridge/presence.js';
import { SlugRegistry } from '../../src/bridge/slugs.js';
import { EMPTY_LIVE_MEMORY, judgeLive } from '../../src/bridge/time-sanity.js';
import { type Tombstone, tombstoneOf } from '../../src/bridge/tombstones.js';
import { connection, reading, T0 } from './fixtures.js';
import { record } from './record-fixtures.js';

const MIN = 60_000;

describe('People: two accounts, one person', () => {
  const accounts = [
    { key: 'a', follows: () => true },
    { key: 'b', follows: () => true },
  ];
  const make = () => new People<Tracked>(accounts, new SlugRegistry(), trackedFrom);
  const c = connection();

  /** Each account answers `n` times without the person, `stepMs` apart, starting at `from`. */
  function absent(people: People<Tracked>, keys: string[], n: number, from: number, stepMs: number) {
    const gone: string[] = [];
    for (let i = 0; i < n; i++)
      for (const k of keys)
        gone.push(...people.answered(k, new Set(), from + i * stepMs).gone.map((t) => t.slug));
    return gone;
  }

  it('one record, one slug, whichever account sees the person first', () => {
    const people = make();
    const first = people.adopt('a', c, 'anna_smith', T0);
    const second = people.adopt('b', c, 'anna_smith', T0);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.record).toBe(first.record);
    expect(people.all()).toHaveLength(1);
    expect(people.ownerOf(c.patientId, T0)).toBe('a');
  });

  it('the slug follows the first configured name, whichever account answers first', () => {
    const people = new People<Tracked>(
      [
        { key: 'a', follows: () => true, nameFor: () => 'Mum' },
        { key: 'b', follows: () => true },
      ],
      new SlugRegistry(),
      trackedFrom,
    );
    expect(people.adopt('b', c, 'anna_smith', T0).record.slug).toBe('mum');
  });

  it('kept while one account still follows; removed once both confirmed the absence', () => {
    const people = make();
    people.adopt('a', c, 'anna_smith', T0);
    people.adopt('b', c, 'anna_smith', T0);
    // a stops following for good; b still answers with the person.
    const step = ABSENCE_MS / (ABSENCE_ANSWERS - 1);
    for (let i = 0; i < ABSENCE_ANSWERS + 2; i++) {
      const out = people.answered('a', new Set(), T0 + i * step);
      expect(out.gone).toEqual([]);
      people.answered('b', new Set([c.patientId]), T0 + i * step);
    }
    expect(people.heldBy('a', T0 + 10 * step).size).toBe(0);
    expect(people.heldBy('b', T0 + 10 * step).size).toBe(1);
    expect(people.ownerOf(c.patientId, T0 + 10 * step)).toBe('b');
    // now b stops too: not at its first empty answer, only once confirmed.
    const t1 = T0 + 20 * step;
    expect(absent(people, ['b'], ABSENCE_ANSWERS, t1, MIN)).toEqual([]);
    expect(people.get(c.patientId)).toBeDefined();
    expect(absent(people, ['b'], 1, t1 + ABSENCE_MS, MIN)).toEqual(['anna_smith']);
    expect(people.get(c.patientId)).toBeUndefined();
  });

  it('an account that never answers again keeps the person (a failed poll confirms nothing)', () => {
    const people = make();
    people.adopt('a', c, 'anna_smith', T0);
    people.adopt('b', c, 'anna_smith', T0);
    expect(absent(people, ['a'], 20, T0, 5 * MIN)).toEqual([]);
    expect(people.get(c.patientId)).toBeDefined();
  });

  it('one transient empty answer: reported missing, then back, nothing removed', () => {
    const people = make();
    people.adopt('a', c, 'anna_smith', T0);
    const first = people.answered('a', new Set(), T0);
    expect(first.missing).toHaveLength(1);
    expect(first.gone).toEqual([]);
    const next = people.answered('a', new Set([c.patientId]), T0 + MIN);
    expect(next.back).toHaveLength(1);
  });

  it('removed and back: the tombstone carries the watermark, newest reading, alerts and slug', () => {
    const people = make();
    const { record } = people.adopt('a', c, 'mum', T0);
    record.log = { ...record.log, lastPublishedTs: T0 };
    record.latest = reading(T0, 60);
    record.alerts = { ...EMPTY_ALERT_MEMORY, range: 'low' };
    expect(absent(people, ['a'], ABSENCE_ANSWERS + 1, T0, ABSENCE_MS / 2)).toEqual(['mum']);
    const saved = people.tombstonesNow(T0 + ABSENCE_MS * 2);
    expect(saved[c.patientId]?.lastPublishedTs).toBe(T0);
    const back = people.adopt('b', c, 'anna_smith', T0 + ABSENCE_MS * 3);
    expect(back.returning).toBe(true);
    expect(back.record.slug).toBe('mum');
    expect(back.record.log.lastPublishedTs).toBe(T0);
    expect(back.record.latest?.timestamp).toBe(T0);
    expect(back.record.alerts.range).toBe('low');
    expect(people.tombstonesNow(T0 + ABSENCE_MS * 3)[c.patientId]).toBeUndefined();
  });

  it('load: two files holding the person become one record, followed by both', () => {
    const people = make();
    people.load(
      [
        { key: 'a', patients: { [c.patientId]: record({ published: T0 }) } },
        { key: 'b', patients: { [c.patientId]: record({ published: T0 + MIN }) } },
      ],
      T0 + 2 * MIN,
    );
    expect(people.all()).toHaveLength(1);
    expect(people.get(c.patientId)?.log.lastPublishedTs).toBe(T0 + MIN);
    expect(people.heldBy('a', T0).size).toBe(1);
    expect(people.heldBy('b', T0).size).toBe(1);
  });

  it('load: a tombstone further than the live record moves its watermark on', () => {
    const people = make();
    const t: Tombstone = {
      slug: 'anna_smith',
      latest: null,
      lastPublishedTs: T0 + 5 * MIN,
      alerts: EMPTY_ALERT_MEMORY,
      removedAt: T0,
    };
    people.load(
      [
        {
          key: 'a',
          patients: { [c.patientId]: record({ published: T0, queued: [T0 + MIN, T0 + 6 * MIN] }) },
        },
        { key: 'b', patients: {}, gone: { [c.patientId]: t } },
      ],
      T0 + 10 * MIN,
    );
    expect(people.get(c.patientId)?.log.lastPublishedTs).toBe(T0 + 5 * MIN);
    expect(people.get(c.patientId)?.log.outbox.map((r) => r.timestamp)).toEqual([T0 + 6 * MIN]);
  });

  it('load: held by an account that no longer lists them, included by another: kept, followed by the other', () => {
    const people = new People<Tracked>(
      [
        { key: 'a', follows: () => false },
        { key: 'b', follows: () => true },
      ],
      new SlugRegistry(),
      trackedFrom,
    );
    people.load([{ key: 'a', patients: { [c.patientId]: record({ published: T0 }) } }], T0);
    expect(people.takeRemovedAtStart('a')).toEqual([]);
    expect(people.heldBy('b', T0).size).toBe(1);
    expect(people.heldBy('a', T0).size).toBe(0);
  });

  it('load: a person no configuration includes any more is removed at start, once', () => {
    const people = new People<Tracked>(
      [
        { key: 'a', follows: () => false },
        { key: 'b', follows: () => false },
      ],
      new SlugRegistry(),
      trackedFrom,
    );
    people.load(
      [
        { key: 'a', patients: { [c.patientId]: record({ published: T0 }) } },
        { key: 'b', patients: { [c.patientId]: record({ published: T0 }) } },
      ],
      T0,
    );
    expect(people.all()).toEqual([]);
    expect(people.takeRemovedAtStart('a').map((t) => t.slug)).toEqual(['anna_smith']);
    expect(people.takeRemovedAtStart('b')).toEqual([]);
    expect(people.tombstonesNow(T0)[c.patientId]?.lastPublishedTs).toBe(T0);
  });
});

describe('a person removed while readings were still queued', () => {
  it('comes back: the newest reading, never published on <patient>/reading, is published then (and nothing published is repeated)', () => {
    const x = reading(T0 + 10 * MIN, 55);
    // X was shown on the state topic but still queued (broker down, or held for a gap) when removed.
    const removed = record({ latest: x, published: T0 + 5 * MIN, queued: [T0 + 10 * MIN] });
    const back = startRecord(connection(), 'anna_smith', tombstoneOf(removed, T0 + 30 * MIN));
    const outcome = judgeLive(EMPTY_LIVE_MEMORY, {
      reading: x,
      newest: back.latest,
      upstreamNow: x.timestamp,
    });
    expect(outcome.accept).toEqual([x]);
    expect(addLive(back.log, x, MIN, T0 + 40 * MIN).outbox).toEqual([x]);
    // Published before removal: not new when back.
    const done = record({ latest: x, published: x.timestamp });
    const again = startRecord(connection(), 'anna_smith', tombstoneOf(done, T0 + 30 * MIN));
    expect(
      judgeLive(EMPTY_LIVE_MEMORY, { reading: x, newest: again.latest, upstreamNow: x.timestamp }).accept,
    ).toEqual([]);
  });
});
