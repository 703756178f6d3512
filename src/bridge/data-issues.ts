// Which data issues to log: a persistent oddity (one patient's odd field, answer after answer) is
// logged once per patient and field until it clears, not once per poll. Pure.

import type { DataIssue } from '../librelinkup/lenient.js';

/** At most this many remembered keys: a body that varies its oddities cannot grow the memory. */
const MAX_REMEMBERED = 500;

export function issueKey(issue: DataIssue): string {
  return `${issue.patientId ?? '?'}\u0000${issue.field}`;
}

/**
 * `fresh`: issues not present in the previous answer (log them); `cleared`: keys present before and
 * gone now (log that the field is usable again); `memory`: the keys of this answer.
 */
export function nextIssues(
  memory: ReadonlySet<string>,
  issues: readonly DataIssue[],
): { fresh: DataIssue[]; cleared: string[]; memory: Set<string> } {
  const next = new Set<string>();
  const fresh: DataIssue[] = [];
  for (const issue of issues) {
    const key = issueKey(issue);
    if (next.has(key)) continue;
    if (next.size < MAX_REMEMBERED) next.add(key);
    if (!memory.has(key)) fresh.push(issue);
  }
  const cleared = [...memory].filter((k) => !next.has(k));
  return { fresh, cleared, memory: next };
}
