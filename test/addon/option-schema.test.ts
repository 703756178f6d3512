// ha-addon/config.yaml (read by the Supervisor) and the options table in ha-addon/DOCS.md against the
// option rows and the config schema: an option whose type, range, choices or default disagree fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  ADDON_OPTIONS_MARKERS,
  addonDefaults,
  addonSchema,
  configNode,
  renderAddonOptions,
  replaceAddonOptions,
  supervisorType,
} from '../../src/addon/option-schema.js';
import { ADDON_OPTIONS } from '../../src/addon/option-table.js';
import { REGION_CHOICES } from '../../src/config/regions.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const manifest = YAML.parse(read('ha-addon/config.yaml')) as { schema: unknown; options: unknown };
const UPDATE_DOCS = 'run `npm run docs`';

/** Paths where two option trees differ: `poll_interval`, `accounts[].region`. */
function differences(expected: unknown, actual: unknown, at = ''): string[] {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return [at];
    return expected.flatMap((e, i) => differences(e, actual[i], `${at}[]`));
  }
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(expected) && isObject(actual)) {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    return [...new Set([...Object.keys(e), ...Object.keys(a)])].flatMap((k) =>
      differences(e[k], a[k], at === '' ? k : `${at}.${k}`),
    );
  }
  return JSON.stringify(expected) === JSON.stringify(actual) ? [] : [at];
}

describe('ha-addon/config.yaml against the config schema', () => {
  it('has exactly the schema: block the option rows and the config schema give', () => {
    expect(differences(addonSchema(), manifest.schema)).toEqual([]);
  });

  it('has exactly the options: block (form defaults = config defaults)', () => {
    expect(differences(addonDefaults(), manifest.options)).toEqual([]);
    expect(manifest.options).toMatchObject({ poll_interval: 60, log_level: 'info' });
  });

  it('would notice a range, a choice or a default that drifted', () => {
    const drifted = structuredClone(manifest) as {
      schema: { poll_interval: string; accounts: Array<{ region: string }> };
      options: { log_level: string };
    };
    drifted.schema.poll_interval = 'int(10,3600)';
    drifted.schema.accounts[0]!.region = 'list(auto|us|eu)';
    drifted.options.log_level = 'debug';
    expect(differences(addonSchema(), drifted.schema)).toEqual(['accounts[].region', 'poll_interval']);
    expect(differences(addonDefaults(), drifted.options)).toEqual(['log_level']);
  });

  it('offers exactly the regions of the client allow-list, plus auto', () => {
    const accounts = (manifest.schema as { accounts: Array<{ region: string }> }).accounts;
    expect(accounts[0]!.region).toBe(`list(${REGION_CHOICES.join('|')})`);
  });

  it('maps every option to a config key, and narrows a number only within what the config accepts', () => {
    for (const row of ADDON_OPTIONS) {
      const node = configNode(row);
      if (row.narrow === undefined) continue;
      expect(['number', 'integer'], row.option).toContain(node.type);
      expect(row.narrow.min, row.option).toBeGreaterThanOrEqual(node.minimum ?? -Infinity);
      expect(row.narrow.min, row.option).toBeGreaterThan(node.exclusiveMinimum ?? -Infinity);
      expect(row.narrow.max, row.option).toBeLessThanOrEqual(node.maximum ?? Infinity);
      expect(row.narrow.because.length, row.option).toBeGreaterThan(10);
    }
    expect(supervisorType(ADDON_OPTIONS.find((r) => r.option === 'poll_interval')!)).toBe('int(30,300)');
  });

  it('gives a number without a declared narrowing the config range itself, both ends inclusive', () => {
    for (const row of ADDON_OPTIONS) {
      const node = configNode(row);
      if (row.narrow !== undefined || (node.type !== 'number' && node.type !== 'integer')) continue;
      expect(node.exclusiveMinimum, row.option).toBeUndefined();
      expect(node.minimum, row.option).toBeDefined();
      expect(node.maximum, row.option).toBeDefined();
    }
  });

  it('never shows a secret as plain text in the form', () => {
    for (const row of ADDON_OPTIONS) {
      if (configNode(row)['x-secret'] === true)
        expect(supervisorType(row), row.option).toMatch(/^password\??$/);
    }
  });
});

describe('ha-addon/DOCS.md options table', () => {
  const docs = read('ha-addon/DOCS.md');
  const { start, end } = ADDON_OPTIONS_MARKERS;

  it('is the rendered table, between its markers', () => {
    expect(docs.split(start).length - 1).toBe(1);
    expect(docs.split(end).length - 1).toBe(1);
    expect(docs, UPDATE_DOCS).toBe(replaceAddonOptions(docs));
  });

  it('has one row per option, with the range the form enforces', () => {
    const table = renderAddonOptions();
    for (const row of ADDON_OPTIONS) expect(table).toContain(`| \`${row.option}\` |`);
    expect(table).toContain('| `poll_interval` | whole number 30–300 | `60` |');
    expect(table).toContain(`one of ${REGION_CHOICES.map((r) => `\`${r}\``).join(', ')}`);
  });

  it('says the same poll_interval range in its prose', () => {
    const narrow = ADDON_OPTIONS.find((r) => r.option === 'poll_interval')!.narrow!;
    expect(docs).toContain(`Seconds, ${narrow.min} to ${narrow.max}.`);
  });

  it('refuses a document without the markers', () => {
    expect(() => replaceAddonOptions('# no table here')).toThrow(/addon-options:start/);
  });
});
