// README.md's and ha-addon/DOCS.md's entity tables are generated from the entity rows
// (src/homeassistant/entity-docs.ts). This fails when a committed table drifts from the rows.
// To update: npm run docs.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PATIENT_ENTITIES } from '../../src/homeassistant/entities.js';
import {
  ENTITY_TABLE_MARKERS,
  renderAddonEntities,
  renderReadmeEntities,
} from '../../src/homeassistant/entity-docs.js';

const ROOT = join(import.meta.dirname, '..', '..');
const UPDATE = 'run `npm run docs`';
const { start, end } = ENTITY_TABLE_MARKERS;

const DOCS = [
  { file: join(ROOT, 'README.md'), section: /^## Topics and entities\s*$/m, render: renderReadmeEntities },
  { file: join(ROOT, 'ha-addon', 'DOCS.md'), section: /^## Entities\s*$/m, render: renderAddonEntities },
];

function between(text: string): { from: number; to: number } {
  return { from: text.indexOf(start), to: text.indexOf(end) };
}

describe.each(DOCS)('$file entity table', ({ file, section, render }) => {
  it('has the markers once each, in order, in its entities section', () => {
    const text = readFileSync(file, 'utf8');
    expect(text.split(start).length - 1, `${file} must contain ${start} exactly once`).toBe(1);
    expect(text.split(end).length - 1, `${file} must contain ${end} exactly once`).toBe(1);
    const at = text.search(section);
    expect(at, `${file} has no ${section} section`).toBeGreaterThanOrEqual(0);
    const { from, to } = between(text);
    const next = text.slice(at + 1).search(/^## /m);
    expect(from).toBeGreaterThan(at);
    expect(to).toBeGreaterThan(from);
    if (next >= 0) expect(to).toBeLessThan(at + 1 + next);
  });

  it('matches the table rendered from the entity rows', () => {
    const text = readFileSync(file, 'utf8');
    const { from, to } = between(text);
    const fresh = `\n${render()}`;
    const committed = text.slice(from + start.length, to);
    expect(committed, `${file}'s entity table is out of date: ${UPDATE}`).toBe(fresh);
  });

  it('names every entity key', () => {
    const table = render();
    for (const row of PATIENT_ENTITIES) expect(table).toContain(`${row.key}\``);
  });
});
