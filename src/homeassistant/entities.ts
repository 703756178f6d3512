// One row per Home Assistant entity of a followed person: the whole discovery vocabulary in a table.
// `fresh: true` rows also follow the person's availability topic, so they go unavailable when the
// reading is stale; the others (timestamp, event, sensor lifecycle) stay, so users see since when.

import { ALERT_TYPES, type PatientSnapshot } from '../bridge/events.js';
import { TRENDS } from '../librelinkup/model.js';
import { displayPrecision } from '../units.js';

export type Component = 'sensor' | 'binary_sensor' | 'event' | 'button';

export interface EntityRow {
  key: string;
  component: Component;
  name: string;
  fresh: boolean;
  /** component-specific discovery keys; state_topic, device, availability are added by discovery.ts */
  config: (p: PatientSnapshot) => Record<string, unknown>;
  /** `event` rows publish on the event topic, everything else reads the state JSON */
  topic?: 'event';
}

const onOff = (field: string) => `{{ 'ON' if value_json.${field} else 'OFF' }}`;

export const PATIENT_ENTITIES: readonly EntityRow[] = [
  {
    key: 'glucose',
    component: 'sensor',
    name: 'Glucose',
    fresh: true,
    config: (p) => ({
      device_class: 'blood_glucose_concentration',
      state_class: 'measurement',
      unit_of_measurement: p.unit,
      suggested_display_precision: displayPrecision(p.unit),
      value_template: '{{ value_json.glucose }}',
      icon: 'mdi:diabetes',
    }),
  },
  {
    key: 'trend',
    component: 'sensor',
    name: 'Trend',
    fresh: true,
    // A null trend renders as "None", which Home Assistant reads as unknown.
    config: () => ({
      device_class: 'enum',
      options: [...TRENDS],
      value_template: '{{ value_json.trend }}',
      icon: 'mdi:trending-up',
    }),
  },
  {
    key: 'high',
    component: 'binary_sensor',
    name: 'High',
    fresh: true,
    config: () => ({ device_class: 'problem', value_template: onOff('high'), icon: 'mdi:arrow-up-bold' }),
  },
  {
    key: 'low',
    component: 'binary_sensor',
    name: 'Low',
    fresh: true,
    config: () => ({ device_class: 'problem', value_template: onOff('low'), icon: 'mdi:arrow-down-bold' }),
  },
  {
    key: 'timestamp',
    component: 'sensor',
    name: 'Last reading',
    fresh: false,
    config: () => ({ device_class: 'timestamp', value_template: '{{ value_json.timestamp }}' }),
  },
  {
    key: 'event',
    component: 'event',
    name: 'Alert',
    fresh: false,
    topic: 'event',
    config: () => ({ event_types: [...ALERT_TYPES] }),
  },
  {
    key: 'rate',
    component: 'sensor',
    name: 'Rate of change',
    fresh: true,
    config: (p) => ({
      state_class: 'measurement',
      unit_of_measurement: `${p.unit}/min`,
      suggested_display_precision: p.unit === 'mg/dL' ? 1 : 2,
      value_template: '{{ value_json.rate }}',
      icon: 'mdi:chart-line-variant',
    }),
  },
  {
    key: 'delta',
    component: 'sensor',
    name: 'Delta',
    fresh: true,
    config: (p) => ({
      state_class: 'measurement',
      unit_of_measurement: p.unit,
      suggested_display_precision: displayPrecision(p.unit),
      value_template: '{{ value_json.delta }}',
      icon: 'mdi:delta',
    }),
  },
  {
    key: 'range',
    component: 'sensor',
    name: 'Range',
    fresh: true,
    config: () => ({
      device_class: 'enum',
      options: ['in_range', 'above_target', 'above_high_alarm', 'below_low'],
      value_template: '{{ value_json.color_range }}',
      icon: 'mdi:palette',
    }),
  },
  {
    key: 'time_in_range',
    component: 'sensor',
    name: 'Time in range (24 h)',
    fresh: false,
    config: () => ({
      state_class: 'measurement',
      unit_of_measurement: '%',
      suggested_display_precision: 0,
      value_template: '{{ value_json.time_in_range }}',
      icon: 'mdi:target',
    }),
  },
  {
    key: 'average',
    component: 'sensor',
    name: 'Average (24 h)',
    fresh: false,
    config: (p) => ({
      device_class: 'blood_glucose_concentration',
      state_class: 'measurement',
      unit_of_measurement: p.unit,
      suggested_display_precision: displayPrecision(p.unit),
      value_template: '{{ value_json.average }}',
      entity_category: 'diagnostic',
    }),
  },
  {
    key: 'gmi',
    component: 'sensor',
    name: 'GMI (24 h)',
    fresh: false,
    config: () => ({
      state_class: 'measurement',
      unit_of_measurement: '%',
      suggested_display_precision: 1,
      value_template: '{{ value_json.gmi }}',
      entity_category: 'diagnostic',
    }),
  },
  {
    key: 'sensor_activated',
    component: 'sensor',
    name: 'Sensor activated',
    fresh: false,
    config: () => ({
      device_class: 'timestamp',
      value_template: '{{ value_json.sensor_activated }}',
      entity_category: 'diagnostic',
    }),
  },
  {
    key: 'sensor_expires',
    component: 'sensor',
    name: 'Sensor expires (estimate)',
    fresh: false,
    config: () => ({
      device_class: 'timestamp',
      value_template: '{{ value_json.sensor_expires }}',
      entity_category: 'diagnostic',
    }),
  },
  {
    key: 'sensor',
    component: 'binary_sensor',
    name: 'Sensor problem',
    fresh: false,
    config: () => ({
      device_class: 'problem',
      value_template: "{{ 'OFF' if value_json.sensor_problem == 'ok' else 'ON' }}",
      entity_category: 'diagnostic',
    }),
  },
];
