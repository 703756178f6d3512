// The account core: everything one account's poller decides, as a reducer. `step(world, state,
// event)` returns the next state and the effects (effects.ts) for the runner (account-poller.ts) to
// carry out: requests, publishes, log lines, persistence and the one timer. It never awaits, reads a
// clock or touches the network; the shared people records it updates are described in tracked.ts.
//
// One poll: `pollDue` (or a tick at nextPollAt) -> requestConnections -> `connections` (each person's
// live reading judged, queued and published) -> one `graph` read at a time for gaps and seeding
// (backfill.ts) -> the status and the next poll. Readings are published one at a time (drain.ts).

import { guarded, onAnswer, paceOf } from './account-connections.js';
import type { AccountState, CoreEvent, CoreWorld, PollRun } from './account-events.js';
import { type GraphStep, nextGraph, onGraph, onGraphFailed } from './backfill.js';
import { staleAt } from './classify.js';
import { drain, onPublished, onPublishFailed, retryDue, type Step } from './drain.js';
import { type Effect, iso, logLine } from './effects.js';
import { pollFailed, pollSucceeded } from './failure.js';
import { nextPollAt } from './schedule.js';
import { readingNow, refresh, snapshotOf } from './snapshot.js';

export type { Step } from './drain.js';

const PERSIST: Effect = { type: 'persist' };
/** Timers count whole milliseconds. */
const TIMER_GRAIN_MS = 1;

/** One event: the next state and what to do, ending with at most one `persist` and the timer. */
export function step(world: CoreWorld, state: AccountState, event: CoreEvent): Step {
  const out = handle(world, state, event);
  const persist = out.effects.some((e) => e.type === 'persist');
  const effects: Effect[] = out.effects.filter((e) => e.type !== 'persist');
  if (persist) effects.push({ type: 'persist' });
  const next = persist && out.state.savePending ? { ...out.state, savePending: false } : out.state;
  effects.push({ type: 'timer', at: wakeAt(world, next, event.now) });
  return { state: next, effects };
}

function handle(world: CoreWorld, state: AccountState, event: CoreEvent): Step {
  const none = { state, effects: [] };
  switch (event.type) {
    case 'start':
      return start(world, state, event.now);
    case 'stop':
      return { state: { ...state, running: false, poll: null }, effects: [{ type: 'persist' }] };
    case 'sessionChanged':
      // LibreLinkUp renews the ticket with every answer: during a poll its end writes the session.
      return { state, effects: state.running && state.poll !== null ? [] : [{ type: 'persist' }] };
    case 'tick':
      return tick(world, state, event.now);
    case 'pollNow':
      return pollNow(world, state, event.now);
    case 'pollDue':
      return beginPoll(state, event.now);
    case 'published':
      return onPublished(world, state, event.patientId, event.reading.timestamp, event.now);
    case 'publishFailed':
      return onPublishFailed(world, state, event.patientId, event.error, event.now);
  }
  // The answers of a poll: dropped when no poll is in flight (stopped meanwhile).
  const run = state.poll;
  if (!state.running || run === null) return none;
  switch (event.type) {
    case 'connections':
      return onConnections(world, state, run, event.answer, event.now);
    case 'failed':
      return finishFailed(world, state, event.error, event.now, []);
  }
  const graph = run.graph;
  if (graph === null || graph.patientId !== event.patientId) return none;
  if (event.type === 'graphFailed')
    return afterGraph(
      world,
      state,
      onGraphFailed(world, state, run, graph.purpose, event.error, event.now),
      event.now,
    );
  let next: GraphStep;
  try {
    next = onGraph(world, state, run, graph.purpose, event.graph, event.now);
  } catch (error) {
    // A bug of ours with this answer: as a failed read of that person.
    next = onGraphFailed(world, state, run, graph.purpose, error, event.now);
  }
  return afterGraph(world, state, next, event.now);
}

/** Show what is known from the last run (stale or not), then poll. */
function start(world: CoreWorld, state: AccountState, now: number): Step {
  const running = { ...state, running: true };
  const effects: Effect[] = [];
  for (const gone of world.people.takeRemovedAtStart(world.key)) {
    // Dropped from the config of every account since the last run: take its entities away.
    effects.push(
      ...guarded(gone.slug, () => [{ type: 'removePatient', snapshot: snapshotOf(world, gone, now) }]),
    );
  }
  for (const [patientId, t] of world.people.heldBy(world.key, now)) {
    // Shown once, by the account that names the person, however many accounts follow them.
    if (world.people.ownerOf(patientId, now) !== world.key) continue;
    // Fires `stale` if the reading went stale while the bridge was down.
    effects.push(...guarded(t.slug, () => refresh(world, t, now)));
    effects.push(...drain(world, running, t, now));
  }
  effects.push({ type: 'persist' }, { type: 'publishStatus' });
  const at = nextPollAt({ ...scheduleInput(world, running, now), lastPollAt: null });
  return { state: { ...running, status: { ...running.status, nextPollAt: at } }, effects };
}

/** The timer fired: stale readings, publish retries and the poll, whichever are due. */
function tick(world: CoreWorld, state: AccountState, now: number): Step {
  if (!state.running) return { state, effects: [] };
  const effects: Effect[] = [];
  const readNow = readingNow(world, now);
  for (const [patientId, t] of world.people.heldBy(world.key, now)) {
    const at = staleAt(t.latest);
    if (t.stale || at === null || at > readNow || world.people.get(patientId) !== t) continue;
    // Marked first: a bug while refreshing must not make it due again at once.
    t.stale = true;
    effects.push(
      logLine('warn', 'no new reading for 15 minutes: glucose is now stale and shown as unavailable', {
        patient: t.slug,
        since: iso(t.latest?.timestamp ?? 0),
      }),
      ...guarded(t.slug, () => refresh(world, t, now)),
      { type: 'persist' },
    );
  }
  const retried = retryDue(world, state, now);
  effects.push(...retried.effects);
  // A timer fires on whole milliseconds: a poll due within the one under way is due now, not 1 ms later.
  const due =
    retried.state.poll === null &&
    (retried.state.status.nextPollAt ?? Number.POSITIVE_INFINITY) < now + TIMER_GRAIN_MS;
  if (!due) return { state: retried.state, effects };
  const polled = beginPoll(retried.state, now);
  return { state: polled.state, effects: [...effects, ...polled.effects] };
}

/** "Poll now" from Home Assistant: soon, but never against a lockout or inside min_interval. */
function pollNow(world: CoreWorld, state: AccountState, now: number): Step {
  if (!state.running) return { state, effects: [] };
  const blocked = state.status.blockedUntil;
  if (blocked !== null && blocked > now)
    return { state, effects: [logLine('warn', `poll now ignored: no requests until ${iso(blocked)}`)] };
  if (state.poll !== null) return { state, effects: [] };
  const earliest = state.lastPollAt === null ? now : state.lastPollAt + paceOf(world).spacingMs;
  return {
    state: { ...state, status: { ...state.status, nextPollAt: Math.max(now, earliest) } },
    effects: [],
  };
}

function beginPoll(state: AccountState, now: number): Step {
  if (!state.running || state.poll !== null) return { state, effects: [] };
  const poll: PollRun = { startedAt: now, previousPollAt: state.lastPollAt, graphQueue: [], graph: null };
  return { state: { ...state, poll, lastPollAt: now }, effects: [{ type: 'requestConnections' }] };
}

function onConnections(
  world: CoreWorld,
  state: AccountState,
  run: PollRun,
  answer: Parameters<typeof onAnswer>[2],
  now: number,
): Step {
  let effects: Effect[];
  try {
    effects = onAnswer(world, state, answer, {
      seenAt: run.startedAt,
      previousPollAt: run.previousPollAt,
      now,
    });
  } catch (error) {
    return finishFailed(world, state, error, now, []);
  }
  // The people in this answer may need a graph read: gaps to fill, history to seed.
  const queue = [...world.people.seenBy(world.key).keys()];
  return afterGraph(world, state, nextGraph(world, { ...run, graphQueue: queue }, now, effects), now);
}

function afterGraph(world: CoreWorld, state: AccountState, next: GraphStep, now: number): Step {
  if (next.kind === 'request') return { state: { ...state, poll: next.run }, effects: next.effects };
  if (next.kind === 'failed') return finishFailed(world, state, next.error, now, next.effects);
  const ok = pollSucceeded(state, world.label, now);
  return finish(world, ok.state, [...next.effects, ...ok.effects], now, null);
}

function finishFailed(
  world: CoreWorld,
  state: AccountState,
  error: unknown,
  now: number,
  before: Effect[],
): Step {
  const failed = pollFailed(state, error, world.poll, now, world.random);
  return finish(world, failed.state, [...before, ...failed.effects], now, failed.retryAt);
}

/**
 * After every poll: save, publish the status, and always schedule the next poll. While a reading of
 * this poll is being published, the save waits for the end of that publish (drain.ts), which comes
 * right after the broker's acknowledgement, so a poll costs one write; a second poll ending before it
 * saves anyway (the broker may be away for long).
 */
function finish(
  world: CoreWorld,
  state: AccountState,
  effects: Effect[],
  now: number,
  retryAt: number | null,
): Step {
  const publishing = [...world.people.heldBy(world.key, now).values()].some((t) => t.draining);
  const save = !publishing || state.savePending;
  const done = { ...state, poll: null, savePending: !save };
  let at = retryAt;
  // Whatever failed above, the next poll is always scheduled (a bug must not stop the polling).
  const scheduled = guarded(null, () => {
    at ??= nextPollAt(scheduleInput(world, done, now));
    return [];
  });
  const nextAt = at ?? now + world.poll.interval * 1000;
  return {
    state: { ...done, status: { ...done.status, nextPollAt: nextAt } },
    effects: [...effects, ...scheduled, ...(save ? [PERSIST] : []), { type: 'publishStatus' }],
  };
}

function scheduleInput(world: CoreWorld, state: AccountState, now: number) {
  const pace = paceOf(world);
  return {
    now,
    lastPollAt: state.lastPollAt,
    minIntervalMs: world.poll.min_interval * 1000,
    intervalMs: world.poll.interval * 1000,
    freshness: pace.freshness,
    spread: world.spread,
    ...(world.accounts !== undefined ? { accounts: world.accounts } : {}),
    patients: [...world.people.heldBy(world.key, now).values()].map((p) => ({
      latestTs: p.latest?.timestamp ?? null,
      cadence: p.cadence,
    })),
  };
}

/** When the core next needs a tick (this machine's clock): the poll, a reading going stale, a retry. */
export function wakeAt(world: CoreWorld, state: AccountState, now: number): number | null {
  if (!state.running) return null;
  const times: number[] = [];
  if (state.poll === null && state.status.nextPollAt !== null) times.push(state.status.nextPollAt);
  times.push(...Object.values(state.publishRetryAt));
  const offset = world.time.clockOffset();
  for (const t of world.people.heldBy(world.key, now).values()) {
    const at = staleAt(t.latest);
    if (!t.stale && at !== null) times.push(at - offset);
  }
  return times.length === 0 ? null : Math.min(...times);
}
