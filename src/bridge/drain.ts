// Publishing a person's reading log (outbox.ts): live readings first, then a gap's backfill, one
// reading handed to the sink at a time, each marked published only once the sink acknowledged it.
// The state file is written when a run of publishes ends, not after each reading.

import type { AccountState, CoreWorld } from './account-events.js';
import { type Effect, logLine } from './effects.js';
import { markPublished, nextToPublish } from './outbox.js';
import { namingSnapshot, readingNow } from './snapshot.js';
import type { Tracked } from './tracked.js';

/** A reading the sink could not take (broker down) is offered again after this long. */
export const PUBLISH_RETRY_MS = 5_000;

export interface Step {
  state: AccountState;
  effects: Effect[];
}

/** The record of `patientId` if it is still the one followed (a removed person is not published). */
function current(world: CoreWorld, patientId: string, t?: Tracked): Tracked | undefined {
  const record = world.people.get(patientId);
  return t === undefined || record === t ? record : undefined;
}

/** Start publishing the person's log unless a publish is already awaited for them. */
export function drain(world: CoreWorld, state: AccountState, t: Tracked, now: number): Effect[] {
  if (!state.running || t.draining) return [];
  return offerNext(world, t, now, false);
}

function offerNext(world: CoreWorld, t: Tracked, now: number, published: boolean): Effect[] {
  const next = nextToPublish(t.log, now);
  const patientId = t.connection.patientId;
  if (next === null || current(world, patientId, t) === undefined) {
    t.draining = false;
    return published ? [{ type: 'persist' }] : [];
  }
  t.draining = true;
  return [
    {
      type: 'publishReading',
      patientId,
      snapshot: namingSnapshot(world, t, readingNow(world, now)),
      reading: next.reading,
      backfilled: next.backfilled,
    },
  ];
}

/** The sink acknowledged a reading: mark it, offer the next one (only while running). */
export function onPublished(
  world: CoreWorld,
  state: AccountState,
  patientId: string,
  timestamp: number,
  now: number,
): Step {
  const t = current(world, patientId);
  if (t === undefined) return { state, effects: [{ type: 'persist' }] };
  t.log = markPublished(t.log, timestamp);
  if (!state.running) {
    t.draining = false;
    return { state, effects: [{ type: 'persist' }] };
  }
  return { state, effects: offerNext(world, t, now, true) };
}

/** The sink failed: the reading stays queued and is offered again in PUBLISH_RETRY_MS. */
export function onPublishFailed(
  world: CoreWorld,
  state: AccountState,
  patientId: string,
  error: unknown,
  now: number,
): Step {
  const t = current(world, patientId);
  if (t !== undefined) t.draining = false;
  const slug = t?.slug ?? null;
  return {
    state: { ...state, publishRetryAt: { ...state.publishRetryAt, [patientId]: now + PUBLISH_RETRY_MS } },
    effects: [
      logLine('error', 'could not publish a reading; will retry', { patient: slug, err: error }),
      // What was published before the failure is kept.
      { type: 'persist' },
    ],
  };
}

/** Publish retries that are due. */
export function retryDue(world: CoreWorld, state: AccountState, now: number): Step {
  const due = Object.entries(state.publishRetryAt).filter(([, at]) => at <= now);
  if (due.length === 0) return { state, effects: [] };
  const publishRetryAt = Object.fromEntries(
    Object.entries(state.publishRetryAt).filter(([, at]) => at > now),
  );
  const next = { ...state, publishRetryAt };
  const effects: Effect[] = [];
  for (const [patientId] of due) {
    const t = current(world, patientId);
    if (t !== undefined) effects.push(...drain(world, next, t, now));
  }
  return { state: next, effects };
}
