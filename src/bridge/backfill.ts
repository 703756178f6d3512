// The graph reads of a poll, one person at a time after the connections answer: to fill a gap of
// the reading log (outbox.ts) or to seed the history (seeding.ts). A failed read only postpones that
// person's gap or seed, unless its kind fails the whole poll (error-policy.ts stopsGapFill) or ends
// the session (the other reads wait for the next poll: each would cost another login).

import { policyOf } from '../librelinkup/error-policy.js';
import { isLluError } from '../librelinkup/errors.js';
import type { Graph } from '../librelinkup/model.js';
import type { AccountState, CoreWorld, PollRun } from './account-events.js';
import { drain } from './drain.js';
import { type Effect, logLine } from './effects.js';
import { addToHistory } from './history.js';
import { addGraph, graphUnavailable } from './outbox.js';
import { type GraphPurpose, graphPurpose, SEEDED, seedFailed } from './seeding.js';
import { loadHistory, readingNow } from './snapshot.js';

export type GraphStep =
  /** ask the graph of this person next */
  | { kind: 'request'; run: PollRun; effects: Effect[] }
  /** no more graph reads this poll: it succeeded */
  | { kind: 'done'; effects: Effect[] }
  /** a graph read failed in a way that fails the poll */
  | { kind: 'failed'; error: unknown; effects: Effect[] };

/** The next person of the queue who needs a graph read, if any. */
export function nextGraph(world: CoreWorld, run: PollRun, now: number, effects: Effect[] = []): GraphStep {
  const queue = [...run.graphQueue];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const t = world.people.get(id);
    if (t === undefined) continue;
    const purpose = graphPurpose(t.log, t.seed, now);
    if (purpose === null) continue;
    return {
      kind: 'request',
      run: { ...run, graphQueue: queue, graph: { patientId: id, purpose } },
      effects: [...effects, { type: 'requestGraph', patientId: id }],
    };
  }
  return { kind: 'done', effects };
}

/** A graph answer: the gap's readings queued, the history seeded, the log published. */
export function onGraph(
  world: CoreWorld,
  state: AccountState,
  run: PollRun,
  purpose: GraphPurpose,
  graph: Graph,
  now: number,
): GraphStep {
  const patientId = run.graph?.patientId ?? '';
  const t = world.people.get(patientId);
  const effects: Effect[] = [];
  if (t !== undefined) {
    world.time.graphIssues(patientId, t.slug, graph.issues ?? []);
    if (purpose === 'gap') t.log = addGraph(t.log, graph.readings, now);
    loadHistory(world, t, readingNow(world, now));
    t.history = addToHistory(t.history, graph.readings, readingNow(world, now));
    t.seed = SEEDED;
    effects.push(
      { type: 'appendHistory', patientId, readings: graph.readings, history: t.history },
      ...drain(world, state, t, now),
    );
  }
  return nextGraph(world, { ...run, graph: null }, now, effects);
}

/** A graph read failed: postpone the gap or the seed, or fail the poll. */
export function onGraphFailed(
  world: CoreWorld,
  state: AccountState,
  run: PollRun,
  purpose: GraphPurpose,
  error: unknown,
  now: number,
): GraphStep {
  // A failed backfill must not fail the poll that already delivered the live reading.
  if (isLluError(error) && policyOf(error.kind).stopsGapFill) return { kind: 'failed', error, effects: [] };
  const kind = isLluError(error) ? error.kind : 'internal';
  const patientId = run.graph?.patientId ?? '';
  const t = world.people.get(patientId);
  const effects: Effect[] = [];
  // A bug of ours, with its stack: the user is asked to report it with the log.
  const bug = kind === 'internal' ? { err: error } : {};
  if (t !== undefined && purpose === 'seed') {
    t.seed = seedFailed(t.seed);
    effects.push(
      logLine(
        kind === 'internal' ? 'error' : 'info',
        t.seed.done
          ? 'could not read the graph to seed the history; the chart and 24 h figures fill from live readings'
          : 'could not read the graph to seed the history; will try again at the next poll',
        { patient: t.slug, kind, attempt: t.seed.failures, ...bug },
      ),
    );
  } else if (t !== undefined) {
    effects.push(
      logLine(kind === 'internal' ? 'error' : 'warn', 'could not read the graph to fill a gap; will retry', {
        patient: t.slug,
        kind,
        ...bug,
      }),
    );
    t.log = graphUnavailable(t.log, now);
    effects.push(...drain(world, state, t, now));
  }
  // LibreLinkUp refused the session after the client's one fresh login: each further read this
  // poll would cost another login, so the others wait for the next poll.
  if (policyOf(kind).endsSession) return { kind: 'done', effects };
  return nextGraph(world, { ...run, graph: null }, now, effects);
}
