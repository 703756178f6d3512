// The README and add-on entity tables, rendered from the rows themselves so the documentation
// cannot drift from what is published (test/docs/entity-tables.test.ts checks the committed copies).

import { ACCOUNT_ENTITIES, BRIDGE_ENTITIES } from './bridge-entities.js';
import { type DiscoveryInputs, type EntityRow, PATIENT_ENTITIES } from './entities.js';
import type { Component } from './rows.js';

export const ENTITY_TABLE_MARKERS = {
  start: '<!-- entities:start -->',
  end: '<!-- entities:end -->',
} as const;

/** Discovery of a person in mg/dL: only to read what kind each entity is. */
const SAMPLE: DiscoveryInputs = {
  patientId: 'p',
  slug: 'mum',
  name: 'Mum',
  unit: 'mg/dL',
  deviceTypeId: null,
  sensor: null,
};

function kind(component: Component, config: Record<string, unknown>): string {
  const deviceClass = typeof config.device_class === 'string' ? config.device_class : null;
  const parts: string[] = [component];
  if (deviceClass === 'enum') parts.push('enum');
  else if (deviceClass !== null) parts.push(`\`${deviceClass}\``);
  else if (config.state_class === 'measurement') parts.push('measurement');
  const diagnostic = config.entity_category === 'diagnostic' ? ' (diagnostic)' : '';
  return `${parts.join(', ')}${diagnostic}`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function fieldOf(row: EntityRow): string {
  return row.topic === 'event' ? '`<base>/<patient>/event`' : row.field === null ? '—' : `\`${row.field}\``;
}

/** README: every entity of a person and of the bridge device, with the state field each reads. */
export function renderReadmeEntities(): string {
  const lines = [
    'Entities per followed person (one device each, unique_id `librelinkup2mqtt_<patientId>_<key>`; the',
    'field is the key in `<base>/<patient>/state` the entity reads):',
    '',
    '| key | type | field | notes |',
    '|---|---|---|---|',
    ...PATIENT_ENTITIES.map(
      (row) =>
        `| \`${row.key}\` | ${kind(row.component, row.config(SAMPLE))} | ${fieldOf(row)} | ${cell(row.doc)} |`,
    ),
    '',
    'Entities of the bridge device (per account: field of `<base>/bridge/<account>/state`):',
    '',
    '| key | type | field | notes |',
    '|---|---|---|---|',
    ...BRIDGE_ENTITIES.map((e) => `| \`${e.key}\` | ${kind(e.component, e.config)} | — | ${cell(e.doc)} |`),
    ...ACCOUNT_ENTITIES.map(
      (e) =>
        `| \`${e.key}\` (per account) | ${kind(e.component, { ...e.config, entity_category: 'diagnostic' })} | \`${e.field}\` | ${cell(e.doc)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** Add-on documentation: a person's entities by their entity id, `mum` standing for the person. */
export function renderAddonEntities(): string {
  const lines = [
    '| entity | what it shows |',
    '|---|---|',
    ...PATIENT_ENTITIES.map((row) => `| \`${row.component}.${SAMPLE.slug}_${row.key}\` | ${cell(row.doc)} |`),
  ];
  return `${lines.join('\n')}\n`;
}
