// What the fake answers instead of the normal answer when a scripted fault matches: canned error
// answers (rate limits, lockout, Cloudflare pages, outages), and an answer echoing the request's
// secrets (to prove the client never logs them). Faults that alter the normal answer (malformed,
// hostile, ticket) or the connection (hang, bomb) are applied by the server.

import {
  APPLICATION_ERROR_PAGE,
  cloudflareBadGateway,
  cloudflarePage,
  INVALID_JWT,
  lockedBody,
  MAINTENANCE,
  MISSING_CACHED_USER,
  versionTooOld,
} from './bodies.js';
import { type Answer, echoAnswer, echoText } from './faults.js';
import type { AccountState, SimSettings } from './sim-state.js';
import type { SimFault } from './types.js';

/** The canned answer of a fault, or null when the fault alters the normal answer instead. */
export function faultAnswer(fault: SimFault, host: string, settings: SimSettings): Answer | null {
  const { lockoutFailures, lockoutWindowMs, minimumVersion } = settings;
  switch (fault.kind) {
    case 'http429':
      return {
        status: 429,
        body: { message: 'Too Many Requests' },
        ...(fault.retryAfterSeconds !== undefined
          ? { headers: { 'retry-after': String(fault.retryAfterSeconds) } }
          : {}),
      };
    case 'locked': {
      const s = fault.lockoutSeconds ?? 300;
      return { status: 200, body: lockedBody(lockoutFailures, lockoutWindowMs / 1000, s) };
    }
    case 'cloudflare':
      return {
        status: fault.httpStatus ?? 403,
        body: cloudflarePage(host),
        contentType: 'text/html; charset=UTF-8',
      };
    case 'http430':
      return { status: 430, body: '', contentType: 'text/plain' };
    case 'server_error':
      return fault.html
        ? {
            status: fault.httpStatus ?? 500,
            body:
              fault.html === 'cloudflare'
                ? cloudflareBadGateway(host, fault.httpStatus ?? 502)
                : APPLICATION_ERROR_PAGE,
            contentType: 'text/html; charset=utf-8',
          }
        : { status: fault.httpStatus ?? 500, body: { message: 'Internal Server Error' } };
    case 'maintenance':
      return { status: 200, body: MAINTENANCE };
    case 'unauthorized':
      return { status: 401, body: INVALID_JWT };
    case 'missing_cached_user':
      // HTTP status of this answer is UNSURE (DiaBLE only shows the body); 200 keeps the body decisive.
      return { status: 200, body: MISSING_CACHED_USER };
    case 'version':
      return { status: 403, body: versionTooOld(fault.minimumVersion ?? minimumVersion) };
    case 'malformed':
    case 'hostile':
    case 'hang':
    case 'echo_secrets':
    case 'ticket':
    case 'bomb':
      return null;
  }
}

/**
 * The echo_secrets answer: the password, e-mail and token of the request. Authenticated calls carry
 * no credentials: the account record the token belongs to (`owner`) stands in for them.
 */
export function echoSecretsAnswer(
  fault: Extract<SimFault, { kind: 'echo_secrets' }>,
  request: { isLogin: boolean; text: string; authorization: string | undefined },
  owner: AccountState | undefined,
): Answer {
  let creds: { email?: unknown; password?: unknown } = {};
  try {
    creds = request.isLogin ? (JSON.parse(request.text) as typeof creds) : {};
  } catch {}
  const token = /^Bearer\s+(.+)$/i.exec(request.authorization ?? '')?.[1] ?? null;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const echo = echoText(
    [str(creds.password) ?? owner?.password ?? null, str(creds.email) ?? owner?.spec.email ?? null, token],
    fault.length ?? 1_000,
  );
  return echoAnswer(fault, echo);
}
