// The one-way data flow, enforced: upstream HTTP → librelinkup → bridge → homeassistant → mqtt.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(import|export)\s+(type\s+)?[^'"]*from\s+'(\.[^']+)'/gm)].map((m) =>
    relative(SRC, join(file, '..', m[3]!)).replace(/\\/g, '/'),
  );
}

const RULES: Record<string, RegExp> = {
  config: /^(librelinkup\/(?!regions)|bridge|homeassistant|mqtt|simulator|http|addon)/,
  librelinkup: /^(bridge|homeassistant|mqtt|config\/load|simulator)/,
  bridge: /^(homeassistant|mqtt|simulator|http)/,
  homeassistant: /^(librelinkup\/client|simulator)/,
  mqtt: /^(librelinkup|bridge|homeassistant|simulator)/,
  simulator: /^(librelinkup|bridge|homeassistant|mqtt)/,
};

describe('architecture', () => {
  for (const [folder, forbidden] of Object.entries(RULES)) {
    it(`src/${folder} imports nothing it must not`, () => {
      const offending = files(join(SRC, folder)).flatMap((f) =>
        imports(f)
          .filter((target) => forbidden.test(target))
          .map((target) => `${relative(SRC, f)} → ${target}`),
      );
      expect(offending).toEqual([]);
    });
  }
});
