// What the bridge hands to its sink (the Home Assistant / MQTT layer). The bridge decides; the sink
// only renders. Nothing here knows about topics or discovery.

import type { LluErrorKind } from '../librelinkup/errors.js';
import type { GlucoseUnit, Reading, SensorInfo } from '../librelinkup/model.js';

/** A reading older than this by FactoryTimestamp is stale: never shown as current. */
export const STALE_AFTER_MS = 15 * 60_000;

/** Where the reading lies against the person's targets (target_low/high, urgent low): the `range` key. */
export type RangeState = 'urgent_low' | 'low' | 'in_range' | 'high';

/** The band the LibreLinkUp app colours the reading in (MeasurementColor): the `color_range` key. */
export type ColorBand = 'in_range' | 'above_target' | 'above_high_alarm' | 'below_low';

export const COLOR_BANDS: readonly ColorBand[] = [
  'in_range',
  'above_target',
  'above_high_alarm',
  'below_low',
];

/** Event types fired on the patient's `event` entity, each once on the transition into that state. */
export type AlertType =
  | 'urgent_low'
  | 'low'
  | 'high'
  | 'in_range'
  | 'falling_quickly'
  | 'rising_quickly'
  | 'stale'
  | 'sensor_ended'
  | 'sensor_started';

export const ALERT_TYPES: readonly AlertType[] = [
  'urgent_low',
  'low',
  'high',
  'in_range',
  'falling_quickly',
  'rising_quickly',
  'stale',
  'sensor_ended',
  'sensor_started',
];

export interface Thresholds {
  targetLowMgdl: number;
  targetHighMgdl: number;
  urgentLowMgdl: number;
}

/** Derived figures. Each is null when it cannot be computed honestly. */
export interface PatientStats {
  /** change per minute in the patient's unit over the recent readings */
  rate: number | null;
  /** change since the previous reading, in the patient's unit */
  delta: number | null;
  /** the app's colour for the latest reading; not the target classification (PatientSnapshot.range) */
  colorBand: ColorBand | null;
  /** percent of the last 24 h between target low and high */
  timeInRange: number | null;
  /** mean glucose over 24 h in the patient's unit */
  average: number | null;
  /** glucose management indicator, % */
  gmi: number | null;
  /** estimated end of the sensor's life, epoch ms */
  sensorExpiresAt: number | null;
  /** sensor problem: ended, warming up, or none active */
  sensorProblem: 'ended' | 'warming_up' | 'none' | null;
}

/** Everything the sink needs to render one followed person. Immutable snapshot. */
export interface PatientSnapshot {
  /** stable key of the account this patient is followed through */
  accountKey: string;
  patientId: string;
  /** topic segment: slug of the configured name, or of "First Last" */
  slug: string;
  /** display name: configured `name`, or "First Last" */
  name: string;
  unit: GlucoseUnit;
  thresholds: Thresholds;
  sensor: SensorInfo | null;
  deviceTypeId: number | null;
  /** newest reading; never moves backwards */
  latest: Reading | null;
  /** latest is STALE_AFTER_MS old or older by FactoryTimestamp at the snapshot's time (or there is none) */
  stale: boolean;
  /** latest.mgdl > targetHigh; null without a reading */
  high: boolean | null;
  /** latest.mgdl < targetLow; null without a reading */
  low: boolean | null;
  range: RangeState | null;
  stats: PatientStats;
}

export interface Alert {
  type: AlertType;
  /** the reading that caused it (the last known one for `stale`/sensor events, may be null) */
  reading: Reading | null;
  at: number;
}

export interface AccountStatus {
  /** stable, non-secret key, e.g. "acct_1a2b3c4d" (hash of the e-mail) */
  key: string;
  /** masked e-mail for humans, e.g. "fo***@example.com" */
  label: string;
  ok: boolean;
  errorKind: LluErrorKind | null;
  /** what went wrong, in words a user can act on; null when ok */
  message: string | null;
  lastSuccessAt: number | null;
  lastErrorAt: number | null;
  nextPollAt: number | null;
  /** no request before this (lockout, Retry-After, backoff) */
  blockedUntil: number | null;
  requests: number;
  logins: number;
}

/**
 * The bridge's output port. Calls arrive in order; `reading` resolves once the reading is
 * safely handed over (QoS 1 acknowledged), which is when the bridge may persist it as published.
 */
export interface BridgeSink {
  patientChanged(patient: PatientSnapshot): void;
  patientRemoved(patient: PatientSnapshot): void;
  /** `backfilled`: a gap's reading from the graph, published after newer live readings */
  reading(patient: PatientSnapshot, reading: Reading, options?: { backfilled: boolean }): Promise<void>;
  alert(patient: PatientSnapshot, alert: Alert): void;
  accountChanged(account: AccountStatus): void;
}

/** One followed patient as the status page sees it. `history` is never mutated (history.ts). */
export interface PatientView {
  snapshot: PatientSnapshot;
  /** the last ~24 h of readings, oldest first, at most one per minute, the snapshot's latest included */
  history: readonly Reading[];
  /**
   * Now by the clock the readings are aged with (this machine's, corrected when LibreLinkUp's clock
   * disagrees by minutes); absent: this machine's.
   */
  readingNow?: number;
}
