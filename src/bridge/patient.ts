// Which connections a configured account follows, under which name and thresholds, and the
// snapshot the sink renders. Pure.

import type { PatientConfig } from '../config/types.js';
import { NAME_MAX_CHARS, SLUG_MAX_CHARS } from '../librelinkup/limits.js';
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

/** Fixed words directly under <base>/ (see src/mqtt/topics.ts): no patient slug may be one. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set(['bridge']);

/** Slugs persisted by earlier versions are kept up to this length (new ones: SLUG_MAX_CHARS). */
export const KEPT_SLUG_MAX_CHARS = NAME_MAX_CHARS;

function cut(slug: string, max: number): string {
  return slug.slice(0, max).replace(/_+$/, '');
}

export function slugify(text: string): string {
  // Only a bounded prefix is looked at: a name of megabytes costs no more than a short one.
  const slug = text
    .slice(0, SLUG_MAX_CHARS * 4)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return slug === '' ? 'patient' : cut(slug, SLUG_MAX_CHARS);
}

/** A slug a topic can carry: lower-case letters, digits and `_`, not reserved, bounded. */
export function isUsableSlug(slug: string, max: number = SLUG_MAX_CHARS): boolean {
  return /^[a-z0-9_]+$/.test(slug) && slug.length <= max && !RESERVED_SLUGS.has(slug);
}

/**
 * A slug not yet taken by another patient, never a reserved word and at most SLUG_MAX_CHARS long;
 * stable because the chosen slug is persisted.
 */
export function uniqueSlug(base: string, patientId: string, taken: { has(slug: string): boolean }): string {
  const free = (s: string) => !taken.has(s) && !RESERVED_SLUGS.has(s);
  const head = cut(base, SLUG_MAX_CHARS) || 'patient';
  if (free(head)) return head;
  const idPart = slugify(patientId).slice(0, 8);
  const suffixed = `${cut(head, SLUG_MAX_CHARS - idPart.length - 1)}_${idPart}`;
  if (free(suffixed)) return suffixed;
  for (let n = 2; ; n++) {
    const tail = `_${n}`;
    const candidate = `${cut(suffixed, SLUG_MAX_CHARS - tail.length)}${tail}`;
    if (free(candidate)) return candidate;
  }
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
  colorBand: null,
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
    name: (input.cfg?.name ?? fullName(connection)).slice(0, NAME_MAX_CHARS),
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
