// Which connections a configured account follows, under which name and thresholds, and the
// snapshot the sink renders. Pure.

import type { PatientConfig } from '../config/types.js';
import type { Connection, Reading, SensorInfo } from '../librelinkup/model.js';
import { DEFAULT_URGENT_LOW_MGDL, isHighReading, isLowReading, isStale, rangeOf } from './classify.js';
import type { PatientSnapshot, PatientStats, Thresholds } from './events.js';

export function fullName(c: Pick<Connection, 'firstName' | 'lastName'>): string {
  return `${c.firstName} ${c.lastName}`.trim();
}

/** The config entry for a connection; undefined when the account lists patients and this is not one. */
export function matchPatient(
  connection: Connection,
  patients: readonly PatientConfig[] | undefined,
): PatientConfig | undefined | null {
  if (patients === undefined) return null;
  const name = fullName(connection).toLowerCase();
  return patients.find(
    (p) =>
      (p.id !== undefined && p.id === connection.patientId) ||
      (p.match !== undefined && p.match.trim().toLowerCase() === name),
  );
}

export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return slug === '' ? 'patient' : slug;
}

/** A slug not yet taken by another patient; stable because the chosen slug is persisted. */
export function uniqueSlug(base: string, patientId: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  const suffixed = `${base}_${slugify(patientId).slice(0, 8)}`;
  if (!taken.has(suffixed)) return suffixed;
  let n = 2;
  while (taken.has(`${suffixed}_${n}`)) n++;
  return `${suffixed}_${n}`;
}

export function thresholdsFor(connection: Connection, cfg: PatientConfig | undefined | null): Thresholds {
  return {
    targetLowMgdl: cfg?.target_low?.mgdl ?? connection.targetLowMgdl,
    targetHighMgdl: cfg?.target_high?.mgdl ?? connection.targetHighMgdl,
    urgentLowMgdl: cfg?.urgent_low?.mgdl ?? DEFAULT_URGENT_LOW_MGDL,
  };
}

export const EMPTY_STATS: PatientStats = {
  rate: null,
  delta: null,
  range: null,
  timeInRange: null,
  average: null,
  gmi: null,
  sensorExpiresAt: null,
  sensorProblem: null,
};

export interface SnapshotInput {
  accountKey: string;
  connection: Connection;
  cfg: PatientConfig | undefined | null;
  slug: string;
  latest: Reading | null;
  sensor: SensorInfo | null;
  stats?: PatientStats;
  now: number;
}

export function buildSnapshot(input: SnapshotInput): PatientSnapshot {
  const { connection, latest, now } = input;
  const thresholds = thresholdsFor(connection, input.cfg);
  return {
    accountKey: input.accountKey,
    patientId: connection.patientId,
    slug: input.slug,
    name: input.cfg?.name ?? fullName(connection),
    unit: connection.unit,
    thresholds,
    sensor: input.sensor,
    deviceTypeId: connection.deviceTypeId,
    latest,
    stale: isStale(latest, now),
    high: latest === null ? null : isHighReading(latest, thresholds),
    low: latest === null ? null : isLowReading(latest, thresholds),
    range: latest === null ? null : rangeOf(latest.mgdl, thresholds),
    stats: input.stats ?? EMPTY_STATS,
  };
}
