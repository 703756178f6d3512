// Property-based tests of the state-file loader: whatever data_dir holds, load() never throws,
// returns only state that passes the schema, and keeps every part the damage did not touch.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stateProblem } from '../../src/bridge/state-schema.js';
import { AccountStore, type PersistedAccount } from '../../src/bridge/store.js';
import { silentLogger } from '../../src/log.js';
import { accountArb, FP, fileText } from './store-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'llu-store-prop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// One store for all runs: each run writes the file, then loads it (a file set aside is replaced).
const store = new AccountStore(root, 'acct', silentLogger());

function loadText(text: string | Uint8Array): PersistedAccount {
  writeFileSync(join(root, 'acct.json'), text);
  return store.load(FP);
}

/** The loaded state passes the schema as it is: nothing unchecked, nothing removed by validation. */
function expectValid(state: PersistedAccount): void {
  const copy = structuredClone(state);
  expect(stateProblem('account', copy)).toBeNull();
  expect(copy).toEqual(state);
  for (const p of Object.values(state.patients)) {
    const ts = p.log.outbox.map((r) => r.timestamp);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(new Set(ts).size).toBe(ts.length);
    if (p.log.lastPublishedTs !== null) for (const t of ts) expect(t).toBeGreaterThan(p.log.lastPublishedTs);
  }
  expect(new Set(Object.values(state.patients).map((p) => p.slug)).size).toBe(
    Object.keys(state.patients).length,
  );
}

type Path = Array<string | number>;

/** Every path into a JSON value (the root included), for choosing what to damage. */
function pathsOf(value: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...pathsOf(v, [...at, i]));
  } else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...at, k]));
  return out;
}

/** `doc` with the value at `path` replaced (or removed when `replacement` is undefined). */
function mutate(doc: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let holder = copy;
  for (const key of path.slice(0, -1)) holder = holder[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (replacement === undefined) {
    if (Array.isArray(holder)) holder.splice(last as number, 1);
    else delete holder[last];
  } else holder[last] = replacement;
  return copy;
}

describe('state-file loader (property-based)', () => {
  it('a valid file round-trips save → load unchanged', () => {
    fc.assert(
      fc.property(accountArb, (state) => {
        expect(store.save(state)).toBe(true);
        const loaded = store.load(FP);
        expect(loaded).toEqual(state);
        expectValid(loaded);
      }),
      { numRuns: 100 },
    );
  });

  it('one field set to any JSON value (or removed): never throws, stays valid, keeps what was not touched', () => {
    const damaged = accountArb
      .map((state) => ({ state, doc: JSON.parse(fileText(state)) as Record<string, unknown> }))
      .chain(({ state, doc }) =>
        fc.record({
          state: fc.constant(state),
          doc: fc.constant(doc),
          path: fc.constantFrom(...pathsOf(doc)),
          value: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
        }),
      );
    fc.assert(
      fc.property(damaged, ({ state, doc, path, value }) => {
        const loaded = loadText(JSON.stringify(mutate(doc, path, value)) ?? '');
        expectValid(loaded);
        const [top, id] = path;
        if (top === 'patients' && path.length >= 2) {
          // Damage inside one patient: the session and every other patient are untouched.
          expect(loaded.session).toEqual(state.session);
          const slugTaken = (slug: string) => path.at(-1) === 'slug' && value === slug;
          for (const [other, p] of Object.entries(state.patients)) {
            if (other === id || slugTaken(p.slug)) continue;
            expect(loaded.patients[other]).toEqual(p);
          }
        }
        if (top === 'session') expect(loaded.patients).toEqual(state.patients);
        if (top === 'session' && path.length >= 2 && value !== undefined) {
          // A damaged session is dropped (one login) or, if still valid, kept.
          expect(
            loaded.session === null || stateProblem('session', structuredClone(loaded.session)) === null,
          ).toBe(true);
        }
      }),
      { numRuns: 250 },
    );
  });

  it('any bytes, any string, any JSON value as the file: never throws, starts afresh or keeps only valid state', () => {
    const anyFile = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc
        .dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }))
        .map((patients) => JSON.stringify({ format: 1, fingerprint: FP, session: null, patients })),
    );
    fc.assert(
      fc.property(anyFile, (file) => {
        expectValid(loadText(file));
      }),
      { numRuns: 200 },
    );
  });
});
