// What is kept of a removed person (a tombstone): their published watermark, newest reading and
// alert memory, kept for a while, so a person who comes back is not sent readings or events again
// that were already published.

import type { Reading } from '../librelinkup/model.js';
import type { AlertMemory } from './alerts.js';
import type { PersistedPatient } from './persisted.js';

/** What is kept of a removed person. */
export interface Tombstone {
  slug: string;
  /** newest reading, when it was published; a returning person's same reading is then not new */
  latest: Reading | null;
  /** newest reading acknowledged on `<patient>/reading` */
  lastPublishedTs: number | null;
  alerts: AlertMemory;
  removedAt: number;
}

/** Tombstones older than this are forgotten (a person back after a month starts afresh). */
export const TOMBSTONE_TTL_MS = 30 * 24 * 60 * 60_000;
/** At most this many tombstones are kept (the newest), so state files stay small. */
export const TOMBSTONE_MAX = 100;

/**
 * A live record and a tombstone of the same person (files written at different times): nothing up to
 * the tombstone's watermark is published again.
 */
export function pastTombstone(p: PersistedPatient, t: Tombstone | undefined): PersistedPatient {
  const mark = t?.lastPublishedTs ?? null;
  if (mark === null || mark <= (p.log.lastPublishedTs ?? Number.NEGATIVE_INFINITY)) return p;
  const { outbox, gap } = p.log;
  return {
    ...p,
    log: {
      lastPublishedTs: mark,
      outbox: outbox.filter((r) => r.timestamp > mark),
      gap: gap !== null && gap.to > mark ? gap : null,
    },
  };
}

export function tombstoneOf(p: PersistedPatient, now: number): Tombstone {
  // A newest reading still queued (broker down, or held for a gap) was never on <patient>/reading:
  // kept, it would make the same reading look old when the person is back, and it would never be.
  const published =
    p.latest !== null && p.latest.timestamp <= (p.log.lastPublishedTs ?? Number.NEGATIVE_INFINITY);
  return {
    slug: p.slug,
    latest: published ? p.latest : null,
    lastPublishedTs: p.log.lastPublishedTs,
    alerts: p.alerts,
    removedAt: now,
  };
}

function isTombstone(value: unknown): value is Tombstone {
  const t = value as Partial<Tombstone> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.slug === 'string' &&
    Number.isFinite(t.removedAt) &&
    (t.lastPublishedTs === null || Number.isFinite(t.lastPublishedTs)) &&
    (t.latest === null || (Number.isFinite(t.latest?.timestamp) && Number.isFinite(t.latest?.mgdl))) &&
    typeof t.alerts === 'object' &&
    t.alerts !== null
  );
}

/**
 * Tombstones from several files (or in memory) into one bounded set: per person the furthest
 * watermark wins; expired ones and all but the newest TOMBSTONE_MAX are dropped; malformed ones skipped.
 */
export function mergeTombstones(
  sets: ReadonlyArray<Readonly<Record<string, unknown>> | undefined>,
  now: number,
): Record<string, Tombstone> {
  const byId = new Map<string, Tombstone>();
  for (const set of sets) {
    for (const [id, t] of Object.entries(set ?? {})) {
      if (!isTombstone(t) || now - t.removedAt > TOMBSTONE_TTL_MS) continue;
      const held = byId.get(id);
      const mark = (x: Tombstone) => x.lastPublishedTs ?? Number.NEGATIVE_INFINITY;
      if (
        held === undefined ||
        mark(t) > mark(held) ||
        (mark(t) === mark(held) && t.removedAt > held.removedAt)
      )
        byId.set(id, t);
    }
  }
  const kept = [...byId.entries()].sort((a, b) => b[1].removedAt - a[1].removedAt).slice(0, TOMBSTONE_MAX);
  return Object.fromEntries(kept);
}
