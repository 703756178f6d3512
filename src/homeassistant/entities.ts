// One row per field of a followed person's state JSON, in the order the JSON is written; a row that
// is also a Home Assistant entity says so, and its value template is derived from the field, so the
// key a template reads and the key the payload writes cannot drift apart. The state payload is a
// fold over these rows (payloads.ts); discovery is a map over the entity rows (discovery.ts).
// `fresh` entities also follow the person's availability topic, so they go unavailable when the
// reading is stale; the others (timestamp, event, sensor lifecycle) stay, so users see since when.

import { ALERT_TYPES, COLOR_BANDS } from '../bridge/events.js';
import { TRENDS } from '../librelinkup/model.js';
import { displayPrecision, fromMgdl } from '../units.js';
import {
  type EntityRow,
  inDiscoveryOrder,
  type PatientEntity,
  type ReadingRow,
  type StateRow,
} from './patient-entity.js';
import { finiteOrNull, iso, okUnless, onOff } from './rows.js';

export { type DiscoveryInputs, discoveryInputs, type EntityRow } from './patient-entity.js';

export const READING_ROWS: readonly ReadingRow[] = [
  {
    field: 'timestamp',
    value: (_p, r) => (r ? iso(r.timestamp) : null),
    entity: {
      key: 'timestamp',
      component: 'sensor',
      name: 'Last reading',
      fresh: false,
      config: () => ({ device_class: 'timestamp' }),
      doc: "the reading's time; stays available when stale",
    },
  },
  { field: 'glucose_mgdl', value: (_p, r) => (r ? r.mgdl : null) },
  {
    field: 'glucose',
    value: (p, r) => (r ? fromMgdl(r.mgdl, p.unit) : null),
    entity: {
      key: 'glucose',
      component: 'sensor',
      name: 'Glucose',
      fresh: true,
      config: (p) => ({
        device_class: 'blood_glucose_concentration',
        state_class: 'measurement',
        unit_of_measurement: p.unit,
        suggested_display_precision: displayPrecision(p.unit),
        icon: 'mdi:diabetes',
      }),
      doc: "`mg/dL` or `mmol/L` as the person's app; unavailable when stale (older than 15 minutes)",
    },
  },
  { field: 'unit', value: (p) => p.unit },
  {
    field: 'trend',
    value: (_p, r) => (r ? r.trend : null),
    entity: {
      key: 'trend',
      component: 'sensor',
      name: 'Trend',
      fresh: true,
      // A null trend renders as "None", which Home Assistant reads as unknown.
      config: () => ({ device_class: 'enum', options: [...TRENDS], icon: 'mdi:trending-up' }),
      doc: `${TRENDS.map((t) => `\`${t}\``).join(', ')}; unknown when LibreLinkUp has none`,
    },
  },
];

const targetEntity = (key: 'high' | 'low', icon: string, doc: string): PatientEntity => ({
  key,
  component: 'binary_sensor',
  name: key === 'high' ? 'High' : 'Low',
  fresh: true,
  template: onOff,
  config: () => ({ device_class: 'problem', icon }),
  doc,
});

export const STATE_ROWS: readonly StateRow[] = [
  // LibreLinkUp's raw sensor flags (out of the sensor's range, HI/LO), not the targets.
  { field: 'is_high', value: (_p, r) => r.isHigh },
  { field: 'is_low', value: (_p, r) => r.isLow },
  {
    field: 'high',
    value: (p) => p.high,
    entity: targetEntity(
      'high',
      'mdi:arrow-up-bold',
      "above `target_high` (the person's target, or your override)",
    ),
  },
  {
    field: 'low',
    value: (p) => p.low,
    entity: targetEntity(
      'low',
      'mdi:arrow-down-bold',
      "below `target_low` (the person's target, or your override)",
    ),
  },
  // targetRange: urgent_low / low / in_range / high against the targets; an attribute, not an entity.
  { field: 'range', value: (p) => p.range },
  { field: 'stale', value: (p) => p.stale },
  { field: 'target_low', value: (p) => fromMgdl(p.thresholds.targetLowMgdl, p.unit) },
  { field: 'target_high', value: (p) => fromMgdl(p.thresholds.targetHighMgdl, p.unit) },
  {
    field: 'rate',
    value: (p) => finiteOrNull(p.stats.rate),
    entity: {
      key: 'rate',
      component: 'sensor',
      name: 'Rate of change',
      fresh: true,
      config: (p) => ({
        state_class: 'measurement',
        unit_of_measurement: `${p.unit}/min`,
        suggested_display_precision: p.unit === 'mg/dL' ? 1 : 2,
        icon: 'mdi:chart-line-variant',
      }),
      doc:
        "rate of change in the person's unit per minute: the slope over the last 5 minutes of readings, " +
        "the window the app's trend arrow follows (over 15 minutes when only the graph's 5-minute points " +
        'are there, e.g. after a gap)',
    },
  },
  {
    field: 'delta',
    value: (p) => finiteOrNull(p.stats.delta),
    entity: {
      key: 'delta',
      component: 'sensor',
      name: 'Delta',
      fresh: true,
      config: (p) => ({
        state_class: 'measurement',
        unit_of_measurement: p.unit,
        suggested_display_precision: displayPrecision(p.unit),
        icon: 'mdi:delta',
      }),
      doc: 'change since the previous reading',
    },
  },
  {
    // colorBand: the app's colour; the entity key stays `range` and the field `color_range`.
    field: 'color_range',
    value: (p) => p.stats.colorBand,
    entity: {
      key: 'range',
      component: 'sensor',
      name: 'Range',
      fresh: true,
      config: () => ({ device_class: 'enum', options: [...COLOR_BANDS], icon: 'mdi:palette' }),
      doc:
        `${COLOR_BANDS.map((b) => `\`${b}\``).join(', ')}, as the LibreLinkUp app colours the reading ` +
        '(MeasurementColor), so it follows the targets set in the app, not your `target_low`/`target_high` ' +
        'overrides (those drive `high`/`low`)',
    },
  },
  {
    field: 'time_in_range',
    value: (p) => finiteOrNull(p.stats.timeInRange),
    entity: {
      key: 'time_in_range',
      component: 'sensor',
      name: 'Time in range (24 h)',
      fresh: false,
      config: () => ({
        state_class: 'measurement',
        unit_of_measurement: '%',
        suggested_display_precision: 0,
        icon: 'mdi:target',
      }),
      doc: 'share of the last 24 h between target low and high; unknown with less than 70 % of the period covered',
    },
  },
  {
    field: 'average',
    value: (p) => finiteOrNull(p.stats.average),
    entity: {
      key: 'average',
      component: 'sensor',
      name: 'Average (24 h)',
      fresh: false,
      config: (p) => ({
        device_class: 'blood_glucose_concentration',
        state_class: 'measurement',
        unit_of_measurement: p.unit,
        suggested_display_precision: displayPrecision(p.unit),
        entity_category: 'diagnostic',
      }),
      doc: '24 h average; unknown with less than 70 % coverage',
    },
  },
  {
    field: 'gmi',
    value: (p) => finiteOrNull(p.stats.gmi),
    entity: {
      key: 'gmi',
      component: 'sensor',
      name: 'GMI (24 h)',
      fresh: false,
      config: () => ({
        state_class: 'measurement',
        unit_of_measurement: '%',
        suggested_display_precision: 1,
        entity_category: 'diagnostic',
      }),
      doc: 'glucose management indicator (GMI = 3.31 + 0.02392 × mean mg/dL); unknown with less than 70 % coverage',
    },
  },
  {
    field: 'sensor_activated',
    value: (p) => (p.sensor ? iso(p.sensor.activatedAt) : null),
    entity: {
      key: 'sensor_activated',
      component: 'sensor',
      name: 'Sensor activated',
      fresh: false,
      config: () => ({ device_class: 'timestamp', entity_category: 'diagnostic' }),
      doc: 'activation, from LibreLinkUp',
    },
  },
  {
    field: 'sensor_expires',
    value: (p) => {
      const at = p.stats.sensorExpiresAt;
      return at !== null && Number.isFinite(at) ? iso(at) : null;
    },
    entity: {
      key: 'sensor_expires',
      component: 'sensor',
      name: 'Sensor expires (estimate)',
      fresh: false,
      config: () => ({ device_class: 'timestamp', entity_category: 'diagnostic' }),
      doc: 'an **estimate** (14 days, 15 for Libre 3 — LibreLinkUp does not say)',
    },
  },
  {
    field: 'sensor_problem',
    value: (p) => p.stats.sensorProblem ?? 'ok',
    entity: {
      key: 'sensor',
      component: 'binary_sensor',
      name: 'Sensor problem',
      fresh: false,
      template: okUnless,
      config: () => ({ device_class: 'problem', entity_category: 'diagnostic' }),
      doc: 'on when no sensor is active (`sensor: null`), while warming up, or once it ended',
    },
  },
];

const EVENT_ENTITY: EntityRow = {
  field: null,
  key: 'event',
  component: 'event',
  name: 'Alert',
  fresh: false,
  topic: 'event',
  config: () => ({ event_types: [...ALERT_TYPES] }),
  doc: `${ALERT_TYPES.map((t) => `\`${t}\``).join(', ')}; the reading in its attributes; never retained`,
};

function entityRows(rows: ReadonlyArray<ReadingRow | StateRow>): EntityRow[] {
  return rows.flatMap((row) => (row.entity ? [{ ...row.entity, field: row.field }] : []));
}

/** Every entity of a followed person, in discovery order. */
export const PATIENT_ENTITIES: readonly EntityRow[] = inDiscoveryOrder([
  ...entityRows(READING_ROWS),
  ...entityRows(STATE_ROWS),
  EVENT_ENTITY,
]);
