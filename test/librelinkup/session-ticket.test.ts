// The session helpers the client uses: the ticket an answer carries, and which saved sessions are usable.
import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/librelinkup/model.js';
import { accountIdHash, ticketOf, usableSession } from '../../src/librelinkup/session.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IjEifQ.c2lnbmF0dXJl';

describe('ticketOf', () => {
  it('a usable ticket: its token and expiry in ms', () => {
    expect(ticketOf({ status: 0, ticket: { token: TOKEN, expires: 1_700_000_000 } })).toEqual({
      kind: 'usable',
      token: TOKEN,
      expiresAt: 1_700_000_000_000,
    });
  });

  it.each([
    ['no body', null],
    ['no ticket', { status: 0 }],
    ['a ticket that is not an object', { ticket: 'x' }],
    ['a token that is not a string', { ticket: { token: 1, expires: 1 } }],
    ['no expiry', { ticket: { token: TOKEN } }],
    ['an infinite expiry', { ticket: { token: TOKEN, expires: Number.MAX_VALUE } }],
  ])('%s: none', (_, body) => {
    expect(ticketOf(body)).toEqual({ kind: 'none' });
  });

  it('a token that cannot be sent as a header: unsendable, with its length only', () => {
    expect(ticketOf({ ticket: { token: 'a b\n', expires: 1 } })).toEqual({ kind: 'unsendable', length: 4 });
  });
});

describe('usableSession', () => {
  const session: Session = {
    token: TOKEN,
    expiresAt: 0,
    accountIdHash: accountIdHash('user-1'),
    baseUrl: 'https://api-eu.libreview.io',
    region: 'eu',
    version: '4.16.0',
    userUnit: null,
  };
  it('keeps a session whose token and Account-Id can be sent', () => {
    expect(usableSession(session)).toBe(session);
  });
  it('drops one whose token or Account-Id cannot', () => {
    expect(usableSession({ ...session, token: 'a\nb' })).toBeNull();
    expect(usableSession({ ...session, accountIdHash: 'not-hex' })).toBeNull();
    expect(usableSession(null)).toBeNull();
  });
});
