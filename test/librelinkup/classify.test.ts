import { describe, expect, it } from 'vitest';
import { classifyAnswer, type HttpAnswer } from '../../src/librelinkup/classify.js';
import { parseRetryAfter } from '../../src/librelinkup/retry-after.js';
import { catchLlu } from './helpers/errors.js';

const NOW = Date.UTC(2025, 9, 8, 12, 0, 0);

function answer(status: number, text: string, extra: Partial<HttpAnswer> = {}): HttpAnswer {
  return {
    status,
    contentType: 'application/json',
    text,
    retryAfter: null,
    endpoint: 'connections',
    host: 'api-eu.libreview.io',
    now: NOW,
    ...extra,
  };
}

const kindOf = (a: HttpAnswer) => catchLlu(() => classifyAnswer(a));

describe('parseRetryAfter', () => {
  it('delay-seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(NOW + 120_000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(NOW);
  });
  it('IMF-fixdate', () => {
    expect(parseRetryAfter('Wed, 08 Oct 2025 12:05:00 GMT', NOW)).toBe(NOW + 300_000);
  });
  it.each([
    null,
    undefined,
    '',
    'soon',
    '-5',
    '1.5',
    '99999999',
    'Wed, 31 Feb 2025 12:05:00 GMT',
    '2025-10-08T12:05:00Z',
  ])('unparseable %j → undefined', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('classifyAnswer', () => {
  it('returns the JSON body of a normal answer', () => {
    expect(classifyAnswer(answer(200, '{"status":0,"data":[]}'))).toEqual({ status: 0, data: [] });
  });

  it('HTTP 429 → rate_limited with retryAt from Retry-After seconds or date', () => {
    expect(kindOf(answer(429, '', { retryAfter: '60' }))).toMatchObject({
      kind: 'rate_limited',
      retryAt: NOW + 60_000,
    });
    expect(kindOf(answer(429, 'Too Many', { retryAfter: 'Wed, 08 Oct 2025 13:00:00 GMT' }))).toMatchObject({
      kind: 'rate_limited',
      retryAt: NOW + 3_600_000,
    });
    expect(kindOf(answer(429, '', { retryAfter: 'later' })).retryAt).toBeUndefined();
  });

  it('lockout body → locked until now + lockout seconds', () => {
    const body =
      '{"status":429,"data":{"code":60,"data":{"failures":3,"interval":60,"lockout":300},"message":"locked"}}';
    expect(kindOf(answer(200, body))).toMatchObject({ kind: 'locked', retryAt: NOW + 300_000 });
  });

  it('HTTP 430 with an empty body → blocked', () => {
    expect(kindOf(answer(430, '', { contentType: null })).kind).toBe('blocked');
  });

  it.each([
    [403, '<!DOCTYPE html><title>Attention Required! | Cloudflare</title>'],
    [403, '<html>Error 1015 Access denied | api-de.libreview.io used Cloudflare to restrict access</html>'],
    [503, '<html>The owner of this website (api-fr.libreview.io) has banned you temporarily</html>'],
    [403, '<html><body>Forbidden</body></html>'],
  ])('HTML %d (%s) → blocked', (status, html) => {
    expect(kindOf(answer(status, html, { contentType: 'text/html; charset=UTF-8' })).kind).toBe('blocked');
  });

  it.each([
    [
      502,
      '<html><head><title>api-eu.libreview.io | 502: Bad gateway</title></head><body>Cloudflare Ray ID: 8f0a</body></html>',
    ],
    [
      520,
      '<html><title>libreview.io | 520: Web server is returning an unknown error</title>Cloudflare</html>',
    ],
    [522, '<html><title>Connection timed out | Cloudflare</title></html>'],
    [504, '<html><title>Gateway time-out | api-us.libreview.io | Cloudflare</title></html>'],
  ])("Cloudflare's own HTML %d outage page → server, never blocked", (status, html) => {
    const err = kindOf(answer(status, html, { contentType: 'text/html; charset=UTF-8' }));
    expect(err).toMatchObject({ kind: 'server', httpStatus: status });
    expect(err.message).toMatch(/outage/);
  });

  it('HTML 5xx without Cloudflare words (Heroku "Application Error") → server', () => {
    const err = kindOf(answer(503, '<html><title>Application Error</title></html>', { contentType: null }));
    expect(err).toMatchObject({ kind: 'server', httpStatus: 503 });
  });

  it('HTML with HTTP 200 → malformed', () => {
    expect(kindOf(answer(200, '<html></html>', { contentType: 'text/html' })).kind).toBe('malformed');
  });

  it('403 + status 920 → version with minimumVersion', () => {
    const err = kindOf(answer(403, '{"data":{"minimumVersion":"4.16.0"},"status":920}'));
    expect(err).toMatchObject({ kind: 'version', minimumVersion: '4.16.0' });
  });

  it('401 → unauthorized; MissingCachedUser → missing_cached_user; RequiredHeaderMissing → header_missing', () => {
    expect(kindOf(answer(401, '{"message":"invalid or expired jwt"}')).kind).toBe('unauthorized');
    expect(kindOf(answer(401, '')).kind).toBe('unauthorized');
    expect(kindOf(answer(200, '{"message":"MissingCachedUser"}')).kind).toBe('missing_cached_user');
    expect(kindOf(answer(400, '{"message":"RequiredHeaderMissing"}')).kind).toBe('header_missing');
  });

  it('5xx JSON → server; 911 → server', () => {
    expect(kindOf(answer(502, '{"message":"bad gateway"}')).kind).toBe('server');
    expect(kindOf(answer(200, '{"status":911}')).kind).toBe('server');
  });

  it('empty or non-JSON 200 → malformed', () => {
    expect(kindOf(answer(200, '')).kind).toBe('malformed');
    expect(kindOf(answer(200, '{"status":0,"data":[')).kind).toBe('malformed');
  });

  it('HTTP redirects are not followed', () => {
    expect(kindOf(answer(302, '')).kind).toBe('server');
  });
});
