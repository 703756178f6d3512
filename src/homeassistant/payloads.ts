// What goes on the state, reading and event topics: folds over the rows of entities.ts. Pure. Every
// number is checked finite; a snapshot without a reading publishes no state at all, never NaN or a
// guess.

import type { Alert, PatientSnapshot } from '../bridge/events.js';
import type { Reading } from '../librelinkup/model.js';
import { READING_ROWS, STATE_ROWS } from './entities.js';

function readingFields(p: PatientSnapshot, r: Reading | null): Record<string, unknown> {
  return Object.fromEntries(READING_ROWS.map((row) => [row.field, row.value(p, r)]));
}

export function readingPayload(p: PatientSnapshot, r: Reading, backfilled = false): Record<string, unknown> {
  if (!Number.isFinite(r.mgdl) || !Number.isFinite(r.timestamp))
    throw new Error('refusing to publish a non-finite reading');
  return {
    ...readingFields(p, r),
    // Only on a gap's readings from the graph, which may follow newer live readings.
    ...(backfilled ? { backfilled: true } : {}),
  };
}

export function statePayload(p: PatientSnapshot): Record<string, unknown> | null {
  const r = p.latest;
  if (r === null) return null;
  const state = readingPayload(p, r);
  for (const row of STATE_ROWS) state[row.field] = row.value(p, r);
  return state;
}

export function eventPayload(p: PatientSnapshot, a: Alert): Record<string, unknown> {
  return { event_type: a.type, ...readingFields(p, a.reading) };
}
