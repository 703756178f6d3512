// README.md's configuration reference is generated from src/config/schema.json (renderConfigReference
// in src/config/docs.ts). This fails when the committed table drifts from the schema. The update
// script imports the compiled dist/config/docs.js, so it needs a build first.
// (config.example.yaml loading with its ${VAR}s set is covered in test/config/load.test.ts.)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_REFERENCE_MARKERS, renderConfigReference } from '../../src/config/docs.js';

const ROOT = join(import.meta.dirname, '..', '..');
const README = join(ROOT, 'README.md');
const UPDATE = 'run `npm run docs`';

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('README configuration reference', () => {
  const readme = readFileSync(README, 'utf8');
  const { start, end } = CONFIG_REFERENCE_MARKERS;

  it('has the generator markers once each, in order, inside "## Configuration reference"', () => {
    expect(occurrences(readme, start), `README.md must contain ${start} exactly once`).toBe(1);
    expect(occurrences(readme, end), `README.md must contain ${end} exactly once`).toBe(1);
    const section = readme.search(/^## Configuration reference\s*$/m);
    expect(section, 'README.md has no "## Configuration reference" section').toBeGreaterThanOrEqual(0);
    const afterHeading = readme.slice(section).replace(/^## Configuration reference\s*$/m, '');
    const next = afterHeading.search(/^## /m);
    const body = next < 0 ? afterHeading : afterHeading.slice(0, next);
    expect(
      body.indexOf(start),
      'start marker not in the Configuration reference section',
    ).toBeGreaterThanOrEqual(0);
    expect(
      body.indexOf(end),
      'end marker missing from the section or before the start marker',
    ).toBeGreaterThan(body.indexOf(start));
  });

  it('matches the table generated from the config schema', () => {
    const from = readme.indexOf(start);
    const to = readme.indexOf(end);
    expect(from >= 0 && to > from, `markers missing in README.md: ${UPDATE} after adding them`).toBe(true);
    const committed = readme.slice(from + start.length, to);
    expect(committed, `README.md's configuration reference is out of date: ${UPDATE}`).toBe(
      `\n${renderConfigReference()}`,
    );
  });
});
