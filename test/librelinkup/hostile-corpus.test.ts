// Every hostile body of the corpus (fixtures/hostile/*.json) through the parser and the time rule:
// one entry's bad field costs only that field (or, without a usable patientId, that entry), every
// problem is named by its JSON path, and nothing produced is NaN, undefined or out of bounds.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EMPTY_LIVE_MEMORY, judgeLive } from '../../src/bridge/time-sanity.js';
import type { DataIssue } from '../../src/librelinkup/lenient.js';
import { parseConnections, parseTimestamp } from '../../src/librelinkup/parse.js';
import { upstreamClockFrom } from '../../src/librelinkup/upstream-clock.js';
import { expectSaneConnection } from './helpers/sane.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'hostile');
/** Stands in for this machine's clock: the time the fixtures were written for. */
const LOCAL_NOW = Date.UTC(2022, 4, 21, 13, 40, 0);

interface HostileFixture {
  about: string;
  date: string | null;
  body: unknown;
  expect: {
    patients: string[];
    issues: string[] | 'some';
    live: Record<string, 'accept' | 'future' | 'behind' | 'absent'>;
    newest?: Record<string, string>;
    fields?: Record<string, Record<string, unknown>>;
  };
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('hostile corpus', () => {
  it('has the cases the corpus promises', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)('%s', (file) => {
    const doc = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as HostileFixture;
    const clock = upstreamClockFrom(doc.date, LOCAL_NOW);
    expect(clock.fromHeader).toBe(doc.date !== null);
    const issues: DataIssue[] = [];
    const connections = parseConnections(doc.body, {
      upstreamNow: clock.now,
      onIssue: (i) => issues.push(i),
    });
    expect(connections.map((c) => c.patientId)).toEqual(doc.expect.patients);
    for (const c of connections) expectSaneConnection(c, clock.now);
    const paths = [...new Set(issues.map((i) => i.path))].sort();
    if (doc.expect.issues === 'some') expect(paths.length).toBeGreaterThan(0);
    else expect(paths).toEqual([...doc.expect.issues].sort());
    for (const i of issues) {
      // Never a long value echoed, and the stable field has no index in it.
      expect(i.problem.length).toBeLessThan(200);
      expect(i.field).not.toMatch(/\[/);
    }
    for (const [id, verdict] of Object.entries(doc.expect.live)) {
      const c = connections.find((x) => x.patientId === id)!;
      if (verdict === 'absent') {
        expect(c.latest, id).toBeNull();
        continue;
      }
      expect(c.latest, id).not.toBeNull();
      const newestText = doc.expect.newest?.[id];
      const newest = newestText ? { ...c.latest!, timestamp: parseTimestamp(newestText) } : null;
      const outcome = judgeLive(EMPTY_LIVE_MEMORY, { reading: c.latest!, newest, upstreamNow: clock.now });
      if (verdict === 'accept') expect(outcome.accept, id).toEqual([c.latest]);
      else {
        expect(outcome.accept, id).toEqual([]);
        expect(outcome.note?.kind, id).toBe(verdict);
      }
    }
    for (const [id, fields] of Object.entries(doc.expect.fields ?? {})) {
      const c = connections.find((x) => x.patientId === id)!;
      for (const [key, value] of Object.entries(fields)) {
        if (key === 'firstNameLength') expect(Array.from(c.firstName).length).toBe(value);
        else if (key === 'highMgdl' || key === 'urgentLowMgdl') expect(c.alarms[key]).toBe(value);
        else expect((c as unknown as Record<string, unknown>)[key], key).toEqual(value);
      }
    }
  });
});
