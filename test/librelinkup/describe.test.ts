import { describe, expect, it } from 'vitest';
import { describeLluError, formatUntil } from '../../src/librelinkup/describe.js';
import { LluError, type LluErrorKind } from '../../src/librelinkup/errors.js';
import { maskEmail } from '../../src/librelinkup/mask.js';

const NOW = Date.UTC(2026, 10, 25, 22, 10, 0);
const ALL_KINDS: LluErrorKind[] = [
  'bad_credentials',
  'terms',
  'locked',
  'rate_limited',
  'version',
  'unauthorized',
  'missing_cached_user',
  'blocked',
  'server',
  'malformed',
  'timeout',
  'network',
  'patient_not_found',
  'redirect',
  'header_missing',
  'internal',
];

describe('describeLluError', () => {
  it('has a sentence for every kind, without internals', () => {
    for (const kind of ALL_KINDS) {
      const text = describeLluError(new LluError(kind, 'internal detail'), NOW);
      expect(text.length).toBeGreaterThan(20);
      expect(text).not.toContain('internal detail');
      expect(text).not.toContain('undefined');
    }
  });

  it('credentials point at the LibreLinkUp follower account', () => {
    expect(describeLluError(new LluError('bad_credentials', ''), NOW)).toMatch(
      /^Wrong e-mail or password for LibreLinkUp\. Check the credentials of your LibreLinkUp \(follower\) account/,
    );
  });

  it('terms name the step', () => {
    const d = (step: string) => describeLluError(new LluError('terms', '', { step }), NOW);
    expect(d('tou')).toBe('Accept the new terms of use in the LibreLinkUp app, then the bridge retries.');
    expect(d('pp')).toMatch(/privacy policy/);
    expect(d('verifyEmail')).toMatch(/Verify your e-mail/);
  });

  it('locked shows local HH:MM and the ISO instant', () => {
    const retryAt = NOW + 5 * 60_000;
    const text = describeLluError(new LluError('locked', '', { retryAt }), NOW);
    const d = new Date(retryAt);
    const hhmm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    expect(text).toContain(`until ${hhmm} (${d.toISOString()})`);
    expect(text).toMatch(/stop other apps/);
  });

  it('version names the minimum; blocked names the status; redirect names the region', () => {
    expect(describeLluError(new LluError('version', '', { minimumVersion: '4.18.0' }), NOW)).toMatch(
      /4\.18\.0/,
    );
    expect(describeLluError(new LluError('blocked', '', { httpStatus: 403 }), NOW)).toMatch(
      /Cloudflare\/HTTP 403/,
    );
    expect(describeLluError(new LluError('redirect', '', { region: 'zz' }), NOW)).toMatch(/\(zz\)/);
    expect(describeLluError(new LluError('redirect', '', { region: 'eu' }), NOW)).toMatch(/loop/);
    expect(describeLluError(new LluError('timeout', ''), NOW)).toMatch(
      /^LibreLinkUp unreachable \(timeout\)/,
    );
  });

  it('formatUntil of a past instant', () => {
    expect(formatUntil(NOW - 1, NOW)).toBe('a moment');
  });
});

describe('maskEmail', () => {
  it.each([
    ['foo.bar@example.com', 'fo***@example.com'],
    ['a@b.c', 'a***@b.c'],
    ['nodomain', 'no***'],
  ])('%s → %s', (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });
});
