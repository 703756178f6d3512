// The config digest a handle compares before re-sending: equal JSON, equal digest; a changed config
// (one character, or the same characters moved) gets a new one, so a change is never skipped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../src/homeassistant/handles.js';

describe('digestOf', () => {
  it('is a safe integer, the same for the same text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 2000 }), (text) => {
        const d = digestOf(text);
        expect(Number.isSafeInteger(d) && d >= 0).toBe(true);
        expect(digestOf(`${text}`)).toBe(d);
      }),
    );
  });

  it('changes when any one character of a config changes, or two swap places', () => {
    const config = JSON.stringify({
      name: 'Glucose',
      unit_of_measurement: 'mg/dL',
      device: { name: 'Anna' },
    });
    const seen = new Map<number, string>([[digestOf(config), config]]);
    for (let i = 0; i < config.length; i++) {
      for (const c of ['a', 'Z', '0', ' ', '"', 'é']) {
        if (config[i] === c) continue;
        const changed = config.slice(0, i) + c + config.slice(i + 1);
        const d = digestOf(changed);
        expect(seen.get(d) ?? changed, `collision at ${i}`).toBe(changed);
        seen.set(d, changed);
      }
      if (i + 1 < config.length && config[i] !== config[i + 1]) {
        const swapped = config.slice(0, i) + config[i + 1] + config[i] + config.slice(i + 2);
        expect(digestOf(swapped)).not.toBe(digestOf(config));
      }
    }
  });
});
