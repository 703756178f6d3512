// "Did you mean" for unknown keys: a typo of a key allowed at the same level, or the same key at
// another level (`interval` at the top belongs under `poll`).

import { genericPath } from './paths.js';
import { schemaEntries } from './schema.js';

/** Levenshtein distance where swapping two neighbours ("nmae") also counts as one edit. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
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
    const d = editDistance(folded, fold(candidate));
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
