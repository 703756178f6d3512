// The status page's view of one patient, finished where the readings live: the chart series is the
// history with the newest reading merged in, so the page needs no bridge internals to draw it.

import type { PatientView } from './events.js';
import { mergeReadings } from './history.js';

/** `view` with its history sorted, one reading per minute, and the snapshot's latest reading in it. */
export function withLatestInHistory(view: PatientView): PatientView {
  const latest = view.snapshot.latest;
  return { ...view, history: mergeReadings(view.history, latest === null ? [] : [latest]) };
}
