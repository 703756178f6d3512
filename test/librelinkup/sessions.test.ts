// Sessions against a scripted server: a ticket is used until LibreLinkUp refuses it, whatever its
// `expires` says (with one warning about the clocks), and a token that cannot be sent as a header is
// never adopted: a login answering one is malformed, a refreshed one is ignored.

import { validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { TOKEN_MAX_CHARS } from '../../src/librelinkup/limits.js';
import type { Session } from '../../src/librelinkup/model.js';
import { isHeaderSafeToken, ticketClockWarning } from '../../src/librelinkup/tokens.js';
import { createLogger } from '../../src/log.js';
import { captureLogs } from '../helpers/logs.js';
import { clientFor } from './helpers/client.js';
import { rejectsLlu } from './helpers/errors.js';
import {
  connectionsOk,
  EXPIRES,
  loginOk,
  type ScriptedServer,
  sha256,
  startScriptedServer,
  USER_ID,
} from './helpers/scripted-server.js';

const LOGIN = 'POST /llu/auth/login';
const CONNECTIONS = 'GET /llu/connections';
const NOW = 1_800_000_000_000;
const DAY_S = 86_400;

/** Tokens no HTTP header may carry, or none we would send. */
const ILLEGAL_TOKENS: Array<[string, string]> = [
  ['CR/LF', 'tok\r\nX-Injected: 1'],
  ['a control character', 'tok\u0001x'],
  ['beyond latin1', 'tok\u2603x'],
  ['latin1 but not ASCII', 'töken'],
  ['a space', 'tok en'],
  ['an absurd length', 'x'.repeat(TOKEN_MAX_CHARS + 1)],
];

let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});

function logged() {
  const { capture, destination } = captureLogs();
  return { capture, logger: createLogger({ level: 'debug', destination }) };
}

describe('isHeaderSafeToken', () => {
  it('accepts what LibreLinkUp sends (JWTs) and refuses what a header cannot carry', () => {
    expect(isHeaderSafeToken('eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IngifQ.c2lnbmF0dXJl_-')).toBe(true);
    for (const [, token] of ILLEGAL_TOKENS) expect(isHeaderSafeToken(token)).toBe(false);
    expect(isHeaderSafeToken('')).toBe(false);
    expect(isHeaderSafeToken(42)).toBe(false);
    expect(isHeaderSafeToken(null)).toBe(false);
  });

  it('every token it accepts is a header value Node sends', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (token) => {
        if (!isHeaderSafeToken(token)) return;
        expect(() => validateHeaderValue('authorization', `Bearer ${token}`)).not.toThrow();
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('ticketClockWarning', () => {
  it('names this machine’s clock when only it is past the expiry, LibreLinkUp’s when its own is', () => {
    expect(ticketClockWarning(NOW + 60_000, NOW)).toBeNull();
    expect(ticketClockWarning(NOW - 3 * 3_600_000, NOW)).toMatch(/180 min behind this machine's clock/);
    expect(ticketClockWarning(NOW - 60_000, NOW, NOW - 120_000)).toMatch(/this machine's clock/);
    expect(ticketClockWarning(NOW - 60_000, NOW + 3_600_000, NOW)).toMatch(/before its own clock/);
    expect(ticketClockWarning(Number.NaN, NOW)).toBeNull();
  });
});

describe('a ticket is used until LibreLinkUp refuses it', () => {
  it('a login whose expires is already past: one login for many polls, one clock warning', async () => {
    server = await startScriptedServer({
      [LOGIN]: loginOk('tok-1', USER_ID, NOW / 1000 - DAY_S),
      // Refreshed tickets carry the same past expiry (a server or local clock off by days).
      [CONNECTIONS]: connectionsOk({ token: 'tok-1', expires: NOW / 1000 - DAY_S }),
    });
    const { capture, logger } = logged();
    const { client } = clientFor(server, { logger, now: () => NOW });
    for (let i = 0; i < 5; i++) await client.connections();
    expect(server.requestsTo(LOGIN)).toHaveLength(1);
    expect(server.requestsTo(CONNECTIONS)).toHaveLength(5);
    const warnings = capture.lines.filter((l) => l.includes('clock'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/"level":"warn"/);
    expect(warnings[0]).toMatch(/1440 min behind this machine's clock/);
  });

  it('a refreshed ticket with a past expiry is adopted, not a reason to log in', async () => {
    server = await startScriptedServer({
      [LOGIN]: loginOk('tok-1'),
      [CONNECTIONS]: connectionsOk({ token: 'tok-2', expires: NOW / 1000 - 60 }),
    });
    const { client } = clientFor(server, { now: () => NOW });
    await client.connections();
    await client.connections();
    expect(server.requestsTo(LOGIN)).toHaveLength(1);
    expect(server.requestsTo(CONNECTIONS).map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
  });

  it('a refusal still gives exactly one re-login, also for a session past its expiry', async () => {
    let logins = 0;
    server = await startScriptedServer({
      [LOGIN]: () => loginOk(`tok-${++logins}`, USER_ID, NOW / 1000 - DAY_S),
      [CONNECTIONS]: (req) =>
        req.headers.authorization === 'Bearer tok-saved'
          ? { status: 401, json: { message: 'invalid or expired jwt' } }
          : connectionsOk(),
    });
    const session: Session = {
      token: 'tok-saved',
      expiresAt: NOW - DAY_S * 1000,
      accountIdHash: sha256(USER_ID),
      baseUrl: server.url,
      region: null,
      version: '4.16.0',
      userUnit: 'mg/dL',
    };
    const { client } = clientFor(server, { session, now: () => NOW });
    await client.connections();
    await client.connections();
    expect(server.requests.map((r) => [r.route, r.headers.authorization ?? null])).toEqual([
      [CONNECTIONS, 'Bearer tok-saved'],
      [LOGIN, null],
      [CONNECTIONS, 'Bearer tok-1'],
      [CONNECTIONS, 'Bearer tok-1'],
    ]);
  });
});

describe('tokens that cannot be sent as a header', () => {
  it.each(ILLEGAL_TOKENS)('a refreshed token with %s is ignored with one warning', async (_name, bad) => {
    server = await startScriptedServer({
      [LOGIN]: loginOk('tok-1'),
      [CONNECTIONS]: connectionsOk({ token: bad, expires: EXPIRES + 1 }),
    });
    const { capture, logger } = logged();
    const { client, sessions } = clientFor(server, { logger });
    for (let i = 0; i < 3; i++) await client.connections();
    expect(server.requestsTo(CONNECTIONS).map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-1',
      'Bearer tok-1',
      'Bearer tok-1',
    ]);
    expect(sessions.map((s) => s?.token)).toEqual(['tok-1']);
    expect(capture.lines.filter((l) => l.includes('cannot be sent as an HTTP header'))).toHaveLength(1);
  });

  it.each(ILLEGAL_TOKENS)(
    'a login answering a token with %s is malformed; the next login works',
    async (_n, bad) => {
      server = await startScriptedServer({
        [LOGIN]: [loginOk(bad), loginOk('tok-2')],
        [CONNECTIONS]: connectionsOk(),
      });
      const { client, sessions } = clientFor(server);
      const err = await rejectsLlu(client.connections());
      expect(err.kind).toBe('malformed');
      expect(err.endpoint).toBe('login');
      expect(err.message).toMatch(/cannot be sent as an HTTP header/);
      expect(err.message).not.toContain(bad.slice(0, 8));
      expect(server.requestsTo(CONNECTIONS)).toHaveLength(0);
      expect(sessions).toEqual([]);
      // The bridge's back-off then tries once more: a fresh login, and the session is usable.
      await client.connections();
      expect(server.requestsTo(LOGIN)).toHaveLength(2);
      expect(server.requestsTo(CONNECTIONS)[0]!.headers.authorization).toBe('Bearer tok-2');
    },
  );

  it('a saved session with an unusable token is dropped: a fresh login instead of failing', async () => {
    server = await startScriptedServer({ [LOGIN]: loginOk('tok-1'), [CONNECTIONS]: connectionsOk() });
    const session: Session = {
      token: 'tok\nsaved',
      expiresAt: EXPIRES * 1000,
      accountIdHash: sha256(USER_ID),
      baseUrl: server.url,
      region: null,
      version: '4.16.0',
      userUnit: 'mg/dL',
    };
    const { capture, logger } = logged();
    const { client } = clientFor(server, { session, logger });
    await client.connections();
    expect(server.requests.map((r) => r.route)).toEqual([LOGIN, CONNECTIONS]);
    expect(capture.text()).toMatch(/saved LibreLinkUp session is unusable/);
  });
});
