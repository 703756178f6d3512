// One connections answer of an account, person by person: the shared record (people.ts), the time
// rules (time-sanity.ts via the time guard), the reading log (outbox.ts), the snapshot and its alerts,
// and who this answer left out (presence.ts).

import type { ConnectionsAnswer } from '../librelinkup/client.js';
import { internalError } from '../librelinkup/errors.js';
import type { Connection, Reading } from '../librelinkup/model.js';
import { safeText } from '../log.js';
import type { AccountState, CoreWorld } from './account-events.js';
import { observe, type Pace, periodOf } from './cadence.js';
import { drain } from './drain.js';
import { type Effect, iso, logLine } from './effects.js';
import { addToHistory } from './history.js';
import { addLive } from './outbox.js';
import { fullName, matchPatient, slugify } from './patient.js';
import { ABSENCE_ANSWERS, ABSENCE_MS } from './presence.js';
import { spacingOf } from './schedule.js';
import { loadHistory, readingNow, refresh, snapshotOf } from './snapshot.js';
import { forgetFrom, forTime, RECENT_MAX, readingKey, type Tracked } from './tracked.js';

/** The freshness setting (requests per reading the schedule may spend) and the spacing it gives. */
export function paceOf(world: CoreWorld): Pace {
  const freshness = world.poll.freshness ?? 'balanced';
  return { freshness, spacingMs: spacingOf(world.poll.min_interval * 1000, freshness) };
}

/**
 * Runs `fn` for one person: a bug of ours with them is logged as `internal` with its stack and must
 * not keep the account's other people from being updated.
 */
export function guarded(slug: string | null, fn: () => Effect[]): Effect[] {
  try {
    return fn();
  } catch (error) {
    return [
      logLine('error', safeText(internalError(error).message), {
        ...(slug !== null ? { patient: slug } : {}),
        kind: 'internal',
        err: error,
      }),
    ];
  }
}

/** What the time guard may read and correct: the records this account holds, by id. */
export function trackedForTime(world: CoreWorld, now: number) {
  return [...world.people.heldBy(world.key, now).entries()].map(([id, t]) => forTime(id, t));
}

export interface PollTimes {
  /** when the poll started (this machine's clock) */
  seenAt: number;
  previousPollAt: number | null;
  now: number;
}

/** The whole answer: time checks, each followed person, presence. */
export function onAnswer(
  world: CoreWorld,
  state: AccountState,
  answer: ConnectionsAnswer,
  times: PollTimes,
): Effect[] {
  world.time.beforeConnections(answer, times.now, trackedForTime(world, times.now));
  const effects: Effect[] = [];
  const seen = new Set<string>();
  const pollGap =
    times.previousPollAt === null ? Number.POSITIVE_INFINITY : times.seenAt - times.previousPollAt;
  for (const connection of answer.connections) {
    const cfg = matchPatient(connection, world.account.patients);
    if (cfg === undefined) continue;
    seen.add(connection.patientId);
    const slug = world.people.get(connection.patientId)?.slug ?? null;
    effects.push(...guarded(slug, () => onConnection(world, state, connection, cfg, { ...times, pollGap })));
  }
  effects.push(...onPresence(world, seen, times.seenAt, times.now));
  world.time.afterConnections(answer, trackedForTime(world, times.now));
  return effects;
}

interface ConnectionTimes extends PollTimes {
  pollGap: number;
}

function onConnection(
  world: CoreWorld,
  state: AccountState,
  connection: Connection,
  cfg: ReturnType<typeof matchPatient>,
  times: ConnectionTimes,
): Effect[] {
  const effects: Effect[] = [];
  const base = slugify(cfg?.name ?? fullName(connection));
  const adopted = world.people.adopt(world.key, connection, base, times.seenAt);
  const t = adopted.record;
  if (adopted.created) {
    effects.push(
      logLine(
        'info',
        adopted.returning
          ? 'following a patient again; readings and events already published are not repeated'
          : 'following a new patient',
        { patient: t.slug },
      ),
    );
  }
  // What was stored of the person (their record, or a returning person's tombstone) is judged
  // against LibreLinkUp's clock by the first account that sees them, whichever holds the file.
  if (!t.clockChecked) {
    t.clockChecked = true;
    world.time.forgetAhead(forTime(connection.patientId, t));
  }
  t.connection = connection;
  const reading = connection.latest;
  if (reading !== null) effects.push(...judgeLive(world, state, t, reading, times));
  effects.push(...refresh(world, t, times.now));
  return effects;
}

/** The time rules decide; accepted readings are queued in order and published. */
function judgeLive(
  world: CoreWorld,
  state: AccountState,
  t: Tracked,
  reading: Reading,
  times: ConnectionTimes,
): Effect[] {
  // The record is shared: another account may have accepted this reading already.
  const known =
    (t.recent ?? []).includes(readingKey(reading)) ||
    t.history.some((r) => r.timestamp === reading.timestamp && r.mgdl === reading.mgdl);
  const outcome = world.time.judge(t.connection.patientId, t.slug, reading, t.latest, known);
  if (outcome.rewindFrom !== null) forgetFrom(t, outcome.rewindFrom);
  return outcome.accept.flatMap((r) => acceptLive(world, state, t, r, times));
}

function acceptLive(
  world: CoreWorld,
  state: AccountState,
  t: Tracked,
  reading: Reading,
  times: ConnectionTimes,
): Effect[] {
  const previousTs = t.latest?.timestamp ?? null;
  t.cadence = observe(t.cadence, reading.timestamp, previousTs, times.seenAt, times.pollGap, paceOf(world));
  t.log = addLive(t.log, reading, periodOf(t.cadence), times.seenAt);
  t.latest = reading;
  t.recent = [...(t.recent ?? []).slice(1 - RECENT_MAX), readingKey(reading)];
  loadHistory(world, t, readingNow(world, times.now));
  t.history = addToHistory(t.history, [reading], readingNow(world, times.now));
  // A reading accepted now is fresh again: its stale event comes 15 minutes after it (tick).
  return [
    { type: 'appendHistory', patientId: t.connection.patientId, readings: [reading], history: t.history },
    logLine('info', 'new reading', {
      patient: t.slug,
      mgdl: reading.mgdl,
      trend: reading.trend,
      at: iso(reading.timestamp),
    }),
    ...drain(world, state, t, times.now),
  ];
}

/** Who this answer left out: kept until confirmed (presence.ts), removed once no account follows them. */
function onPresence(world: CoreWorld, seen: ReadonlySet<string>, at: number, now: number): Effect[] {
  const outcome = world.people.answered(world.key, seen, at);
  const confirm = `${ABSENCE_ANSWERS} answers and ${ABSENCE_MS / 60_000} minutes`;
  const effects: Effect[] = [];
  for (const t of outcome.missing)
    effects.push(
      logLine(
        'info',
        `patient missing from this account's answer; entities kept unless it stays away for ${confirm}`,
        { patient: t.slug },
      ),
    );
  for (const t of outcome.back)
    effects.push(logLine('info', "patient back in this account's answer", { patient: t.slug }));
  for (const t of outcome.dropped)
    effects.push(
      logLine(
        'info',
        'patient no longer shared with this account; still followed through another account, entities kept',
        { patient: t.slug },
      ),
    );
  for (const t of outcome.gone) {
    effects.push(
      logLine(
        'warn',
        `patient no longer shared with any configured account (confirmed over ${confirm}); removing its entities`,
        { patient: t.slug },
      ),
      { type: 'removePatient', snapshot: snapshotOf(world, t, readingNow(world, now)) },
    );
  }
  return effects;
}
