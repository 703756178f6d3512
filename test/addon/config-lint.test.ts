// ha-addon/config.yaml against the add-on linter (frenck/action-addon-linter): its JSON schema, copied
// into fixtures/, plus the checks its lint.py makes, plus the Supervisor's own option rules.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ADDON_HTTP_PORT } from '../../src/addon/options.js';
import { REGION_CHOICES } from '../../src/config/regions.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const config = YAML.parse(read('ha-addon/config.yaml')) as Record<string, unknown>;
const linterSchema = JSON.parse(read('test/addon/fixtures/ha-addon-config.schema.json')) as {
  properties: Record<string, { default?: unknown }>;
};
const translations = YAML.parse(read('ha-addon/translations/en.yaml')) as {
  configuration: Record<string, { name: string; description: string; fields?: Record<string, unknown> }>;
  network?: Record<string, string>;
};
const pkg = JSON.parse(read('package.json')) as { version: string };

type SchemaNode = string | SchemaNode[] | { [key: string]: SchemaNode };
const schema = config.schema as Record<string, SchemaNode>;
const options = config.options as Record<string, unknown>;

// Supervisor supervisor/addons/options.py RE_SCHEMA_ELEMENT, in JS.
const RE_SCHEMA_ELEMENT = new RegExp(
  '^(?:|bool|email|url|port|device(?:\\((?:subsystem=[a-z]+)\\))?|str(?:\\((\\d+)?,(\\d+)?\\))?' +
    '|password(?:\\((\\d+)?,(\\d+)?\\))?|int(?:\\((\\d+)?,(\\d+)?\\))?|float(?:\\(([\\d.]+)?,([\\d.]+)?\\))?' +
    '|match\\((?<match>.*)\\)|list\\((?<list>.+)\\))\\??$',
);

/** Every leaf of the options schema with its dotted path ("accounts.patients.id"). */
function leaves(node: SchemaNode, path: string, out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof node === 'string') out.push([path, node]);
  else if (Array.isArray(node)) leaves(node[0] as SchemaNode, path, out);
  else for (const [k, v] of Object.entries(node)) leaves(v, path === '' ? k : `${path}.${k}`, out);
  return out;
}

/** Every key path of the schema, groups and lists included. */
function schemaPaths(node: SchemaNode, path: string, out: string[] = []): string[] {
  if (Array.isArray(node)) schemaPaths(node[0] as SchemaNode, path, out);
  else if (typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      const p = path === '' ? k : `${path}.${k}`;
      out.push(p);
      schemaPaths(v, p, out);
    }
  }
  return out;
}

/** Every key path in the option defaults, list indexes dropped. */
function optionPaths(value: unknown, path: string, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) optionPaths(v, path, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const p = path === '' ? k : `${path}.${k}`;
      out.push(p);
      optionPaths(v, p, out);
    }
  }
  return out;
}

/** Keys below a top-level option, at any depth (translations list them flat under `fields`). */
function nestedKeys(node: SchemaNode, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) nestedKeys(node[0] as SchemaNode, out);
  else if (typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      out.add(k);
      nestedKeys(v, out);
    }
  }
  return out;
}

/** Supervisor _check_missing_options: a missing key is fine only when its type is a string ending in "?". */
function missingRequired(
  schemaNode: Record<string, SchemaNode>,
  value: Record<string, unknown>,
  at: string,
): string[] {
  const problems: string[] = [];
  for (const [key, type] of Object.entries(schemaNode)) {
    const v = value[key];
    if (v === undefined) {
      const effective = Array.isArray(type) ? type[0] : type;
      if (!(typeof effective === 'string' && effective.endsWith('?'))) problems.push(`${at}${key}`);
      continue;
    }
    if (Array.isArray(type) && typeof type[0] === 'object' && !Array.isArray(type[0]) && Array.isArray(v)) {
      v.forEach((item, i) => {
        problems.push(...missingRequired(type[0] as Record<string, SchemaNode>, item, `${at}${key}[${i}].`));
      });
    } else if (typeof type === 'object' && !Array.isArray(type) && typeof v === 'object' && v !== null) {
      problems.push(...missingRequired(type, v as Record<string, unknown>, `${at}${key}.`));
    }
  }
  return problems;
}

/** Paths of option defaults whose schema type is optional ("?"): the Supervisor forbids that combination. */
function optionalWithDefault(schemaNode: SchemaNode, value: unknown, at: string): string[] {
  if (value === undefined) return [];
  if (typeof schemaNode === 'string') return schemaNode.endsWith('?') ? [at] : [];
  if (Array.isArray(schemaNode)) {
    return Array.isArray(value)
      ? value.flatMap((v, i) => optionalWithDefault(schemaNode[0]!, v, `${at}[${i}]`))
      : [];
  }
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(schemaNode).flatMap(([k, s]) =>
    optionalWithDefault(s, (value as Record<string, unknown>)[k], at === '' ? k : `${at}.${k}`),
  );
}

describe('ha-addon/config.yaml: linter schema', () => {
  it('validates against the linter JSON schema (draft-07)', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('uri-reference', true);
    ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
    const validate = ajv.compile(linterSchema);
    const valid = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
  });
});

describe('ha-addon/config.yaml: lint.py rules', () => {
  it('sets no key to its default value', () => {
    const defaulted = Object.entries(config).filter(([key, value]) => {
      const def = linterSchema.properties[key]?.default;
      return def !== undefined && JSON.stringify(def) === JSON.stringify(value);
    });
    expect(defaulted.map(([k]) => k)).toEqual([]);
  });

  it('has no watchdog (the Dockerfile HEALTHCHECK replaces it)', () => {
    expect(config).not.toHaveProperty('watchdog');
  });

  it('does not combine webui with ingress', () => {
    expect(config.ingress).toBe(true);
    expect(config).not.toHaveProperty('webui');
  });

  it('supports only aarch64 and amd64', () => {
    expect(config.arch).toEqual(['aarch64', 'amd64']);
  });

  it('declares the MQTT service as needed, in the linter format', () => {
    const services = config.services as string[];
    for (const s of services) expect(s).toMatch(/^(?<service>mqtt|mysql):(?<rights>provide|want|need)$/);
    expect(services).toContain('mqtt:need');
  });

  it('uses no deprecated keys or values', () => {
    expect(config).not.toHaveProperty('codenotary');
    expect(config).not.toHaveProperty('build_from');
    expect((config.map as string[] | undefined) ?? []).not.toContain('config');
    expect(config.tmpfs === undefined || typeof config.tmpfs === 'boolean').toBe(true);
  });

  it('has the version of package.json', () => {
    expect(config.version).toBe(pkg.version);
    expect(typeof config.version).toBe('string');
  });

  it('has the required identity keys, slug librelinkup2mqtt and init false', () => {
    expect(config).toMatchObject({ slug: 'librelinkup2mqtt', init: false, homeassistant: '2024.12.0' });
    expect(String(config.name).length).toBeGreaterThan(0);
    expect(String(config.description).length).toBeGreaterThan(0);
    expect(config.url).toBe('https://github.com/librelinkup2mqtt/librelinkup2mqtt');
  });

  it('serves ingress on the port the add-on listens on', () => {
    const ingressPort =
      (config.ingress_port as number | undefined) ?? linterSchema.properties.ingress_port?.default;
    expect(ingressPort).toBe(ADDON_HTTP_PORT);
  });
});

describe('ha-addon/config.yaml: options and schema (Supervisor rules)', () => {
  it('uses only types the Supervisor knows, and match() patterns compile', () => {
    for (const [path, type] of leaves(schema, '')) {
      const m = RE_SCHEMA_ELEMENT.exec(type);
      expect(m, `${path}: ${type}`).not.toBeNull();
      if (m?.groups?.match) expect(() => new RegExp(m.groups!.match!), path).not.toThrow();
    }
  });

  it('gives no default to an optional ("?") option', () => {
    expect(optionalWithDefault(schema, options, '')).toEqual([]);
  });

  it('has every option in the schema', () => {
    const known = new Set([...leaves(schema, '').map(([p]) => p), ...schemaPaths(schema, '')]);
    const given = optionPaths(options, '');
    expect(given.length).toBeGreaterThan(0);
    for (const p of given) expect(known.has(p), p).toBe(true);
  });

  it('lists in the defaults every key the Supervisor would otherwise call missing (lists, groups)', () => {
    // Required strings left null/empty are for the user to fill in; lists and groups must be present.
    const problems = missingRequired(schema, options, '').filter((p) => !/\.(email|password)$/.test(p));
    expect(problems).toEqual([]);
  });

  it('uses password types for passwords', () => {
    for (const [path, type] of leaves(schema, '')) {
      if (path.endsWith('password')) expect(type, path).toMatch(/^password\??$/);
    }
  });

  it('offers exactly the regions the config accepts: auto and the client allow-list', () => {
    const region = leaves(schema, '').find(([p]) => p === 'accounts.region')?.[1];
    expect(region).toBe(`list(${REGION_CHOICES.join('|')})`);
  });

  it('accepts thresholds with a unit and refuses bare numbers', () => {
    const type = leaves(schema, '').find(([p]) => p === 'accounts.patients.target_low')?.[1] ?? '';
    const re = new RegExp(RE_SCHEMA_ELEMENT.exec(type)!.groups!.match!);
    for (const ok of ['70 mg/dL', '3.9 mmol/L', '180mg/dL']) expect(re.test(ok), ok).toBe(true);
    for (const bad of ['70', '3,9 mmol/L', 'low']) expect(re.test(bad), bad).toBe(false);
  });
});

describe('ha-addon/translations/en.yaml', () => {
  it('names exactly the schema keys, with name and description', () => {
    expect(Object.keys(translations.configuration).sort()).toEqual(Object.keys(schema).sort());
    for (const [key, entry] of Object.entries(translations.configuration)) {
      expect(entry.name, key).toBeTruthy();
      expect(entry.description, key).toBeTruthy();
    }
  });

  it('describes every nested key as a field, and no others', () => {
    for (const [key, node] of Object.entries(schema)) {
      const fields = Object.keys(translations.configuration[key]?.fields ?? {}).sort();
      expect(fields, key).toEqual([...nestedKeys(node)].sort());
    }
  });

  it('describes the ingress port', () => {
    expect(Object.keys(translations.network ?? {})).toEqual([`${ADDON_HTTP_PORT}/TCP`]);
  });
});

describe('ha-addon/DOCS.md', () => {
  it('documents every option and the medical disclaimer', () => {
    const docs = read('ha-addon/DOCS.md');
    for (const [path] of leaves(schema, '')) {
      // In the options table as a full path (`accounts[].email`), or alone in the text.
      const key = path.split('.').pop()!;
      expect(docs, key).toMatch(new RegExp(`\`([a-z_]+(\\[\\])?\\.)*${key}\``));
    }
    expect(docs).toMatch(/Not a medical device/);
  });
});
