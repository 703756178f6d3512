// The ordered, gap-free reading log of one patient, as pure data. Live readings go to the state
// topic at once (freshness), while `<patient>/reading` carries every reading exactly once, oldest
// first. When readings were missed (bridge or upstream down), the log holds newer readings back
// until the graph, which lags 15-20 minutes and has 5-minute spacing, has covered the gap, or
// until MAX_GAP_HOLD_MS passes, so nothing is published out of order.

import type { Reading } from '../librelinkup/model.js';

export interface Gap {
  /** newest reading before the gap */
  from: number;
  /** first reading after the gap */
  to: number;
  /** newest graph point seen since the gap opened; readings up to here are final */
  coveredUntil: number;
  openedAt: number;
  /** earliest time to ask the graph again */
  nextGraphAt: number;
}

export interface ReadingLog {
  /** timestamp of the newest reading acknowledged by the broker */
  lastPublishedTs: number | null;
  /** readings not yet acknowledged, oldest first, all newer than lastPublishedTs */
  outbox: Reading[];
  gap: Gap | null;
}

export const EMPTY_LOG: ReadingLog = { lastPublishedTs: null, outbox: [], gap: null };
export const MAX_GAP_HOLD_MS = 30 * 60_000;
export const GRAPH_RECHECK_MS = 5 * 60_000;
/** graphData covers about 12 hours; older gaps cannot be filled */
export const GRAPH_WINDOW_MS = 12 * 60 * 60_000;
/** graph points are 5 minutes apart (298-302 s seen, sometimes 4 min) */
const GRAPH_SPACING_MS = 5 * 60_000;

function newestKnown(log: ReadingLog): number | null {
  const last = log.outbox.at(-1);
  return last !== undefined ? last.timestamp : log.lastPublishedTs;
}

function insertSorted(outbox: readonly Reading[], reading: Reading): Reading[] {
  if (outbox.some((r) => r.timestamp === reading.timestamp)) return [...outbox];
  const next = [...outbox, reading];
  next.sort((a, b) => a.timestamp - b.timestamp);
  return next;
}

/** Queue a live reading. A spacing of more than 1.5 periods since the last known one opens a gap. */
export function addLive(log: ReadingLog, reading: Reading, periodMs: number, now: number): ReadingLog {
  const known = newestKnown(log);
  if (known !== null && reading.timestamp <= known) return log;
  let gap = log.gap;
  if (gap === null && known !== null && reading.timestamp - known > periodMs * 1.5) {
    const from = Math.max(known, now - GRAPH_WINDOW_MS);
    gap = { from, to: reading.timestamp, coveredUntil: from, openedAt: now, nextGraphAt: now };
  }
  return { ...log, outbox: insertSorted(log.outbox, reading), gap };
}

/** Fill the open gap from graph points (oldest first); close it once the graph has caught up. */
export function addGraph(log: ReadingLog, points: readonly Reading[], now: number): ReadingLog {
  const gap = log.gap;
  if (gap === null) return log;
  let outbox = log.outbox;
  let newest = gap.coveredUntil;
  // Points already published (a re-check returns them again) must never be queued twice.
  const after = Math.max(gap.from, log.lastPublishedTs ?? Number.NEGATIVE_INFINITY);
  for (const p of points) {
    newest = Math.max(newest, p.timestamp);
    if (p.timestamp > after && p.timestamp < gap.to) outbox = insertSorted(outbox, p);
  }
  const caughtUp = newest >= gap.to - GRAPH_SPACING_MS;
  const expired = now - gap.openedAt >= MAX_GAP_HOLD_MS;
  const nextGap =
    caughtUp || expired ? null : { ...gap, coveredUntil: newest, nextGraphAt: now + GRAPH_RECHECK_MS };
  return { ...log, outbox, gap: nextGap };
}

/** A graph request failed or the patient is gone from the graph: try later, or give up when expired. */
export function graphUnavailable(log: ReadingLog, now: number): ReadingLog {
  if (log.gap === null) return log;
  if (now - log.gap.openedAt >= MAX_GAP_HOLD_MS) return { ...log, gap: null };
  return { ...log, gap: { ...log.gap, nextGraphAt: now + GRAPH_RECHECK_MS } };
}

export function wantsGraph(log: ReadingLog, now: number): boolean {
  return log.gap !== null && now >= log.gap.nextGraphAt;
}

/** The oldest reading that may be published now, or null. */
export function nextToPublish(log: ReadingLog, now: number): Reading | null {
  const first = log.outbox[0];
  if (first === undefined) return null;
  const gap = log.gap;
  if (gap === null || now - gap.openedAt >= MAX_GAP_HOLD_MS) return first;
  // Before the gap, or inside it and already final (the graph has moved past it).
  if (first.timestamp <= gap.from || (first.timestamp < gap.to && first.timestamp <= gap.coveredUntil))
    return first;
  return null;
}

export function markPublished(log: ReadingLog, timestamp: number): ReadingLog {
  const outbox = log.outbox.filter((r) => r.timestamp > timestamp);
  const lastPublishedTs = Math.max(log.lastPublishedTs ?? timestamp, timestamp);
  let gap = log.gap;
  if (gap !== null && gap.to <= lastPublishedTs) gap = null;
  return { lastPublishedTs, outbox, gap };
}

/**
 * Forget everything at or after `from` (an abandoned timeline: see time-sanity.ts): unpublished
 * readings from then on are dropped, and a watermark at or after it is cleared, so readings older
 * than it are accepted again. The open gap is dropped with them.
 */
export function rewind(log: ReadingLog, from: number): ReadingLog {
  const outbox = log.outbox.filter((r) => r.timestamp < from);
  const lastPublishedTs =
    log.lastPublishedTs !== null && log.lastPublishedTs >= from ? null : log.lastPublishedTs;
  return { lastPublishedTs, outbox, gap: null };
}
