// Pure rules about time: which live reading is accepted, judged against LibreLinkUp's own clock (the
// answer's Date header) rather than only this machine's, and when to warn about a clock difference.
// A reading from the future must never become `latest`: every real reading after it would look older
// and be dropped, an urgent low included.

import { FUTURE_TOLERANCE_MS } from '../librelinkup/limits.js';
import type { Reading } from '../librelinkup/model.js';
import { STALE_AFTER_MS } from './classify.js';

/** A difference between this machine's clock and LibreLinkUp's above this is worth a warning. */
export const CLOCK_WARN_MS = 2 * 60_000;
/** Readings that arrive stale this many answers in a row, over at least STALE_STRETCH_MS, are a stretch. */
export const STALE_STRETCH_ANSWERS = 3;
export const STALE_STRETCH_MS = 5 * 60_000;
/** Distinct readings behind the newest accepted one after which upstream's timeline is adopted. */
export const BEHIND_CONFIRM_READINGS = 2;

/** Per patient, in memory only. */
export interface LiveMemory {
  /** a future reading was refused and logged; cleared when a reading is accepted again */
  refusingFuture: boolean;
  /** readings behind the newest accepted one, oldest first, held since the timeline went backwards */
  behind: readonly Reading[];
}

export const EMPTY_LIVE_MEMORY: LiveMemory = { refusingFuture: false, behind: [] };

export type LiveNote =
  | { kind: 'future'; aheadMs: number }
  | { kind: 'behind'; behindMs: number }
  | { kind: 'adopted'; behindMs: number; readings: number };

export interface LiveOutcome {
  /** readings to accept, oldest first; empty when nothing is accepted */
  accept: Reading[];
  /**
   * When not null, the accepted timeline is abandoned from this time on: `latest` and the reading
   * log forget everything at or after it before `accept` is taken.
   */
  rewindFrom: number | null;
  memory: LiveMemory;
  /** something to log (once per episode), or null */
  note: LiveNote | null;
}

/**
 * Which live reading is accepted (`newest` is the newest accepted reading, `upstreamNow` LibreLinkUp's
 * clock when it answered):
 * - A reading more than FUTURE_TOLERANCE_MS ahead of LibreLinkUp's clock is refused: never accepted,
 *   published or persisted, and it never becomes `newest`, so it cannot make later readings look old.
 *   Logged once until a reading is accepted again.
 * - A reading newer than `newest` is accepted.
 * - A reading at the time of `newest` is nothing new (unless a reading is held, see below).
 * - A reading older than `newest` that was already accepted (`known`: same time and value) is a
 *   replay, ignored: another account's answer may lag behind or cross in flight.
 * - Backwards: a reading older than `newest` is held, not published, and logged once. When upstream
 *   then reports a further, newer reading that is still not newer than `newest` (its timeline moves
 *   on, behind ours: the accepted newest was wrong, or a phone clock was set back), upstream's timeline
 *   is adopted: everything accepted at or after the first held reading is forgotten, and the held
 *   readings are accepted and published in order. So a real reading waits at most one reading
 *   period, and is never dropped for being "older". When upstream instead returns to a reading newer
 *   than `newest`, or to `newest` itself (same time and value), the held reading was a replay of the
 * past and is dropped.
 */
export function judgeLive(
  memory: LiveMemory,
  input: {
    reading: Reading;
    newest: Reading | null;
    upstreamNow: number;
    /**
     * The reading (same time and value) was already accepted for this person, through any account.
     * Another account's answer that lags behind (or crossed in flight) shows it again: no new timeline.
     */
    known?: boolean;
  },
): LiveOutcome {
  const { reading, newest, upstreamNow } = input;
  const aheadMs = reading.timestamp - upstreamNow;
  if (aheadMs > FUTURE_TOLERANCE_MS) {
    return {
      accept: [],
      rewindFrom: null,
      memory: { ...memory, refusingFuture: true },
      note: memory.refusingFuture ? null : { kind: 'future', aheadMs },
    };
  }
  if (newest === null || reading.timestamp > newest.timestamp)
    return { accept: [reading], rewindFrom: null, memory: EMPTY_LIVE_MEMORY, note: null };
  const last = memory.behind.at(-1);
  if (reading.timestamp === newest.timestamp && last === undefined)
    return { accept: [], rewindFrom: null, memory, note: null };
  // The newest accepted reading itself again: upstream is back on our timeline; what was held was a replay.
  if (reading.timestamp === newest.timestamp && reading.mgdl === newest.mgdl)
    return { accept: [], rewindFrom: null, memory: { ...memory, behind: [] }, note: null };
  if (input.known === true) return { accept: [], rewindFrom: null, memory, note: null };

  const behindMs = newest.timestamp - reading.timestamp;
  if (last !== undefined && reading.timestamp === last.timestamp)
    return { accept: [], rewindFrom: null, memory, note: null };
  // Further back than what is held: a new episode starts from this reading.
  const behind =
    last !== undefined && reading.timestamp > last.timestamp ? [...memory.behind, reading] : [reading];
  if (behind.length >= BEHIND_CONFIRM_READINGS) {
    return {
      accept: behind,
      rewindFrom: behind[0]!.timestamp,
      memory: EMPTY_LIVE_MEMORY,
      note: { kind: 'adopted', behindMs, readings: behind.length },
    };
  }
  return {
    accept: [],
    rewindFrom: null,
    memory: { ...memory, behind },
    note: memory.behind.length === 0 ? { kind: 'behind', behindMs } : null,
  };
}

/**
 * A reading time persisted by an earlier run (or an older version: latest, watermark or a queued
 * reading) that lies ahead of LibreLinkUp's clock: it would hold back every real reading after it.
 */
export function persistedAhead(newestTs: number | null, upstreamNow: number): boolean {
  return newestTs !== null && newestTs - upstreamNow > FUTURE_TOLERANCE_MS;
}

/** Per account, in memory only. */
export interface ClockMemory {
  offsetWarned: boolean;
  /** answers in a row in which a reading arrived stale by this machine's clock but fresh by upstream's */
  staleAnswers: number;
  staleSince: number | null;
  staleWarned: boolean;
}

export const EMPTY_CLOCK_MEMORY: ClockMemory = {
  offsetWarned: false,
  staleAnswers: 0,
  staleSince: null,
  staleWarned: false,
};

export type ClockNote =
  /** this machine's clock minus LibreLinkUp's */
  | { kind: 'offset'; offsetMs: number }
  | { kind: 'stale_on_arrival'; offsetMs: number; localAgeMs: number; upstreamAgeMs: number };

/**
 * Clock warnings, each once per episode. `offset`: this machine's clock differs from LibreLinkUp's by
 * more than CLOCK_WARN_MS (re-armed once it is back within half of that). `stale_on_arrival`: for
 * STALE_STRETCH_ANSWERS answers in a row, over at least STALE_STRETCH_MS, a newest reading was
 * already stale by this machine's clock while LibreLinkUp's clock says it is fresh. Without a Date
 * header (`fromHeader` false) nothing can be said.
 */
export function judgeClock(
  memory: ClockMemory,
  input: { localNow: number; upstreamNow: number; fromHeader: boolean; newestTimestamps: readonly number[] },
): { memory: ClockMemory; notes: ClockNote[] } {
  if (!input.fromHeader) return { memory, notes: [] };
  const { localNow, upstreamNow } = input;
  const offsetMs = localNow - upstreamNow;
  const notes: ClockNote[] = [];
  let offsetWarned = memory.offsetWarned;
  if (Math.abs(offsetMs) > CLOCK_WARN_MS) {
    if (!offsetWarned) notes.push({ kind: 'offset', offsetMs });
    offsetWarned = true;
  } else if (Math.abs(offsetMs) <= CLOCK_WARN_MS / 2) offsetWarned = false;

  const staleHere = input.newestTimestamps.filter(
    (ts) => localNow - ts >= STALE_AFTER_MS && upstreamNow - ts < STALE_AFTER_MS,
  );
  if (staleHere.length === 0) return { memory: { ...EMPTY_CLOCK_MEMORY, offsetWarned }, notes };
  const staleAnswers = memory.staleAnswers + 1;
  const staleSince = memory.staleSince ?? localNow;
  let staleWarned = memory.staleWarned;
  if (!staleWarned && staleAnswers >= STALE_STRETCH_ANSWERS && localNow - staleSince >= STALE_STRETCH_MS) {
    const ts = Math.max(...staleHere);
    notes.push({
      kind: 'stale_on_arrival',
      offsetMs,
      localAgeMs: localNow - ts,
      upstreamAgeMs: upstreamNow - ts,
    });
    staleWarned = true;
  }
  return { memory: { offsetWarned, staleAnswers, staleSince, staleWarned }, notes };
}

/** "3 h 5 min", "12 min", "40 s": offsets as a person reads them. */
export function spoken(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 60_000) return `${Math.round(abs / 1000)} s`;
  const minutes = Math.round(abs / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}
