// The logger skips the per-secret search for texts whose four-character windows start no secret.
// Whatever the secrets and the text (any letter case, any characters, secrets cut, repeated or
// surrounded), the redacted text is the one a search for every secret gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROTATING_SECRETS_KEPT, registerSecret, SecretPrefixes, scrubString } from '../src/log.js';

const secretArb = fc.oneof(
  fc.string({ unit: 'binary-ascii', minLength: 4, maxLength: 24 }),
  fc.string({ unit: 'grapheme', minLength: 4, maxLength: 12 }),
  fc.stringMatching(/^[A-Za-z0-9]{6,30}$/),
);

const escapeRegExp = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('secret prefilter', () => {
  it('says "may hold one" for every text in which a secret occurs, exactly or in any letter case', () => {
    fc.assert(
      fc.property(
        fc.array(secretArb, { minLength: 1, maxLength: 6 }),
        fc.nat(5),
        fc.string({ maxLength: 30 }),
        fc.string({ maxLength: 30 }),
        fc.constantFrom('same', 'lower', 'upper'),
        (secrets, pick, before, after, casing) => {
          const prefixes = new SecretPrefixes();
          for (const v of secrets) prefixes.add(v);
          const secret = secrets[pick % secrets.length]!;
          const shown =
            casing === 'lower' ? secret.toLowerCase() : casing === 'upper' ? secret.toUpperCase() : secret;
          const text = `${before}${shown}${after}`;
          // What the full search would find: the secret as registered, or in any case (the /iu search).
          const found = text.includes(secret) || new RegExp(escapeRegExp(secret), 'iu').test(text);
          if (found) expect(prefixes.mayHoldOne(text)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('forgets a removed secret, and keeps one whose prefix another secret shares', () => {
    const prefixes = new SecretPrefixes();
    prefixes.add('token-one-1234');
    prefixes.add('token-two-5678');
    prefixes.remove('token-one-1234');
    expect(prefixes.mayHoldOne('x TOKEN-TWO-5678 y')).toBe(true);
    prefixes.remove('token-two-5678');
    expect(prefixes.mayHoldOne('x token-two-5678 y')).toBe(false);
  });

  it('never lets a registered secret through scrubString, in the case it was registered or another', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9]{6,30}$/),
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        fc.constantFrom('same', 'lower', 'upper'),
        (secret, before, after, casing) => {
          registerSecret(secret);
          const shown =
            casing === 'lower' ? secret.toLowerCase() : casing === 'upper' ? secret.toUpperCase() : secret;
          const out = scrubString(`${before}${shown}${after}`);
          expect(out.toLowerCase().includes(secret.toLowerCase())).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps a fixed secret that was first seen as a rotating token after that token falls out', () => {
    const both = 'Sh4red-As-Token-And-Password';
    registerSecret(both, { rotating: true });
    registerSecret(both);
    for (let i = 0; i <= ROTATING_SECRETS_KEPT; i++)
      registerSecret(`rotating-token-${i}-xyz`, { rotating: true });
    expect(scrubString(`echo ${both} and ${both.toLowerCase()}`)).toBe('echo [redacted] and [redacted]');
  });

  it('finds a secret that starts with non-ASCII characters, in another case', () => {
    registerSecret('Überweisung-42');
    expect(scrubString('echo: überweisung-42 end')).toBe('echo: [redacted] end');
    expect(scrubString('plain ascii text')).toBe('plain ascii text');
  });
});
