// The troubleshooting tables of README.md and ha-addon/DOCS.md are generated from the error policy
// (renderTroubleshooting in src/librelinkup/troubleshooting-doc.ts). This fails when a committed
// table drifts from the policy, and when any message the troubleshooting sections quote is not one
// the code prints.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTroubleshooting, TROUBLESHOOTING_MARKERS } from '../../src/librelinkup/troubleshooting-doc.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FILES = ['README.md', 'ha-addon/DOCS.md'];
const UPDATE = 'run `npm run docs`';

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** The "## Troubleshooting" section, up to the next level-2 heading. */
function section(text: string): string {
  const from = text.search(/^## Troubleshooting\s*$/m);
  if (from < 0) return '';
  const rest = text.slice(from + 3);
  const next = rest.search(/^## /m);
  return next < 0 ? rest : rest.slice(0, next);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/**
 * All of src as one text in which a message split over concatenated literals ('a ' + 'b') reads as
 * one, so a quoted fragment can be looked up whole.
 */
function printedText(): string {
  return sourceFiles(join(ROOT, 'src'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n')
    .replace(/\\'/g, "'")
    .replace(/['"`]\s*\+\s*\n?\s*['"`]/g, '');
}

/** The literal pieces of a quote: `...`, `<name>`, `"..."` and HH:MM stand for values filled in. */
function pieces(quote: string): string[] {
  return quote
    .split(/\.\.\.|<[a-z]+>|HH:MM/)
    .map((p) =>
      p
        .trim()
        .replace(/^"+|"+$/g, '')
        .trim(),
    )
    .filter((p) => p.length >= 4);
}

describe.each(FILES)('%s troubleshooting', (file) => {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const { start, end } = TROUBLESHOOTING_MARKERS;

  it('has the generator markers once each, in order, inside "## Troubleshooting"', () => {
    expect(occurrences(text, start), `${file} must contain ${start} exactly once`).toBe(1);
    expect(occurrences(text, end), `${file} must contain ${end} exactly once`).toBe(1);
    const body = section(text);
    expect(
      body.indexOf(start),
      `start marker not in the Troubleshooting section of ${file}`,
    ).toBeGreaterThanOrEqual(0);
    expect(body.indexOf(end), 'end marker missing or before the start marker').toBeGreaterThan(
      body.indexOf(start),
    );
  });

  it('matches the table generated from the error policy', () => {
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    expect(from >= 0 && to > from, `markers missing in ${file}: ${UPDATE} after adding them`).toBe(true);
    expect(
      text.slice(from + start.length, to),
      `${file}'s troubleshooting table is out of date: ${UPDATE}`,
    ).toBe(`\n${renderTroubleshooting()}`);
  });

  it('quotes only messages the code prints', () => {
    const printed = printedText();
    const rows = section(text)
      .split('\n')
      .filter((line) => line.startsWith('| `') && !line.includes('(from the Supervisor)'));
    expect(rows.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const row of rows) {
      const seen = row.split(' | ')[0] ?? '';
      for (const [, quote] of seen.matchAll(/`([^`]+)`/g)) {
        // `bad_credentials`-like cells name the error kind, not a message
        if (/^[a-z_]+$/.test(quote ?? '')) continue;
        for (const piece of pieces(quote ?? ''))
          if (!printed.includes(piece)) missing.push(`${quote} → "${piece}"`);
      }
    }
    expect(missing, `${file} quotes text no source file prints`).toEqual([]);
  });
});
