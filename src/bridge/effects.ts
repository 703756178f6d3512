// What the account core (account-core.ts) asks its runner (account-poller.ts) to do, as data. The
// core decides; the runner only carries these out, in order, and feeds the outcome back as an event.

import type { Reading } from '../librelinkup/model.js';
import type { Alert, PatientSnapshot } from './events.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export type Effect =
  /** one /llu/connections request; answered by a `connections` or `failed` event */
  | { type: 'requestConnections' }
  /** one /llu/connections/{id}/graph request; answered by a `graph` or `graphFailed` event */
  | { type: 'requestGraph'; patientId: string }
  /** hand one reading to the sink; answered by `published` or `publishFailed` */
  | {
      type: 'publishReading';
      patientId: string;
      snapshot: PatientSnapshot;
      reading: Reading;
      backfilled: boolean;
    }
  | { type: 'publishSnapshot'; snapshot: PatientSnapshot }
  | { type: 'publishAlert'; snapshot: PatientSnapshot; alert: Alert }
  | { type: 'removePatient'; snapshot: PatientSnapshot }
  /** the account's status (the runner adds the client's request counters) */
  | { type: 'publishStatus' }
  /** readings to add to the person's history file; `history` is the whole history now, for compaction */
  | { type: 'appendHistory'; patientId: string; readings: readonly Reading[]; history: readonly Reading[] }
  | { type: 'log'; level: LogLevel; fields: Record<string, unknown>; message: string }
  /** write this account's state file */
  | { type: 'persist' }
  /** the one timer: wake the core (a `tick`) at this time; null: nothing to wait for */
  | { type: 'timer'; at: number | null };

/** A log line; a line about one person carries `patient: slug` in its fields. */
export function logLine(level: LogLevel, message: string, fields: Record<string, unknown> = {}): Effect {
  return { type: 'log', level, fields, message };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
