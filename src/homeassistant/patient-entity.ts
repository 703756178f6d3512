// The shape of a followed person's rows (entities.ts): a state JSON field, how it is computed, and
// the entity that reads it, if any; the few snapshot fields discovery may depend on; and the order
// entities are announced in.

import type { PatientSnapshot } from '../bridge/events.js';
import type { GlucoseUnit, Reading } from '../librelinkup/model.js';
import type { EntityDef } from './rows.js';

/**
 * All discovery may depend on. Every other snapshot field (reading, stats, flags, thresholds) changes
 * with readings and must not reach a discovery config, or every reading would re-send ~15 configs.
 */
export interface DiscoveryInputs {
  patientId: string;
  slug: string;
  name: string;
  unit: GlucoseUnit;
  deviceTypeId: number | null;
  sensor: { serial: string } | null;
}

export function discoveryInputs(p: DiscoveryInputs): DiscoveryInputs {
  const { patientId, slug, name, unit, deviceTypeId, sensor } = p;
  return { patientId, slug, name, unit, deviceTypeId, sensor: sensor ? { serial: sensor.serial } : null };
}

export interface PatientEntity extends EntityDef {
  /** also follows the person's availability (unavailable when stale) */
  fresh: boolean;
  /** `event` entities read the event topic, everything else the state JSON */
  topic?: 'event';
  config: (p: DiscoveryInputs) => Record<string, unknown>;
}

/** A field on the reading and event topics too: there the reading may be absent (an event without one). */
export interface ReadingRow {
  field: string;
  value: (p: PatientSnapshot, r: Reading | null) => unknown;
  entity?: PatientEntity;
}

/** A field of the state JSON only, which exists only with a reading. */
export interface StateRow {
  field: string;
  value: (p: PatientSnapshot, r: Reading) => unknown;
  entity?: PatientEntity;
}

/** An entity row as discovery sees it: the entity and the state field it reads (null: none). */
export type EntityRow = PatientEntity & { field: string | null };

/**
 * The order entities are announced and documented in: the reading first, then its figures, then the
 * sensor's life. (The state JSON keeps its own field order.)
 */
const DISCOVERY_ORDER = [
  'glucose',
  'trend',
  'high',
  'low',
  'timestamp',
  'event',
  'rate',
  'delta',
  'range',
  'time_in_range',
  'average',
  'gmi',
  'sensor_activated',
  'sensor_expires',
  'sensor',
];

export function inDiscoveryOrder(rows: EntityRow[]): EntityRow[] {
  const rank = (row: EntityRow) => {
    const at = DISCOVERY_ORDER.indexOf(row.key);
    if (at < 0) throw new Error(`entity ${row.key} has no place in DISCOVERY_ORDER`);
    return at;
  };
  return rows.sort((a, b) => rank(a) - rank(b));
}
