// The gap-free reading log of one patient, as pure data. `<patient>/reading` carries every reading
// exactly once. Live readings never wait: each is published as soon as it is seen, oldest first
// among live readings. When readings were missed (bridge or upstream down), the gap between the
// last reading before it (`from`) and the first after it (`to`) is filled from the graph, which
// lags 15-20 minutes and has 5-minute spacing: those readings are published when the graph has
// them (oldest first within the backfill, marked as backfilled), or the gap is given up after
// MAX_GAP_HOLD_MS. Order holds within live readings and within a backfill, not across them.

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
  /** newest gap reading acknowledged by the broker (absent: none yet, i.e. `from`) */
  publishedUntil?: number;
  /** the graph has caught up (or the gap expired): no more graph reads, the rest is publishable */
  final?: boolean;
}

export interface ReadingLog {
  /** timestamp of the newest live reading acknowledged by the broker */
  lastPublishedTs: number | null;
  /**
   * readings not yet acknowledged, oldest first: live ones newer than lastPublishedTs, and gap
   * ones (strictly between gap.from and gap.to) newer than gap.publishedUntil
   */
  outbox: Reading[];
  gap: Gap | null;
}

/** A reading inside the open gap: it comes from the graph and goes out as a backfill. */
export function inGap(gap: Gap | null, timestamp: number): boolean {
  return gap !== null && timestamp > gap.from && timestamp < gap.to;
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
  if (gap === null || gap.final === true) return log;
  let outbox = log.outbox;
  let newest = gap.coveredUntil;
  // Points already published (a re-check returns them again) must never be queued twice.
  const after = Math.max(gap.from, gap.publishedUntil ?? Number.NEGATIVE_INFINITY);
  for (const p of points) {
    newest = Math.max(newest, p.timestamp);
    if (p.timestamp > after && p.timestamp < gap.to) outbox = insertSorted(outbox, p);
  }
  const caughtUp = newest >= gap.to - GRAPH_SPACING_MS;
  const expired = now - gap.openedAt >= MAX_GAP_HOLD_MS;
  const nextGap: Gap =
    caughtUp || expired
      ? { ...gap, coveredUntil: gap.to, final: true }
      : { ...gap, coveredUntil: newest, nextGraphAt: now + GRAPH_RECHECK_MS };
  return closeIfDone({ ...log, outbox, gap: nextGap });
}

/** A final gap whose readings are all published is closed. */
function closeIfDone(log: ReadingLog): ReadingLog {
  const gap = log.gap;
  if (gap === null || gap.final !== true) return log;
  if (log.outbox.some((r) => inGap(gap, r.timestamp))) return log;
  return { ...log, gap: null };
}

/** A graph request failed or the patient is gone from the graph: try later, or give up when expired. */
export function graphUnavailable(log: ReadingLog, now: number): ReadingLog {
  const gap = log.gap;
  if (gap === null || gap.final === true) return log;
  if (now - gap.openedAt >= MAX_GAP_HOLD_MS)
    return closeIfDone({ ...log, gap: { ...gap, coveredUntil: gap.to, final: true } });
  return { ...log, gap: { ...gap, nextGraphAt: now + GRAPH_RECHECK_MS } };
}

export function wantsGraph(log: ReadingLog, now: number): boolean {
  return log.gap !== null && log.gap.final !== true && now >= log.gap.nextGraphAt;
}

export interface NextReading {
  reading: Reading;
  /** from the graph, filling a gap, after newer live readings may already have gone out */
  backfilled: boolean;
}

/**
 * The reading to publish now, or null: the oldest live reading first (live readings never wait),
 * else the oldest gap reading the graph has made final (the graph has moved past it).
 */
export function nextToPublish(log: ReadingLog, now: number): NextReading | null {
  const gap = log.gap;
  const live = log.outbox.find((r) => !inGap(gap, r.timestamp));
  if (live !== undefined) return { reading: live, backfilled: false };
  if (gap === null) return null;
  const expired = now - gap.openedAt >= MAX_GAP_HOLD_MS;
  const first = log.outbox.find((r) => inGap(gap, r.timestamp));
  if (first === undefined) return null;
  if (gap.final === true || expired || first.timestamp <= gap.coveredUntil)
    return { reading: first, backfilled: true };
  return null;
}

export function markPublished(log: ReadingLog, timestamp: number): ReadingLog {
  const gap = log.gap;
  if (gap !== null && inGap(gap, timestamp)) {
    // A backfilled reading: the gap's own watermark moves; the live one stays where it is.
    const publishedUntil = Math.max(gap.publishedUntil ?? timestamp, timestamp);
    const outbox = log.outbox.filter((r) => !(inGap(gap, r.timestamp) && r.timestamp <= publishedUntil));
    return closeIfDone({ ...log, outbox, gap: { ...gap, publishedUntil } });
  }
  const outbox = log.outbox.filter((r) => inGap(gap, r.timestamp) || r.timestamp > timestamp);
  const lastPublishedTs = Math.max(log.lastPublishedTs ?? timestamp, timestamp);
  return closeIfDone({ lastPublishedTs, outbox, gap });
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
