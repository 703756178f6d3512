import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_REFERENCE_MARKERS,
  renderConfigReference,
  replaceConfigReference,
} from '../../src/config/docs.js';
import { parseConfig } from '../../src/config/load.js';
import { genericPath } from '../../src/config/paths.js';
import { configSchema, type SchemaNode, schemaEntries } from '../../src/config/schema.js';
import { closestKey, editDistance } from '../../src/config/suggest.js';
import { configWarnings } from '../../src/config/warnings.js';
import { DEFAULT_REGION_URL, REGION_CODES, REGIONS, regionBaseUrl } from '../../src/librelinkup/regions.js';
import { ENV, withAccount } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const entries = schemaEntries();
const keyPaths = entries.map((e) => genericPath(e.segments));
const leafPaths = entries
  .filter((e) => e.node.type !== 'object' && e.node.type !== 'array')
  .map((e) => genericPath(e.segments));

function objects(
  node: SchemaNode,
  at: string,
  out: Array<[string, SchemaNode]> = [],
): Array<[string, SchemaNode]> {
  if (node.type === 'object') out.push([at, node]);
  for (const [k, child] of Object.entries(node.properties ?? {}))
    objects(child, at === '' ? k : `${at}.${k}`, out);
  if (node.items) objects(node.items, `${at}[]`, out);
  return out;
}

describe('schema.json', () => {
  it('closes every object and describes every key', () => {
    for (const [path, node] of objects(configSchema(), ''))
      expect(node.additionalProperties, path).toBe(false);
    for (const e of entries)
      expect(e.node.description?.length ?? 0, genericPath(e.segments)).toBeGreaterThan(20);
  });

  it('marks exactly the passwords as secret', () => {
    expect(entries.filter((e) => e.node['x-secret'] === true).map((e) => genericPath(e.segments))).toEqual([
      'accounts[].password',
      'mqtt.password',
    ]);
  });

  it('offers exactly the region allow-list plus auto', () => {
    const region = entries.find((e) => genericPath(e.segments) === 'accounts[].region')!.node;
    expect(region.enum).toEqual(['auto', ...REGION_CODES]);
    // The file holds no copy of the list: it is filled in from the allow-list when read.
    const file = readFileSync(join(ROOT, 'src', 'config', 'schema.json'), 'utf8');
    expect(file).not.toMatch(/"eu2"/);
  });
});

describe('regions', () => {
  it('maps every code to its production host', () => {
    expect(Object.keys(REGIONS)).toEqual([...REGION_CODES]);
    for (const code of REGION_CODES) {
      const expected =
        code === 'ru'
          ? 'https://api.libreview.ru'
          : code === 'cn'
            ? 'https://api-cn.myfreestyle.cn'
            : `https://api-${code}.libreview.io`;
      expect(REGIONS[code]).toBe(expected);
      expect(regionBaseUrl(code, DEFAULT_REGION_URL)).toBe(expected);
      expect(regionBaseUrl(code, `${DEFAULT_REGION_URL}/`)).toBe(expected);
    }
    expect(regionBaseUrl('cn', 'http://127.0.0.1:9/{region}')).toBe('http://127.0.0.1:9/cn');
    expect(regionBaseUrl('mars', 'http://127.0.0.1:9/{region}')).toBeNull();
  });
});

describe('configuration reference', () => {
  const table = renderConfigReference();

  it('has one row per key, every leaf key included', () => {
    expect(leafPaths).toContain('accounts[].patients[].target_low');
    expect(leafPaths).toContain('mqtt.tls.reject_unauthorized');
    for (const path of leafPaths) expect(table).toContain(`| \`${path}\` |`);
    expect(table.split('\n').filter((l) => l.startsWith('| `'))).toHaveLength(keyPaths.length);
    expect(table).toContain('| `poll.interval` | number > 0, at most 3600 | `60` |');
    expect(table).toContain('| `accounts[].email` | string | **required** |');
  });

  it('goes between the README markers', () => {
    const readme = `a\n${CONFIG_REFERENCE_MARKERS.start}\nold\n${CONFIG_REFERENCE_MARKERS.end}\nb\n`;
    expect(replaceConfigReference(readme)).toBe(
      `a\n${CONFIG_REFERENCE_MARKERS.start}\n${table}${CONFIG_REFERENCE_MARKERS.end}\nb\n`,
    );
    expect(() => replaceConfigReference('no markers')).toThrow(/markers/);
  });

  it('is matched by config.example.yaml, which mentions every key', () => {
    const example = readFileSync(join(ROOT, 'config.example.yaml'), 'utf8');
    for (const path of keyPaths) {
      const key = path
        .split(/[.[\]]+/)
        .filter(Boolean)
        .pop()!;
      expect(example, path).toMatch(new RegExp(`^[\\s#-]*${key}:`, 'm'));
    }
  });
});

describe('did you mean', () => {
  it('counts a swap as one edit and ignores case, - and _', () => {
    expect(editDistance('nmae', 'name')).toBe(1);
    expect(editDistance('pasword', 'password')).toBe(1);
    expect(closestKey('minInterval', ['interval', 'min_interval'])).toBe('min_interval');
    expect(closestKey('base-topic', ['base_topic', 'client_id'])).toBe('base_topic');
    expect(closestKey('colour', ['url', 'username'])).toBeUndefined();
  });
});

describe('configWarnings', () => {
  it('warns about fast polling against LibreView, not against a simulator', () => {
    const fast = 'poll:\n  interval: 5\n  min_interval: 2\n';
    expect(configWarnings(parseConfig(withAccount(fast), ENV))).toEqual([
      'poll.min_interval is 2 s; below 10 s against LibreView risks rate limits and account lockouts',
      'poll.interval is 5 s; below 10 s against LibreView risks rate limits and account lockouts',
    ]);
    const sim = withAccount(
      fast,
      '    api_url: http://127.0.0.1:4000\n    region_url: http://127.0.0.1:4000/{region}\n',
    );
    expect(configWarnings(parseConfig(sim, ENV))).toEqual([]);
    expect(configWarnings(parseConfig(withAccount(), ENV))).toEqual([]);
  });

  it('warns about unencrypted LibreLinkUp URLs and TLS settings that do nothing or weaken', () => {
    const config = parseConfig(
      withAccount(
        'mqtt:\n  url: mqtt://b\n  tls: { reject_unauthorized: false }\n',
        '    api_url: http://example.org\n',
      ),
      ENV,
    );
    expect(configWarnings(config)).toEqual([
      'accounts[0].api_url uses http://: the LibreLinkUp password would travel unencrypted',
      'mqtt.tls is set but mqtt.url does not use mqtts:// or wss://, so TLS is not used',
      "mqtt.tls.reject_unauthorized is false: the broker's certificate is not checked",
    ]);
  });
});
