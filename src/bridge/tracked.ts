// The live record of one followed person: what is persisted (store.ts) plus what lives in memory for
// this run. One record per person, shared by every account that follows them (people.ts); the account
// cores update it in place, which is the point of sharing it: a reading seen through two accounts is
// accepted, published and alerted once.

import type { Reading } from '../librelinkup/model.js';
import { isStale } from './classify.js';
import { addToHistory, type History } from './history.js';
import { rewind } from './outbox.js';
import { NOT_SEEDED, type SeedState } from './seeding.js';
import type { PersistedPatient } from './store.js';
import type { TimeTracked } from './time-guard.js';

export interface Tracked extends PersistedPatient {
  /** last 24 h of readings for time in range, average and GMI; kept in memory (and history-store.ts) */
  history: History;
  /** the one graph read per run that seeds ~12 h of history (seeding.ts) */
  seed: SeedState;
  /** whether the readings stored in data_dir (history-store.ts) were merged in this run */
  historyLoaded?: boolean;
  /** shown stale at the last refresh: the tick that marks a reading stale is not due again */
  stale: boolean;
  /** one account is publishing this person's reading log (one publish awaited at a time) */
  draining: boolean;
  /** what was stored has been judged against LibreLinkUp's clock (time-guard.ts forgetAhead) */
  clockChecked?: boolean;
  /**
   * The readings accepted lately (time and value), whatever this machine's clock says (`history`
   * keeps only what its clock finds plausible): another account showing one again is a replay.
   */
  recent?: readonly string[];
}

/** Accepted readings remembered for replay detection: an hour at one per minute. */
export const RECENT_MAX = 60;

export function readingKey(r: Reading): string {
  return `${r.timestamp}:${r.mgdl}`;
}

/** The live record of a person from what was persisted (or a starting record). */
export function trackedFrom(saved: PersistedPatient, now: number): Tracked {
  return {
    ...saved,
    history: addToHistory([], saved.latest ? [saved.latest] : [], now),
    seed: NOT_SEEDED,
    stale: isStale(saved.latest, now),
    draining: false,
  };
}

/** What is persisted of a record (the in-memory fields dropped). */
export function persistedOf(t: Tracked): PersistedPatient {
  return {
    slug: t.slug,
    connection: t.connection,
    latest: t.latest,
    log: t.log,
    alerts: t.alerts,
    cadence: t.cadence,
  };
}

/** Forget a patient's readings at or after `from` (an abandoned or impossible timeline; see time-sanity.ts). */
export function forgetFrom(t: Tracked, from: number): void {
  if (t.latest !== null && t.latest.timestamp >= from) t.latest = null;
  t.log = rewind(t.log, from);
  t.history = t.history.filter((r) => r.timestamp < from);
}

/** What the time guard may read and correct of a record. */
export function forTime(patientId: string, t: Tracked): TimeTracked {
  return {
    patientId,
    slug: t.slug,
    newestTs: Math.max(
      t.latest?.timestamp ?? 0,
      t.log.lastPublishedTs ?? 0,
      t.log.outbox.at(-1)?.timestamp ?? 0,
    ),
    forgetFrom: (from: number) => forgetFrom(t, from),
  };
}
