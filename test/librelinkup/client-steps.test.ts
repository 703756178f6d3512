// Login steps (status 4): terms of use, privacy policy, e-mail verification.

import { afterEach, describe, expect, it } from 'vitest';
import { MAX_STEPS } from '../../src/librelinkup/login.js';
import { clientFor } from './helpers/client.js';
import { rejectsLlu } from './helpers/errors.js';
import {
  connectionsOk,
  loginOk,
  redirectTo,
  type ScriptedServer,
  startScriptedServer,
  stepReply,
} from './helpers/scripted-server.js';

const LOGIN = 'POST /llu/auth/login';
const TOU = 'POST /auth/continue/tou';
const PP = 'POST /auth/continue/pp';

let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});

describe('login steps', () => {
  it.each([
    ['tou', /terms of use/],
    ['pp', /privacy policy/],
    ['verifyEmail', /verify the e-mail/],
  ])('%s without accept_terms → terms, nothing accepted', async (step, words) => {
    server = await startScriptedServer({ [LOGIN]: stepReply(step, 'step-token-1') });
    const err = await rejectsLlu(clientFor(server).client.login());
    expect(err).toMatchObject({ kind: 'terms', step });
    expect(err.message).toMatch(words);
    expect(err.message).toMatch(/LibreLinkUp app/);
    expect(server.requests).toHaveLength(1);
  });

  it('with accept_terms: chained tou → pp accepted on the regional host with the step tokens', async () => {
    server = await startScriptedServer({
      [LOGIN]: (req) => (req.region === null ? redirectTo('eu2') : stepReply('tou', 'step-token-1')),
      [TOU]: stepReply('pp', 'step-token-2'),
      [PP]: loginOk('tok-final'),
      'GET /llu/connections': connectionsOk(),
    });
    const { client } = clientFor(server, { acceptTerms: true });
    const session = await client.login();
    expect(session).toMatchObject({ token: 'tok-final', region: 'eu2', baseUrl: `${server.url}/r/eu2` });
    expect(server.requests.map((r) => [r.route, r.region, r.headers.authorization ?? null])).toEqual([
      [LOGIN, null, null],
      [LOGIN, 'eu2', null],
      [TOU, 'eu2', 'Bearer step-token-1'],
      [PP, 'eu2', 'Bearer step-token-2'],
    ]);
    for (const r of server.requests) expect(r.headers['account-id']).toBeUndefined();
    expect(client.stats.logins).toBe(1);
    expect(client.stats.byEndpoint).toEqual({ login: 2, continue: 2 });
  });

  it('with accept_terms, verifyEmail still needs the user', async () => {
    server = await startScriptedServer({
      [LOGIN]: stepReply('tou', 's1'),
      [TOU]: stepReply('verifyEmail', 's2'),
    });
    const err = await rejectsLlu(clientFor(server, { acceptTerms: true }).client.login());
    expect(err).toMatchObject({ kind: 'terms', step: 'verifyEmail' });
    expect(server.requests).toHaveLength(2);
  });

  it('a refused continue (401) → terms for that step', async () => {
    server = await startScriptedServer({
      [LOGIN]: stepReply('pp', 's1'),
      [PP]: { status: 401, json: { message: 'invalid or expired jwt' } },
    });
    const err = await rejectsLlu(clientFor(server, { acceptTerms: true }).client.login());
    expect(err).toMatchObject({ kind: 'terms', step: 'pp' });
  });

  it('endless steps are bounded', async () => {
    server = await startScriptedServer({ [LOGIN]: stepReply('tou', 's1'), [TOU]: stepReply('tou', 's2') });
    const err = await rejectsLlu(clientFor(server, { acceptTerms: true }).client.login());
    expect(err.kind).toBe('terms');
    expect(server.requestsTo(TOU)).toHaveLength(MAX_STEPS);
  });
});
