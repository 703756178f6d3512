// The session a client holds: built from a login, kept from a saved state only when its token and
// Account-Id can be sent as headers, renewed by the ticket an authenticated answer carries.

import { createHash } from 'node:crypto';
import type { LoginResult } from './login.js';
import type { Session } from './model.js';
import { isHeaderSafeToken } from './tokens.js';

export function accountIdHash(userId: string): string {
  return createHash('sha256').update(userId).digest('hex');
}

/** The session a login gives, sending `version`. */
export function sessionFromLogin(result: LoginResult, version: string): Session {
  return {
    token: result.token,
    expiresAt: result.expiresAt,
    accountIdHash: accountIdHash(result.userId),
    baseUrl: result.baseUrl,
    region: result.region,
    version,
    userUnit: result.userUnit,
  };
}

/** A saved session whose token or Account-Id could not be sent as a header is no session. */
export function usableSession(session: Session | null): Session | null {
  if (session === null) return null;
  return isHeaderSafeToken(session.token) && /^[0-9a-f]{64}$/i.test(session.accountIdHash) ? session : null;
}

/** The renewed ticket of an authenticated answer: none, one that cannot be sent, or a usable one. */
export type Ticket =
  | { kind: 'none' }
  | { kind: 'unsendable'; length: number }
  | { kind: 'usable'; token: string; expiresAt: number };

export function ticketOf(body: unknown): Ticket {
  if (body === null || typeof body !== 'object') return { kind: 'none' };
  const ticket = (body as { ticket?: unknown }).ticket;
  if (ticket === null || typeof ticket !== 'object') return { kind: 'none' };
  const { token, expires } = ticket as { token?: unknown; expires?: unknown };
  if (typeof token !== 'string' || typeof expires !== 'number') return { kind: 'none' };
  const expiresAt = expires * 1000;
  if (!Number.isFinite(expiresAt)) return { kind: 'none' };
  if (!isHeaderSafeToken(token)) return { kind: 'unsendable', length: token.length };
  return { kind: 'usable', token, expiresAt };
}
