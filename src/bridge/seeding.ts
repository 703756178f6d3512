// History seeding, an explicit step of its own. History lives in memory (and data_dir), so after a
// start the chart and time in range could stay empty for hours: one graph read per person per start
// seeds ~12 h of it, a request the steady state never repeats. A read that fails is tried again at
// the next poll, SEED_ATTEMPTS times in all, so a broken graph does not cost a request per poll.
// Gap filling (outbox.ts) reads the graph too; any successful graph read seeds the history.

import type { ReadingLog } from './outbox.js';
import { wantsGraph } from './outbox.js';

/** Tries of the one graph read that seeds a person's history at start. */
export const SEED_ATTEMPTS = 3;

export interface SeedState {
  /** seeded, or given up after SEED_ATTEMPTS failures */
  done: boolean;
  /** failed seed reads this run */
  failures: number;
}

export const NOT_SEEDED: SeedState = { done: false, failures: 0 };
export const SEEDED: SeedState = { done: true, failures: 0 };

/**
 * Why a poll reads this person's graph, if at all: to fill an open gap of the reading log (which
 * seeds the history too), else to seed the history once per run.
 */
export type GraphPurpose = 'gap' | 'seed';

export function graphPurpose(log: ReadingLog, seed: SeedState, now: number): GraphPurpose | null {
  if (wantsGraph(log, now)) return 'gap';
  return seed.done ? null : 'seed';
}

/** A seed read failed: try again at the next poll, or give up (the history fills from live readings). */
export function seedFailed(seed: SeedState): SeedState {
  const failures = seed.failures + 1;
  return { done: failures >= SEED_ATTEMPTS, failures };
}
