// Per-patient request paths: the id is one encoded segment and can never change the endpoint.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { patientPath } from '../../src/librelinkup/patient-path.js';
import { catchLlu } from './helpers/errors.js';

describe('patientPath', () => {
  it('encodes separators and wildcards into one segment', () => {
    expect(patientPath('a/b', 'graph')).toBe('/llu/connections/a%2Fb/graph');
    expect(patientPath('a+b', 'graph')).toBe('/llu/connections/a%2Bb/graph');
    expect(patientPath('a#b', 'logbook')).toBe('/llu/connections/a%23b/logbook');
    expect(patientPath('a?b', 'graph')).toBe('/llu/connections/a%3Fb/graph');
  });

  it('refuses dot-segment ids as malformed, naming the endpoint', () => {
    for (const id of ['..', '.', '', '\uD800', 'x'.repeat(129)]) {
      const err = catchLlu(() => patientPath(id, 'graph'));
      expect(err.kind).toBe('malformed');
      expect(err.message).toContain('cannot be used in a request path; graph is not asked');
    }
  });

  it('either refuses an id or keeps it as exactly one segment that decodes back (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary-ascii' }),
          fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xdfff }).map((c) => String.fromCharCode(c)) }),
          fc.constantFrom('..', '.', '%2e%2e', '.%2E'),
        ),
        (id) => {
          let path: string;
          try {
            path = patientPath(id, 'graph');
          } catch {
            return;
          }
          const url = new URL(`http://h${path}`);
          const parts = url.pathname.split('/');
          expect(parts).toHaveLength(5);
          expect(parts.slice(0, 3)).toEqual(['', 'llu', 'connections']);
          expect(parts[4]).toBe('graph');
          expect(decodeURIComponent(parts[3]!)).toBe(id);
        },
      ),
    );
  });
});
