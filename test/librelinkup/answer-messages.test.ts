// From a real upstream answer to what the user reads: an Abbott outage must read as an outage (and
// may restart the add-on), a block or rate limit as something the user can act on. The bodies are
// those users of other LibreLinkUp clients reported during outages and blocks.

import { describe, expect, it } from 'vitest';
import { classifyAnswer, type HttpAnswer } from '../../src/librelinkup/classify.js';
import { describeLluError } from '../../src/librelinkup/describe.js';
import { policyOf } from '../../src/librelinkup/error-policy.js';
import { catchLlu } from './helpers/errors.js';

const NOW = Date.UTC(2025, 9, 8, 12, 0, 0);
const HTML = 'text/html; charset=UTF-8';

function answer(status: number, text: string, contentType: string | null = HTML): HttpAnswer {
  return {
    status,
    contentType,
    text,
    retryAfter: null,
    endpoint: 'connections',
    host: 'api-eu.libreview.io',
    now: NOW,
  };
}

function read(a: HttpAnswer) {
  const err = catchLlu(() => classifyAnswer(a));
  return { kind: err.kind, message: describeLluError(err, NOW), needsUser: policyOf(err.kind).needsUser };
}

describe('what the user reads for real answers', () => {
  it.each([
    [
      'Cloudflare 502',
      answer(
        502,
        '<html><title>api-eu.libreview.io | 502: Bad gateway</title>Cloudflare Ray ID: 8f0a</html>',
      ),
    ],
    [
      'Cloudflare 520',
      answer(520, '<html><title>520: Web server is returning an unknown error</title>Cloudflare</html>'),
    ],
    ['Cloudflare 522', answer(522, '<html><title>Connection timed out | Cloudflare</title></html>')],
    ['Heroku error page', answer(503, '<html><title>Application Error</title></html>', null)],
    ['JSON 503', answer(503, '{"status":503}', 'application/json')],
    ['maintenance (status 911)', answer(200, '{"status":911}', 'application/json')],
  ])('%s: an outage, not a block, and not a reason to wait for the user', (_name, a) => {
    const { kind, message, needsUser } = read(a);
    expect(kind).toBe('server');
    expect(message).toMatch(/^LibreLinkUp has a server problem or maintenance/);
    expect(message).not.toMatch(/too many requests|blocking|rate-limiting/);
    expect(needsUser).toBe(false);
  });

  it.each([
    ['Attention Required', answer(403, '<!DOCTYPE html><title>Attention Required! | Cloudflare</title>')],
    ['error 1015', answer(403, '<html>Error 1015 Access denied | used Cloudflare to restrict access</html>')],
    [
      'temporary ban',
      answer(503, '<html>The owner of this website (api-fr.libreview.io) has banned you temporarily</html>'),
    ],
    ['HTTP 430', answer(430, '', null)],
  ])('%s: a block the user must look into', (_name, a) => {
    const { kind, message, needsUser } = read(a);
    expect(kind).toBe('blocked');
    expect(message).toMatch(/^LibreLinkUp is blocking requests/);
    expect(needsUser).toBe(true);
  });

  it('HTTP 429: rate limiting, with the time the bridge waits until', () => {
    const { kind, message } = read({ ...answer(429, '', null), retryAfter: '120' });
    expect(kind).toBe('rate_limited');
    expect(message).toMatch(
      /^LibreLinkUp is rate-limiting requests \(HTTP 429\); the bridge waits until \d\d:\d\d/,
    );
  });
});
