// The demo's yesterday: the history file a bridge that had been running for a day would have left in
// data_dir, so time in range, average, GMI and the chart are known from the first poll, as they are
// for a real account after a restart. LibreLinkUp's graph (and the simulator's) covers only ~12 h.
//
// Written by the bridge's own HistoryStore from what the simulator would have served as current
// measurements, parsed by the client's own parser: the file is loaded and validated like any other.

import { HistoryStore } from './bridge/history-store.js';
import type { Reading } from './librelinkup/model.js';
import { parseReading } from './librelinkup/parse.js';
import type { Logger } from './log.js';
import { glucoseItem } from './simulator/bodies.js';
import { SimPatient } from './simulator/patient-model.js';
import type { SimOptions } from './simulator/types.js';

/** How far back the seed goes: the 24 h statistics window, and a little more. */
export const SEED_SPAN_MS = 24 * 60 * 60_000 + 10 * 60_000;

/** Every reading of `world`'s patients from `at - SEED_SPAN_MS` up to (not including) the current one. */
export function pastReadings(world: SimOptions, startedAt: number, at: number): Map<string, Reading[]> {
  const out = new Map<string, Reading[]>();
  for (const spec of world.patients) {
    const patient = new SimPatient(spec, startedAt);
    const visible = patient.readings(at).filter((r) => r.timestamp >= at - SEED_SPAN_MS);
    // The current reading is left for the bridge's first poll, which then has something new to publish.
    const past = visible.slice(0, -1);
    out.set(
      spec.patientId,
      past.map((r) => parseReading(glucoseItem(patient, r, 1), { endpoint: 'demo history' })),
    );
  }
  return out;
}

/** Writes each patient's past readings into `dataDir` as the bridge's history files. */
export function seedHistory(
  dataDir: string,
  world: SimOptions,
  startedAt: number,
  at: number,
  logger: Logger,
): void {
  const store = new HistoryStore(dataDir, logger);
  for (const [patientId, readings] of pastReadings(world, startedAt, at)) {
    store.append(patientId, readings, readings);
  }
}
