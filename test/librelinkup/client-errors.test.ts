// Every failure the reference describes, on the wire, ends as the right LluError kind.

import { afterEach, describe, expect, it } from 'vitest';
import { LluClient } from '../../src/librelinkup/client.js';
import { silentLogger } from '../../src/log.js';
import { clientFor, PASSWORD } from './helpers/client.js';
import { rejectsLlu } from './helpers/errors.js';
import {
  closedPort,
  connectionsOk,
  loginOk,
  type ScriptedServer,
  startScriptedServer,
} from './helpers/scripted-server.js';

const LOGIN = 'POST /llu/auth/login';
const CONNECTIONS = 'GET /llu/connections';
const NOW = Date.UTC(2026, 10, 25, 5, 0, 0);

let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});

async function loginError(reply: Parameters<ScriptedServer['on']>[1], extra = {}) {
  server = await startScriptedServer({ [LOGIN]: reply });
  const { client } = clientFor(server, { now: () => NOW, ...extra });
  const err = await rejectsLlu(client.login());
  client.close();
  return err;
}

describe('LluClient failures', () => {
  it('status 2 → bad_credentials, one request, never retried', async () => {
    const err = await loginError({ json: { status: 2, error: { message: 'notAuthenticated' } } });
    expect(err.kind).toBe('bad_credentials');
    expect(err.message).toMatch(/LibreLinkUp/);
    expect(server.requests).toHaveLength(1);
  });

  it('HTTP 429 with Retry-After seconds → rate_limited with retryAt', async () => {
    const err = await loginError({
      status: 429,
      text: 'Too Many Requests',
      headers: { 'retry-after': '120' },
    });
    expect(err).toMatchObject({ kind: 'rate_limited', retryAt: NOW + 120_000, httpStatus: 429 });
  });

  it('HTTP 429 with Retry-After as HTTP date → rate_limited with that instant', async () => {
    const at = new Date(NOW + 600_000).toUTCString();
    const err = await loginError({ status: 429, text: '', headers: { 'retry-after': at } });
    expect(err).toMatchObject({ kind: 'rate_limited', retryAt: NOW + 600_000 });
  });

  it('lockout body → locked until now + lockout', async () => {
    const err = await loginError({
      json: {
        status: 429,
        data: { code: 60, data: { failures: 3, interval: 60, lockout: 300 }, message: 'locked' },
      },
    });
    expect(err).toMatchObject({ kind: 'locked', retryAt: NOW + 300_000 });
    expect(server.requests).toHaveLength(1);
  });

  it('Cloudflare HTML 403 → blocked', async () => {
    const err = await loginError({
      status: 403,
      text: '<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head></html>',
      headers: { 'content-type': 'text/html; charset=UTF-8' },
    });
    expect(err).toMatchObject({ kind: 'blocked', httpStatus: 403 });
  });

  it('HTTP 430 with an empty body → blocked', async () => {
    expect((await loginError({ status: 430 })).kind).toBe('blocked');
  });

  it('5xx HTML outage page → server', async () => {
    const err = await loginError({
      status: 503,
      text: '<html><head><title>Application Error</title></head></html>',
      headers: { 'content-type': 'text/html' },
    });
    expect(err).toMatchObject({ kind: 'server', httpStatus: 503 });
  });

  it('status 911 → server', async () => {
    expect((await loginError({ json: { status: 911 } })).kind).toBe('server');
  });

  it('timeout: a server that never answers', async () => {
    const err = await loginError('hang', { timeoutMs: 200 });
    expect(err.kind).toBe('timeout');
    expect(err.message).toMatch(/timeout/);
  });

  it('a dropped connection → network', async () => {
    expect((await loginError('destroy')).kind).toBe('network');
  });

  it('connection refused → network', async () => {
    const port = await closedPort();
    const client = new LluClient({
      email: 'a@b.c',
      password: PASSWORD,
      region: 'auto',
      apiUrl: `http://127.0.0.1:${port}`,
      regionUrl: `http://127.0.0.1:${port}/r/{region}`,
      version: '4.16.0',
      acceptTerms: false,
      logger: silentLogger(),
    });
    const err = await rejectsLlu(client.login());
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('a login body that is not JSON, or empty → malformed', async () => {
    expect((await loginError({ text: '{"status":0,' })).kind).toBe('malformed');
    await server.close();
    expect((await loginError({ text: '' })).kind).toBe('malformed');
  });

  it('a login success without a token → malformed naming login and the path', async () => {
    const err = await loginError({
      json: { status: 0, data: { user: { id: 'u' }, authTicket: { expires: 1 } } },
    });
    expect(err).toMatchObject({ kind: 'malformed', endpoint: 'login' });
    expect(err.message).toMatch(/authTicket/);
  });

  it('connections with a mistyped field → only that field is absent, named by its path', async () => {
    const bad = connectionsOk() as { json: { data: Array<Record<string, unknown>> } };
    (bad.json.data[0]!.glucoseMeasurement as Record<string, unknown>).ValueInMgPerDl = 'high';
    server = await startScriptedServer({ [LOGIN]: loginOk('tok-secret-1'), [CONNECTIONS]: bad });
    const { client } = clientFor(server);
    const answer = await client.connectionsAnswer();
    expect(answer.connections[0]).toMatchObject({ latest: null });
    expect(answer.issues).toEqual([
      expect.objectContaining({ path: 'data[0].glucoseMeasurement.ValueInMgPerDl' }),
    ]);
  });

  it('connections whose data is not a list → malformed naming connections and the path', async () => {
    const bad = connectionsOk() as { json: { data: unknown } };
    bad.json.data = { patientId: 'x' };
    server = await startScriptedServer({ [LOGIN]: loginOk('tok-secret-1'), [CONNECTIONS]: bad });
    const { client } = clientFor(server);
    const err = await rejectsLlu(client.connections());
    expect(err).toMatchObject({ kind: 'malformed', endpoint: 'connections' });
    expect(err.message).toContain('/data');
    expect(err.message).not.toContain('tok-secret-1');
  });

  it('400 RequiredHeaderMissing → header_missing (not retried with a re-login)', async () => {
    server = await startScriptedServer({
      [LOGIN]: loginOk('tok-1'),
      [CONNECTIONS]: { status: 400, json: { message: 'RequiredHeaderMissing' } },
    });
    const { client } = clientFor(server);
    expect((await rejectsLlu(client.connections())).kind).toBe('header_missing');
    expect(server.requestsTo(LOGIN)).toHaveLength(1);
  });

  it('an explicit region outside the allow-list is refused before any request', async () => {
    server = await startScriptedServer({});
    const err = await rejectsLlu(clientFor(server, { region: 'zz' }).client.login());
    expect(err.kind).toBe('redirect');
    expect(server.requests).toHaveLength(0);
  });
});
