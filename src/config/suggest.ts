// "Did you mean" for unknown keys: a typo of a key allowed at the same level, or the same key at
// another level (`interval` at the top belongs under `poll`).

import { genericPath } from './paths.js';
import { schemaEntries } from './schema.js';

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}

const fold = (key: string) => key.toLowerCase().replace(/[-_\s]/g, '');

/** The allowed key `key` was most likely meant to be, or undefined when none is close. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const folded = fold(key);
  const same = allowed.find((k) => fold(k) === folded);
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of allowed) {
    const d = levenshtein(folded, fold(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(Math.max(folded.length, 3) / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Where else in the schema a key of this name is allowed, e.g. ["poll.interval"]. */
export function otherHomes(key: string): string[] {
  const folded = fold(key);
  return schemaEntries()
    .filter((e) => {
      const last = e.segments[e.segments.length - 1];
      return typeof last === 'string' && fold(last) === folded;
    })
    .map((e) => genericPath(e.segments));
}
