// The shared per-person records: merging what several state files hold, tombstones, and the
// registry's answers to "who follows whom" (people.ts).
import { describe, expect, it } from 'vitest';
import { type Tracked, trackedFrom } from '../../src/bridge/account-poller.js';
import { EMPTY_ALERT_MEMORY } from '../../src/bridge/alerts.js';
import { EMPTY_CADENCE } from '../../src/bridge/cadence.js';
import { addLive, EMPTY_LOG, type ReadingLog } from '../../src/bridge/outbox.js';
import { People } from '../../src/bridge/people.js';
import { mergeRecords, startRecord } from '../../src/bridge/person-record.js';
import { ABSENCE_ANSWERS, ABSENCE_MS } from '../../src/bridge/presence.js';
import { SlugRegistry } from '../../src/bridge/slugs.js';
import type { PersistedPatient } from '../../src/bridge/store.js';
import { EMPTY_LIVE_MEMORY, judgeLive } from '../../src/bridge/time-sanity.js';
import {
  mergeTombstones,
  TOMBSTONE_MAX,
  TOMBSTONE_TTL_MS,
  type Tombstone,
  tombstoneOf,
} from '../../src/bridge/tombstones.js';
import { connection, reading, T0 } from './fixtures.js';

const MIN = 60_000;

function record(over: Partial<PersistedPatient> & { published?: number | null; queued?: number[] } = {}) {
  const { published = null, queued = [], ...rest } = over;
  const log: ReadingLog = {
    ...EMPTY_LOG,
    lastPublishedTs: published,
    outbox: queued.map((t) => reading(t, 100)),
  };
  return {
    slug: 'anna_smith',
    connection: connection(),
    latest: null,
    log,
    alerts: EMPTY_ALERT_MEMORY,
    cadence: EMPTY_CADENCE,
    ...rest,
  } satisfies PersistedPatient;
}

describe('mergeRecords: one person in several state files', () => {
  it.each([
    {
      why: 'furthest watermark wins, queued readings behind it dropped',
      records: [
        record({ published: T0, queued: [T0 + MIN] }),
        record({ published: T0 + 2 * MIN, queued: [T0 + 3 * MIN] }),
      ],
      published: T0 + 2 * MIN,
      queued: [T0 + 3 * MIN],
    },
    {
      why: 'queued readings of both beyond the watermark kept once, in order',
      records: [
        record({ published: T0, queued: [T0 + 2 * MIN, T0 + 3 * MIN] }),
        record({ published: T0, queued: [T0 + MIN, T0 + 2 * MIN] }),
      ],
      published: T0,
      queued: [T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN],
    },
    {
      why: 'a never-published record does not pull the watermark back',
      records: [record({ published: null, queued: [T0] }), record({ published: T0 + MIN })],
      published: T0 + MIN,
      queued: [],
    },
  ])('$why', ({ records, published, queued }) => {
    const merged = mergeRecords(records);
    expect(merged.log.lastPublishedTs).toBe(published);
    expect(merged.log.outbox.map((r) => r.timestamp)).toEqual(queued);
  });

  it('keeps the first slug (topics never move) and the newest reading with its alert memory', () => {
    const low = { ...EMPTY_ALERT_MEMORY, range: 'low' as const };
    const merged = mergeRecords([
      record({ slug: 'mum', latest: reading(T0, 100) }),
      record({ slug: 'anna_smith', latest: reading(T0 + MIN, 60), alerts: low }),
    ]);
    expect(merged.slug).toBe('mum');
    expect(merged.latest?.timestamp).toBe(T0 + MIN);
    expect(merged.alerts).toEqual(low);
  });

  it('drops a gap the watermark has passed', () => {
    const gapped = record({ published: T0 });
    gapped.log = {
      ...gapped.log,
      gap: { from: T0 - 10 * MIN, to: T0 - MIN, coveredUntil: T0 - 10 * MIN, openedAt: T0, nextGraphAt: T0 },
    };
    expect(mergeRecords([gapped]).log.gap).toBeNull();
  });
});

describe('tombstones', () => {
  const tomb = (removedAt: number, lastPublishedTs: number | null = T0): Tombstone => ({
    slug: 'anna_smith',
    latest: null,
    lastPublishedTs,
    alerts: EMPTY_ALERT_MEMORY,
    removedAt,
  });

  it.each([
    {
      why: 'furthest watermark wins',
      sets: [{ p: tomb(T0, T0) }, { p: tomb(T0, T0 + MIN) }],
      expected: T0 + MIN,
    },
    {
      why: 'expired ones are forgotten',
      sets: [{ p: tomb(T0 - TOMBSTONE_TTL_MS - 1) }],
      expected: undefined,
    },
    { why: 'malformed ones are skipped', sets: [{ p: { slug: 3 } }, { p: 'x' }], expected: undefined },
    { why: 'a missing set is nothing', sets: [undefined], expected: undefined },
  ])('$why', ({ sets, expected }) => {
    expect(mergeTombstones(sets, T0).p?.lastPublishedTs).toBe(expected);
  });

  it(`keeps at most ${TOMBSTONE_MAX}, the newest`, () => {
    const many = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, tomb(T0 - i * MIN)]));
    const kept = mergeTombstones([many], T0);
    expect(Object.keys(kept)).toHaveLength(TOMBSTONE_MAX);
    expect(kept.p0).toBeDefined();
    expect(kept.p249).toBeUndefined();
  });

  it('a returning person starts where the tombstone left off', () => {
    const low = { ...EMPTY_ALERT_MEMORY, range: 'low' as const };
    const t = tombstoneOf(record({ published: T0, latest: reading(T0, 60), alerts: low }), T0 + MIN);
    const back = startRecord(connection(), 'anna_smith', t);
    expect(back.log.lastPublishedTs).toBe(T0);
    expect(back.latest?.timestamp).toBe(T0);
    expect(back.alerts).toEqual(low);
    expect(startRecord(connection(), 'anna_smith', undefined).log).toEqual(EMPTY_LOG);
  });
});

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
