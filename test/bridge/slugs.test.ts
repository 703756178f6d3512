// Topic slugs: bounded, never a reserved word, unique across patients, and a persisted slug that
// is no longer usable is replaced once with a warning.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUsableSlug, RESERVED_SLUGS, slugify, uniqueSlug } from '../../src/bridge/patient.js';
import { SlugRegistry } from '../../src/bridge/slugs.js';
import { SLUG_MAX_CHARS } from '../../src/librelinkup/limits.js';
import { createLogger } from '../../src/log.js';
import { Topics } from '../../src/mqtt/topics.js';
import { captureLogs } from '../helpers/logs.js';

describe('slugify', () => {
  it('keeps short names as before', () => {
    expect(slugify('Anna Smith')).toBe('anna_smith');
    expect(slugify('Zoë  Müller')).toBe('zoe_muller');
    expect(slugify('???')).toBe('patient');
  });

  it('cuts long names to SLUG_MAX_CHARS, without a trailing _', () => {
    const slug = slugify('A'.repeat(5000));
    expect(slug).toBe('a'.repeat(SLUG_MAX_CHARS));
    expect(slugify(`${'b'.repeat(SLUG_MAX_CHARS - 1)} c`)).toBe('b'.repeat(SLUG_MAX_CHARS - 1));
  });

  it('always gives a usable slug for any name (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (name) => {
        expect(/^[a-z0-9_]+$/.test(slugify(name))).toBe(true);
        expect(slugify(name).length).toBeLessThanOrEqual(SLUG_MAX_CHARS);
      }),
    );
  });
});

describe('reserved words', () => {
  it('reserves every fixed word the topics put directly under <base>/', () => {
    const t = new Topics('base', 'homeassistant');
    const fixed = [t.bridgeState(), t.bridgeConnectivity(), t.accountState('k'), t.pollRequest()].map(
      (topic) => topic.split('/')[1]!,
    );
    for (const word of fixed) expect(RESERVED_SLUGS.has(word), word).toBe(true);
  });

  it('never hands out a reserved slug: a person named "Bridge" gets another one', () => {
    const slug = uniqueSlug(slugify('Bridge'), '3fa85f64-5717-4562-b3fc-2c963f66afa6', new Set());
    expect(slug).toBe('bridge_3fa85f64');
    expect(isUsableSlug(slug)).toBe(true);
  });
});

describe('SlugRegistry', () => {
  it('assigns distinct, bounded, unreserved slugs for any names and ids (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string({ maxLength: 80 }), fc.string({ minLength: 1, maxLength: 40 })), {
          selector: ([, id]) => id,
          maxLength: 30,
        }),
        (people) => {
          const reg = new SlugRegistry();
          const slugs = people.map(([name, id]) => reg.assign(slugify(name), id));
          expect(new Set(slugs).size).toBe(slugs.length);
          for (const s of slugs) expect(isUsableSlug(s)).toBe(true);
          // Asking again gives the same slug (stable).
          people.forEach(([name, id], i) => {
            expect(reg.assign(slugify(name), id)).toBe(slugs[i]);
          });
        },
      ),
    );
  });

  it('keeps a usable persisted slug, replaces a reserved or taken one with a warning', () => {
    const { capture, destination } = captureLogs();
    const reg = new SlugRegistry(createLogger({ destination }));
    expect(reg.claim('anna_smith', 'id-1')).toBe('anna_smith');
    expect(reg.claim('bridge', 'id-2')).toBe('bridge_id_2');
    expect(reg.claim('anna_smith', 'id-3')).toBe('anna_smith_id_3');
    expect(reg.claim('x'.repeat(5000), 'id-4')).toBe('x'.repeat(SLUG_MAX_CHARS));
    const warnings = capture.lines.map((l) => JSON.parse(l) as { msg: string; level: string });
    expect(warnings.map((w) => w.msg)).toEqual([
      'the saved topic name of a patient is not usable; its topics move to <base>/bridge_id_2/',
      'the saved topic name of a patient is already used by another patient; its topics move to <base>/anna_smith_id_3/',
      `the saved topic name of a patient is not usable; its topics move to <base>/${'x'.repeat(SLUG_MAX_CHARS)}/`,
    ]);
    expect(warnings.every((w) => w.level === 'warn')).toBe(true);
  });

  it('keeps a persisted slug longer than new ones get, up to the old limit', () => {
    const reg = new SlugRegistry();
    const old = 'maria_fernanda_gonzalez_rodriguez_de_la_cruz_lopez';
    expect(old.length).toBeGreaterThan(SLUG_MAX_CHARS);
    expect(reg.claim(old, 'id-1')).toBe(old);
  });
});
