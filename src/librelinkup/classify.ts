// Turns one HTTP answer into either a JSON body for the caller or an LluError with a kind the
// bridge can act on. Pure: the transport hands in status, content type, text and `now`.
// Order matters: HTTP-level verdicts (429, 430, HTML pages, 401, 5xx) come before the body is
// trusted, because Cloudflare and outage pages are HTML and must never reach JSON.parse callers.

import { safeText } from '../log.js';
import { LluError } from './errors.js';
import { parseRetryAfter } from './retry-after.js';
import { matches } from './schemas.js';

export interface HttpAnswer {
  status: number;
  contentType: string | null;
  text: string;
  retryAfter: string | null;
  endpoint: string;
  host: string;
  now: number;
}

const CLOUDFLARE = /attention required|cloudflare|\b1015\b|banned you temporarily/i;
/**
 * What Cloudflare shows when it refuses *us* (block, rate limit, challenge). Its other pages (502 Bad
 * gateway, 520-526 origin errors) name Cloudflare too, but mean LibreLinkUp itself is down: an outage,
 * not a reason to tell the user they sent too many requests.
 */
const CLOUDFLARE_REFUSAL =
  /attention required|you have been blocked|just a moment|\b10(15|20)\b|access denied|banned you temporarily/i;

function tryJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Upstream's own error word, shortened; it is shown to the user, so keep it plain. */
function upstreamMessage(json: unknown): string | null {
  if (matches('messageError', json)) return safeText(json.message, 80);
  if (matches('statusError', json)) return safeText(json.error.message, 80);
  return null;
}

/** The parsed JSON body of a usable answer; throws LluError for everything else. */
export function classifyAnswer(answer: HttpAnswer): unknown {
  const { status, endpoint, host, now } = answer;
  const text = answer.text.trim();
  const json = tryJson(text);
  const details = { endpoint, httpStatus: status };
  const fail = (kind: LluError['kind'], message: string, extra: object = {}) =>
    new LluError(kind, message, { ...details, ...extra });

  if (matches('lockout', json)) {
    const retryAt = now + Math.max(0, json.data.data.lockout) * 1000;
    throw fail(
      'locked',
      `LibreLinkUp locked the account for ${json.data.data.lockout} s after failed logins`,
      {
        retryAt,
      },
    );
  }
  if (status === 429) {
    const retryAt = parseRetryAfter(answer.retryAfter, now);
    throw fail(
      'rate_limited',
      `LibreLinkUp rate-limited ${endpoint} (HTTP 429)`,
      retryAt === undefined ? {} : { retryAt },
    );
  }
  if (status === 430) throw fail('blocked', `LibreLinkUp blocked ${endpoint} at ${host} (HTTP 430)`);

  const html = /text\/html/i.test(answer.contentType ?? '') || text.startsWith('<');
  if (html) {
    if (status >= 500 && CLOUDFLARE.test(text) && !CLOUDFLARE_REFUSAL.test(text))
      throw fail(
        'server',
        `LibreLinkUp is unreachable behind Cloudflare on ${endpoint} (HTTP ${status}, Cloudflare error page): an outage at Abbott`,
      );
    if (CLOUDFLARE.test(text)) {
      throw fail(
        'blocked',
        `LibreLinkUp's firewall (Cloudflare) blocked ${endpoint} at ${host} (HTTP ${status})`,
      );
    }
    if (status >= 500)
      throw fail('server', `LibreLinkUp server error on ${endpoint} (HTTP ${status}, HTML page)`);
    if (status === 401)
      throw fail('unauthorized', `LibreLinkUp refused the session on ${endpoint} (HTTP 401)`);
    if (status === 403)
      throw fail('blocked', `LibreLinkUp refused ${endpoint} at ${host} (HTTP 403, HTML page)`);
    throw fail('malformed', `LibreLinkUp ${endpoint} answered an HTML page instead of JSON (HTTP ${status})`);
  }

  if (matches('versionError', json)) {
    const minimumVersion = json.data.minimumVersion;
    throw fail('version', `LibreLinkUp requires app version ${safeText(minimumVersion, 20)} (status 920)`, {
      minimumVersion,
    });
  }
  const word = upstreamMessage(json);
  if (word === 'MissingCachedUser') {
    throw fail('missing_cached_user', `LibreLinkUp lost the session on ${endpoint} (MissingCachedUser)`);
  }
  if (word === 'RequiredHeaderMissing') {
    throw fail(
      'header_missing',
      `LibreLinkUp refused the Account-Id header on ${endpoint} (RequiredHeaderMissing)`,
    );
  }
  if (status === 401) {
    throw fail(
      'unauthorized',
      `LibreLinkUp refused the session on ${endpoint} (HTTP 401${word ? `, ${word}` : ''})`,
    );
  }
  if (status >= 500) throw fail('server', `LibreLinkUp server error on ${endpoint} (HTTP ${status})`);
  if (status === 403)
    throw fail('blocked', `LibreLinkUp refused ${endpoint} at ${host} (HTTP 403${word ? `, ${word}` : ''})`);
  if (status >= 300 && status < 400) {
    throw fail('server', `LibreLinkUp answered ${endpoint} with an HTTP redirect (${status}); not followed`);
  }
  if (status >= 400 || status < 200) {
    throw fail(
      'malformed',
      `LibreLinkUp answered ${endpoint} with HTTP ${status}${word ? ` (${word})` : ''}`,
    );
  }
  if (text === '') throw fail('malformed', `LibreLinkUp ${endpoint} answer was empty (HTTP ${status})`);
  if (json === undefined)
    throw fail('malformed', `LibreLinkUp ${endpoint} answer is not JSON (HTTP ${status})`);
  if (matches('envelope', json) && json.status === 911) {
    throw fail(
      'server',
      `LibreLinkUp is in maintenance or this is the wrong server for ${endpoint} (status 911)`,
    );
  }
  return json;
}
