// The layers, enforced: every folder and top-level file of src/ is an area with the list of areas
// it may import. Data flows one way (upstream HTTP → librelinkup → bridge → homeassistant → mqtt;
// bridge → http for the status page); only the wiring modules put the pieces together.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/** Wire modules together; nothing below imports them. */
const WIRING = [
  'cli.ts',
  'exit-codes.ts',
  'app.ts',
  'demo.ts',
  'demo-history.ts',
  'time-warp.ts',
  'addon/main.ts',
];

/** Plain vocabulary every layer shares; they import nothing from src. */
const VOCABULARY = ['librelinkup/model.ts', 'librelinkup/limits.ts'];

/** Helpers every layer may use: logging, units, timers, the version, the common error base. */
const BASE = ['log.ts', 'units.ts', 'timers.ts', 'version.ts', 'errors.ts'];
const BASE_AND_VOCABULARY = [...BASE, ...VOCABULARY];

/** What each area may import besides itself (path prefixes relative to src/). */
const ALLOWED: Record<string, readonly string[]> = {
  vocabulary: [],
  base: BASE_AND_VOCABULARY,
  config: [...BASE_AND_VOCABULARY, 'librelinkup/regions.ts'],
  librelinkup: BASE_AND_VOCABULARY,
  mqtt: [...BASE_AND_VOCABULARY, 'config/types.ts', 'config/regions.ts'],
  bridge: [...BASE_AND_VOCABULARY, 'config/types.ts', 'config/regions.ts', 'librelinkup/'],
  homeassistant: [
    ...BASE_AND_VOCABULARY,
    'config/types.ts',
    'config/regions.ts',
    'mqtt/',
    'bridge/events.ts',
  ],
  // The status page and /health render what the bridge's port hands them; they decide nothing about readings.
  http: [
    ...BASE,
    'librelinkup/model.ts',
    'bridge/events.ts',
    'librelinkup/errors.ts',
    'librelinkup/error-policy.ts',
  ],
  // Independent of the client on purpose: it must not share the client's reading of the API.
  simulator: BASE,
  addon: [...BASE_AND_VOCABULARY, 'config/'],
  wiring: [''],
};

/** The area a file (relative to src/, forward slashes) belongs to. */
function areaOf(file: string): string {
  if (WIRING.includes(file)) return 'wiring';
  if (VOCABULARY.includes(file)) return 'vocabulary';
  if (BASE.includes(file)) return 'base';
  const slash = file.indexOf('/');
  return slash < 0 ? file : file.slice(0, slash);
}

/** Whether `from` may import `to` (both relative to src/). */
function mayImport(from: string, to: string): boolean {
  const area = areaOf(from);
  const allowed = ALLOWED[area];
  if (allowed === undefined) return false;
  if (areaOf(to) === area && area !== 'vocabulary') return true;
  return allowed.some((prefix) => to.startsWith(prefix)) && (area === 'wiring' || areaOf(to) !== 'wiring');
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of `file` (static, re-exports, side-effect and dynamic), as paths below src/. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s+(?:type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm),
    ...text.matchAll(/^\s*import\s+'(\.[^']+)'/gm),
    ...text.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g),
  ].map((m) => m[1]!);
  return specifiers.map((s) =>
    relative(SRC, join(file, '..', s))
      .replace(/\\/g, '/')
      .replace(/\.js$/, '.ts'),
  );
}

const sources = files(SRC).map((f) => relative(SRC, f).replace(/\\/g, '/'));

describe('architecture', () => {
  it('gives every folder and top-level file of src/ a rule', () => {
    const areas = new Set(sources.map(areaOf));
    for (const entry of readdirSync(SRC)) {
      if (statSync(join(SRC, entry)).isDirectory()) expect(areas, entry).toContain(entry);
    }
    expect([...areas].filter((a) => ALLOWED[a] === undefined)).toEqual([]);
  });

  for (const area of Object.keys(ALLOWED)) {
    it(`${area} imports only what its layer may`, () => {
      const offending = sources
        .filter((f) => areaOf(f) === area)
        .flatMap((f) => imports(join(SRC, f)).map((to) => ({ f, to })))
        .filter(({ f, to }) => !mayImport(f, to))
        .map(({ f, to }) => `${f} → ${to}`);
      expect(offending).toEqual([]);
    });
  }

  it('reads the imports it judges (every relative import names an existing file)', () => {
    const all = sources.flatMap((f) => imports(join(SRC, f)));
    expect(all.length).toBeGreaterThan(100);
    expect(all.filter((to) => !existsSync(join(SRC, to)))).toEqual([]);
    expect(imports(join(SRC, 'cli.ts'))).toContain('addon/main.ts');
  });

  it('is described in docs/architecture.md, every area and file named in its import rules', () => {
    const doc = readFileSync(join(SRC, '..', 'docs', 'architecture.md'), 'utf8');
    const rules = doc.slice(
      doc.indexOf('## Import rules'),
      doc.indexOf('\n## ', doc.indexOf('## Import rules') + 1),
    );
    const named = [...WIRING, ...VOCABULARY, ...BASE];
    for (const area of Object.keys(ALLOWED))
      if (!['base', 'vocabulary', 'wiring'].includes(area)) named.push(`${area}/`);
    for (const name of named) expect(rules, name).toContain(`\`${name}\``);
  });

  it('refuses the imports that would run against the flow', () => {
    const refused: Array<[string, string]> = [
      ['http/status.ts', 'bridge/classify.ts'],
      ['http/status.ts', 'bridge/history.ts'],
      ['http/status.ts', 'librelinkup/client.ts'],
      ['http/status.ts', 'librelinkup/limits.ts'],
      ['librelinkup/client.ts', 'bridge/events.ts'],
      ['librelinkup/client.ts', 'config/load.ts'],
      ['bridge/bridge.ts', 'homeassistant/publisher.ts'],
      ['bridge/bridge.ts', 'mqtt/client.ts'],
      ['bridge/bridge.ts', 'http/status.ts'],
      ['homeassistant/publisher.ts', 'librelinkup/client.ts'],
      ['homeassistant/publisher.ts', 'bridge/account-poller.ts'],
      ['mqtt/client.ts', 'bridge/events.ts'],
      ['simulator/server.ts', 'librelinkup/model.ts'],
      ['config/load.ts', 'librelinkup/client.ts'],
      ['addon/options.ts', 'bridge/bridge.ts'],
      ['log.ts', 'bridge/events.ts'],
      ['units.ts', 'config/types.ts'],
      ['librelinkup/model.ts', 'log.ts'],
      ['bridge/bridge.ts', 'app.ts'],
      ['addon/options.ts', 'addon/main.ts'],
      ['http/server.ts', 'cli.ts'],
    ];
    for (const [from, to] of refused) expect(mayImport(from, to), `${from} → ${to}`).toBe(false);
    expect(mayImport('http/status.ts', 'bridge/events.ts')).toBe(true);
    expect(mayImport('cli.ts', 'addon/main.ts')).toBe(true);
    expect(mayImport('app.ts', 'http/status.ts')).toBe(true);
  });
});
