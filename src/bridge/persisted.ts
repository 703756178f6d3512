// What the state file in data_dir holds per account: the session (so a restart does not log in
// again) and, per patient, what defines their stream (so a restart neither repeats nor skips a
// reading, and topics never move).

import type { Connection, Reading, Session } from '../librelinkup/model.js';
import type { AlertMemory } from './alerts.js';
import type { Cadence } from './cadence.js';
import type { ReadingLog } from './outbox.js';
import type { Tombstone } from './tombstones.js';

export interface PersistedPatient {
  slug: string;
  /** last connection seen, so a restart can show the patient (stale or not) before the first poll */
  connection: Connection;
  latest: Reading | null;
  log: ReadingLog;
  alerts: AlertMemory;
  cadence: Cadence;
}

export interface PersistedAccount {
  /** changes when e-mail, api_url or region change: the stored session is then not reused */
  fingerprint: string;
  session: Session | null;
  patients: Record<string, PersistedPatient>;
  /** people removed lately, shared by all accounts (people.ts), each entry checked on load */
  gone?: Record<string, Tombstone>;
}
