// One person held by several state files becomes one record; a removed person's tombstone keeps what
// was published, so a returning person is sent nothing twice (person-record.ts, tombstones.ts).
import { describe, expect, it } from 'vitest';
import { EMPTY_ALERT_MEMORY } from '../../src/bridge/alerts.js';
import { EMPTY_LOG } from '../../src/bridge/outbox.js';
import { mergeRecords, startRecord } from '../../src/bridge/person-record.js';
import {
  mergeTombstones,
  TOMBSTONE_MAX,
  TOMBSTONE_TTL_MS,
  type Tombstone,
  tombstoneOf,
} from '../../src/bridge/tombstones.js';
import { connection, reading, T0 } from './fixtures.js';
import { record } from './record-fixtures.js';

const MIN = 60_000;

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
