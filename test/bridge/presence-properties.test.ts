// Property tests of one person, one stream: removal only after a confirmed absence by every follower,
// merged state files never move a watermark back, tombstones stay bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Tracked, trackedFrom } from '../../src/bridge/account-poller.js';
import { EMPTY_ALERT_MEMORY } from '../../src/bridge/alerts.js';
import { EMPTY_CADENCE } from '../../src/bridge/cadence.js';
import { People } from '../../src/bridge/people.js';
import { mergeRecords } from '../../src/bridge/person-record.js';
import { ABSENCE_ANSWERS, ABSENCE_MS } from '../../src/bridge/presence.js';
import { SlugRegistry } from '../../src/bridge/slugs.js';
import type { PersistedPatient } from '../../src/bridge/store.js';
import { mergeTombstones, TOMBSTONE_MAX, TOMBSTONE_TTL_MS } from '../../src/bridge/tombstones.js';
import { connection, reading, T0 } from './fixtures.js';

const MIN = 60_000;
const KEYS = ['a', 'b', 'c'] as const;

describe('presence across accounts (property)', () => {
  const answer = fc.record({
    key: fc.constantFrom(...KEYS),
    seen: fc.boolean(),
    /** time since the previous answer of any account */
    dt: fc.integer({ min: 0, max: 6 * MIN }),
  });

  it('a person is removed exactly when every account following them confirmed the absence', () => {
    fc.assert(
      fc.property(fc.array(answer, { maxLength: 80 }), (answers) => {
        const people = new People<Tracked>(
          KEYS.map((key) => ({ key, follows: () => true })),
          new SlugRegistry(),
          trackedFrom,
        );
        const c = connection();
        // Model: per following account, the answers without the person since it last saw them.
        let followers = new Map<string, number[]>();
        let now = T0;
        for (const { key, seen, dt } of answers) {
          now += dt;
          // Removal is decided when an account that follows the person answers; an answer of an
          // account that never saw them changes nothing, however much time has passed.
          const follower = seen || followers.has(key);
          if (seen) people.adopt(key, c, 'anna_smith', now);
          const out = people.answered(key, seen ? new Set([c.patientId]) : new Set(), now);
          if (seen) followers.set(key, []);
          else followers.get(key)?.push(now);
          const confirmed = (misses: number[]) =>
            misses.length >= ABSENCE_ANSWERS && now - misses[0]! >= ABSENCE_MS;
          const gone = follower && followers.size > 0 && [...followers.values()].every(confirmed);
          expect(out.gone.length).toBe(gone ? 1 : 0);
          if (gone) followers = new Map();
          expect(people.get(c.patientId) !== undefined).toBe(followers.size > 0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a single empty answer never removes anyone', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KEYS), fc.integer({ min: 0, max: 24 * 60 * MIN }), (key, dt) => {
        const people = new People<Tracked>(
          KEYS.map((k) => ({ key: k, follows: () => true })),
          new SlugRegistry(),
          trackedFrom,
        );
        people.adopt(key, connection(), 'anna_smith', T0);
        expect(people.answered(key, new Set(), T0 + dt).gone).toEqual([]);
      }),
    );
  });
});

describe('merging state files (property)', () => {
  const ts = fc.integer({ min: 0, max: 100 }).map((k) => T0 + k * MIN);
  const record = fc
    .record({ published: fc.option(ts, { nil: null }), queued: fc.uniqueArray(ts, { maxLength: 6 }) })
    .map(
      ({ published, queued }): PersistedPatient => ({
        slug: 'anna_smith',
        connection: connection(),
        latest: null,
        log: {
          lastPublishedTs: published,
          outbox: queued
            .filter((t) => published === null || t > published)
            .sort((x, y) => x - y)
            .map((t) => reading(t, 100)),
          gap: null,
        },
        alerts: EMPTY_ALERT_MEMORY,
        cadence: EMPTY_CADENCE,
      }),
    );

  it('the furthest watermark wins and every reading queued beyond it is kept once, in order', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 4 }), (records) => {
        const merged = mergeRecords(records);
        const marks = records.map((r) => r.log.lastPublishedTs ?? Number.NEGATIVE_INFINITY);
        const mark = Math.max(...marks);
        expect(merged.log.lastPublishedTs ?? Number.NEGATIVE_INFINITY).toBe(mark);
        const out = merged.log.outbox.map((r) => r.timestamp);
        expect(out).toEqual([...new Set(out)].sort((x, y) => x - y));
        const expected = new Set(
          records.flatMap((r) => r.log.outbox.map((x) => x.timestamp)).filter((t) => t > mark),
        );
        expect(new Set(out)).toEqual(expected);
      }),
    );
  });
});

describe('tombstones (property)', () => {
  it('never more than TOMBSTONE_MAX, none expired, whatever the files hold', () => {
    const tomb = fc.record({
      slug: fc.string(),
      latest: fc.constant(null),
      lastPublishedTs: fc.option(fc.integer(), { nil: null }),
      alerts: fc.constant(EMPTY_ALERT_MEMORY),
      removedAt: fc.integer({ min: T0 - 2 * TOMBSTONE_TTL_MS, max: T0 }),
    });
    const set = fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.oneof(tomb, fc.anything()), {
      maxKeys: 150,
    });
    fc.assert(
      fc.property(fc.array(set, { maxLength: 3 }), (sets) => {
        const kept = mergeTombstones(sets, T0);
        expect(Object.keys(kept).length).toBeLessThanOrEqual(TOMBSTONE_MAX);
        for (const t of Object.values(kept)) expect(T0 - t.removedAt).toBeLessThanOrEqual(TOMBSTONE_TTL_MS);
      }),
      { numRuns: 50 },
    );
  });
});
