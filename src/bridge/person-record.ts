// One person's record from what the state files held: several files' records merged into one, or
// the record a person starts with (afresh, or where their tombstone left off).

import type { Connection, Reading } from '../librelinkup/model.js';
import { EMPTY_ALERT_MEMORY } from './alerts.js';
import { EMPTY_CADENCE } from './cadence.js';
import { EMPTY_LOG, type ReadingLog } from './outbox.js';
import type { PersistedPatient } from './persisted.js';
import type { Tombstone } from './tombstones.js';

function newestTs(p: { latest: Reading | null }): number {
  return p.latest?.timestamp ?? Number.NEGATIVE_INFINITY;
}

/**
 * One record from the records several state files hold for the same person (config order first):
 * the first one's slug (topics never move), the newest reading with the connection, alert memory and
 * cadence that came with it, and the furthest published watermark, so nothing is published twice.
 */
export function mergeRecords(records: readonly PersistedPatient[]): PersistedPatient {
  const first = records[0];
  if (first === undefined) throw new Error('mergeRecords needs at least one record');
  const newest = records.reduce((a, b) => (newestTs(b) > newestTs(a) ? b : a));
  const furthest = records.reduce((a, b) =>
    (b.log.lastPublishedTs ?? Number.NEGATIVE_INFINITY) > (a.log.lastPublishedTs ?? Number.NEGATIVE_INFINITY)
      ? b
      : a,
  );
  return {
    ...newest,
    slug: first.slug,
    log: mergeLogs(
      furthest.log,
      records.map((r) => r.log),
    ),
  };
}

/** The furthest log, plus every queued reading of the others not yet behind its watermark. */
function mergeLogs(furthest: ReadingLog, logs: readonly ReadingLog[]): ReadingLog {
  const mark = furthest.lastPublishedTs ?? Number.NEGATIVE_INFINITY;
  const queued = new Map<number, Reading>();
  for (const log of logs) for (const r of log.outbox) if (r.timestamp > mark) queued.set(r.timestamp, r);
  const outbox = [...queued.values()].sort((a, b) => a.timestamp - b.timestamp);
  const gap = furthest.gap !== null && furthest.gap.to > mark ? furthest.gap : null;
  return { lastPublishedTs: furthest.lastPublishedTs, outbox, gap };
}

/** The record a person starts with: afresh, or where their tombstone left off. */
export function startRecord(
  connection: Connection,
  slug: string,
  tombstone: Tombstone | undefined,
): PersistedPatient {
  const log: ReadingLog =
    tombstone === undefined ? EMPTY_LOG : { ...EMPTY_LOG, lastPublishedTs: tombstone.lastPublishedTs };
  return {
    slug,
    connection,
    latest: tombstone?.latest ?? null,
    log,
    alerts: tombstone?.alerts ?? EMPTY_ALERT_MEMORY,
    cadence: EMPTY_CADENCE,
  };
}
