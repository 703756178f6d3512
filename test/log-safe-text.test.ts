// safeText: the one helper every text leaving the bridge (MQTT, status page, /health) goes through.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UPSTREAM_TEXT_MAX_CHARS } from '../src/librelinkup/limits.js';
import { registerSecret, safeText, scrubString } from '../src/log.js';

const PASSWORD = 'Pa55-word-in-the-echo!';
registerSecret(PASSWORD);
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6IjdhZDY2YjQwIiwicmVnaW9uIjoiZXUifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('safeText', () => {
  it('redacts registered secrets, any JWT, key=value secrets, Bearer tokens and e-mail addresses', () => {
    const echo =
      `{"message":"bad request","email":"Follower@Example.com","password":"${PASSWORD}",` +
      `"token":"not-registered-123","authorization":"Bearer abc.def"} ${JWT} Account-Id: 0123abcd`;
    const out = safeText(echo);
    for (const secret of [PASSWORD, 'Follower@Example.com', 'not-registered-123', 'abc.def', JWT, '0123abcd'])
      expect(out).not.toContain(secret);
    expect(out).toContain('bad request');
    expect(out).toContain('[redacted]');
  });

  it('finds a password in any letter case (upstream may echo it lower-cased)', () => {
    expect(safeText(`region ${PASSWORD.toLowerCase()} unknown`)).toBe('region [redacted] unknown');
    expect(scrubString(PASSWORD.toUpperCase())).toBe('[redacted]');
  });

  it('is one line, never longer than the limit, and marks a cut', () => {
    const out = safeText(`line one\r\nline\u0000two ${'x'.repeat(2_000)}`);
    for (const c of ['\r', '\n', '\u0000']) expect(out).not.toContain(c);
    expect(Array.from(out).length).toBe(UPSTREAM_TEXT_MAX_CHARS);
    expect(out.endsWith('…')).toBe(true);
    expect(safeText('short')).toBe('short');
    expect(Array.from(safeText('😀'.repeat(50), 10))).toHaveLength(10);
  });

  it('redacts before cutting: no prefix of a secret survives a cut through it', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 400 }),
        fc.string({ maxLength: 400 }),
        fc.integer({ min: 1, max: 320 }),
        (a, b, max) => {
          const out = safeText(`${a}${PASSWORD}${b}`, max);
          expect(Array.from(out).length).toBeLessThanOrEqual(max);
          // Any 8 characters of the password would be a leak.
          for (let i = 0; i + 8 <= PASSWORD.length; i++) {
            if (!`${a}${b}`.includes(PASSWORD.slice(i, i + 8)))
              expect(out).not.toContain(PASSWORD.slice(i, i + 8));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the logger redacts the same secrets in log text', () => {
    expect(scrubString(`login failed: password=${PASSWORD} token: abcdef ${JWT}`)).toBe(
      'login failed: password=[redacted] token: [redacted] [redacted]',
    );
  });
});
