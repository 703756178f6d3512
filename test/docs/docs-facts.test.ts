// Facts the docs state in prose that live in code or in the add-on manifest: each fails when one
// side changes without the other.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TRANSIENT_BASE_MS } from '../../src/bridge/backoff.js';
import { DEFAULT_URGENT_LOW_MGDL } from '../../src/bridge/classify.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('docs agree with the code', () => {
  it('ha-addon/DOCS.md gives the poll_interval range of ha-addon/config.yaml', () => {
    const manifest = parse(read('ha-addon/config.yaml')) as { schema: Record<string, string> };
    const m = /^int\((\d+),(\d+)\)$/.exec(manifest.schema.poll_interval ?? '');
    expect(m, 'poll_interval schema in ha-addon/config.yaml').not.toBeNull();
    const [, lo, hi] = m as RegExpExecArray;
    expect(read('ha-addon/DOCS.md')).toContain(`Seconds, ${lo} to ${hi}.`);
  });

  it('urgent_low examples use the default of the code', () => {
    for (const file of ['ha-addon/DOCS.md', 'ha-addon/translations/en.yaml']) {
      const text = read(file);
      const examples = [...text.matchAll(/urgent_low.*?e\.g\. .?(\d+) mg\/dL/g)].map((x) => Number(x[1]));
      expect(examples.length, file).toBeGreaterThan(0);
      for (const mgdl of examples) expect(mgdl, file).toBe(DEFAULT_URGENT_LOW_MGDL);
    }
  });

  it('the README states the first transient back-off the code waits (half to all of the base)', () => {
    const lo = TRANSIENT_BASE_MS / 2 / 1000;
    const hi = TRANSIENT_BASE_MS / 1000;
    expect(read('README.md')).toContain(`Backs off ${lo}-${hi} s at first`);
  });

  it('automation examples use the current triggers/conditions/actions syntax', () => {
    for (const file of ['README.md', 'ha-addon/DOCS.md']) {
      const text = read(file);
      const yamlBlocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((x) => x[1] ?? '');
      for (const block of yamlBlocks.filter((b) => b.includes('automation'))) {
        expect(block, file).not.toMatch(/^\s*(trigger|condition|action):\s*$/m);
        expect(block, file).not.toMatch(/^\s*-\s*(platform|service):/m);
      }
    }
  });

  it('blueprint links point at files in this repository', () => {
    const readme = read('README.md');
    expect(readme).not.toContain('github.com%2Flibrelinkup2mqtt%2Flibrelinkup2mqtt');
    const links = [...readme.matchAll(/\]\((blueprints\/[^)]+)\)/g)].map((x) => x[1] ?? '');
    expect(links.length).toBeGreaterThan(0);
    for (const link of links)
      expect(() => readFileSync(join(ROOT, link.replace(/\/$/, '')))).not.toThrow(/ENOENT/);
  });
});
