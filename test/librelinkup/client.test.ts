// Wire-level checks of the client against a scripted server: headers, redirects, version
// adoption, the one re-login, ticket refresh, session reuse.

import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/librelinkup/model.js';
import { clientFor, EMAIL, PASSWORD } from './helpers/client.js';
import { rejectsLlu } from './helpers/errors.js';
import {
  connectionsOk,
  EXPIRES,
  graphOk,
  loginOk,
  redirectTo,
  type ScriptedServer,
  sha256,
  startScriptedServer,
  USER_ID,
} from './helpers/scripted-server.js';

const LOGIN = 'POST /llu/auth/login';
const CONNECTIONS = 'GET /llu/connections';
const GRAPH = 'GET /llu/connections/:id/graph';
const LOGBOOK = 'GET /llu/connections/:id/logbook';

let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});

describe('LluClient login and headers', () => {
  it('follows the redirect to the template host and sends app headers, Bearer and Account-Id', async () => {
    server = await startScriptedServer({
      [LOGIN]: (req) => (req.region === null ? redirectTo('eu2') : loginOk('tok-1')),
      [CONNECTIONS]: connectionsOk(),
    });
    const { client, sessions } = clientFor(server);
    const connections = await client.connections();
    expect(connections.map((c) => c.patientId)).toEqual(['p-1']);

    expect(server.requests.map((r) => [r.route, r.region])).toEqual([
      [LOGIN, null],
      [LOGIN, 'eu2'],
      [CONNECTIONS, 'eu2'],
    ]);
    for (const r of server.requests) {
      expect(r.headers).toMatchObject({
        product: 'llu.android',
        version: '4.16.0',
        accept: 'application/json',
        'content-type': 'application/json',
        'cache-control': 'no-cache',
        pragma: 'no-cache',
        'accept-encoding': 'gzip',
      });
      expect(r.headers['user-agent']).toMatch(/^Mozilla\/5\.0 .*librelinkup2mqtt\//);
    }
    const [first, second, call] = server.requests;
    for (const login of [first!, second!]) {
      expect(JSON.parse(login.body)).toEqual({ email: EMAIL, password: PASSWORD });
      expect(login.headers.authorization).toBeUndefined();
      expect(login.headers['account-id']).toBeUndefined();
    }
    expect(call!.headers.authorization).toBe('Bearer tok-1');
    expect(call!.headers['account-id']).toBe(sha256(USER_ID));
    expect(call!.headers['account-id']).toMatch(/^[0-9a-f]{64}$/);

    const expected: Session = {
      token: 'tok-1',
      expiresAt: EXPIRES * 1000,
      accountIdHash: sha256(USER_ID),
      baseUrl: `${server.url}/r/eu2`,
      region: 'eu2',
      version: '4.16.0',
      userUnit: 'mg/dL',
    };
    expect(client.session).toEqual(expected);
    expect(sessions).toEqual([expected]);
    expect(client.stats).toEqual({ requests: 3, logins: 1, byEndpoint: { login: 2, connections: 1 } });
    client.close();
  });

  it('an explicit region logs in at its host directly; a direct answer at the global host keeps region null', async () => {
    server = await startScriptedServer({ [LOGIN]: loginOk('tok-1'), [CONNECTIONS]: connectionsOk() });
    const explicit = clientFor(server, { region: 'de' }).client;
    await explicit.connections();
    expect(server.requests.map((r) => r.region)).toEqual(['de', 'de']);
    expect(explicit.session?.region).toBe('de');

    const auto = clientFor(server).client;
    const s = await auto.login();
    expect(s.region).toBeNull();
    expect(s.baseUrl).toBe(server.url);
  });

  it('refuses a redirect to a region outside the allow-list and never contacts it', async () => {
    for (const region of ['evil', 'attacker.example.com/x', 'eu3']) {
      server = await startScriptedServer({ [LOGIN]: redirectTo(region) });
      const { client } = clientFor(server);
      const err = await rejectsLlu(client.login());
      expect(err.kind).toBe('redirect');
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]!.region).toBeNull();
      expect(client.session).toBeNull();
      await server.close();
    }
  });

  it('guards against redirect loops: at most two redirects are followed', async () => {
    server = await startScriptedServer({ [LOGIN]: redirectTo('eu') });
    const { client } = clientFor(server);
    const err = await rejectsLlu(client.login());
    expect(err.kind).toBe('redirect');
    expect(server.requestsTo(LOGIN).map((r) => r.region)).toEqual([null, 'eu', 'eu']);
  });

  it('adopts a higher minimumVersion from a 920 answer and retries once', async () => {
    const v920 = (min: string) => ({ status: 403, json: { data: { minimumVersion: min }, status: 920 } });
    server = await startScriptedServer({
      [LOGIN]: [v920('4.17.0'), loginOk('tok-1')],
      [CONNECTIONS]: [v920('4.18.0'), connectionsOk()],
      [GRAPH]: graphOk(),
    });
    const { client, sessions } = clientFor(server);
    await client.connections();
    await client.graph('p-1');
    expect(server.requests.map((r) => [r.route, r.headers.version])).toEqual([
      [LOGIN, '4.16.0'],
      [LOGIN, '4.17.0'],
      [CONNECTIONS, '4.17.0'],
      [CONNECTIONS, '4.18.0'],
      [GRAPH, '4.18.0'],
    ]);
    expect(client.appVersion).toBe('4.18.0');
    expect(client.session?.version).toBe('4.18.0');
    expect(sessions.at(-1)?.version).toBe('4.18.0');
  });

  it('a second 920, or one not asking for a higher version, surfaces as version', async () => {
    const v920 = (min: string) => ({ status: 403, json: { data: { minimumVersion: min }, status: 920 } });
    server = await startScriptedServer({ [LOGIN]: v920('4.17.0') });
    let err = await rejectsLlu(clientFor(server).client.login());
    expect(err).toMatchObject({ kind: 'version', minimumVersion: '4.17.0' });
    expect(server.requestsTo(LOGIN)).toHaveLength(2);

    server.requests.length = 0;
    server.on(LOGIN, v920('4.2.0'));
    err = await rejectsLlu(clientFor(server).client.login());
    expect(err.kind).toBe('version');
    expect(server.requestsTo(LOGIN)).toHaveLength(1);
  });

  it('starts with the higher of the configured and the persisted version', async () => {
    server = await startScriptedServer({ [CONNECTIONS]: connectionsOk() });
    const session = persisted(server.url, { version: '4.17.0' });
    const { client } = clientFor(server, { session });
    await client.connections();
    expect(server.requests[0]!.headers.version).toBe('4.17.0');
  });
});

function persisted(baseUrl: string, extra: Partial<Session> = {}): Session {
  return {
    token: 'tok-saved',
    expiresAt: EXPIRES * 1000,
    accountIdHash: sha256(USER_ID),
    baseUrl,
    region: null,
    version: '4.16.0',
    userUnit: 'mg/dL',
    ...extra,
  };
}

describe('LluClient session handling', () => {
  it('reuses a persisted session without logging in', async () => {
    server = await startScriptedServer({ [CONNECTIONS]: connectionsOk() });
    const { client, sessions } = clientFor(server, { session: persisted(server.url) });
    await client.connections();
    expect(server.requests.map((r) => r.route)).toEqual([CONNECTIONS]);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer tok-saved');
    expect(sessions).toEqual([]);
    expect(client.stats.logins).toBe(0);
  });

  it('keeps using a session whose expiry is near or past until LibreLinkUp refuses it', async () => {
    server = await startScriptedServer({ [LOGIN]: loginOk('tok-new'), [CONNECTIONS]: connectionsOk() });
    const now = 1_800_000_000_000;
    for (const expiresAt of [now + 59_000, now - 86_400_000]) {
      server.requests.length = 0;
      const session = persisted(server.url, { expiresAt });
      const { client } = clientFor(server, { session, now: () => now });
      await client.connections();
      await client.connections();
      expect(server.requests.map((r) => r.route)).toEqual([CONNECTIONS, CONNECTIONS]);
      expect(server.requests[1]!.headers.authorization).toBe('Bearer tok-saved');
      expect(client.stats.logins).toBe(0);
    }
  });

  it.each([
    ['401', { status: 401, json: { message: 'invalid or expired jwt' } }],
    ['MissingCachedUser', { status: 200, json: { message: 'MissingCachedUser' } }],
  ])('%s → exactly one re-login and one retry', async (_name, refusal) => {
    let logins = 0;
    server = await startScriptedServer({
      [LOGIN]: () => loginOk(`tok-${++logins}`),
      [CONNECTIONS]: [refusal, connectionsOk()],
    });
    const { client, sessions } = clientFor(server, { session: persisted(server.url) });
    await client.connections();
    expect(server.requests.map((r) => [r.route, r.headers.authorization ?? null])).toEqual([
      [CONNECTIONS, 'Bearer tok-saved'],
      [LOGIN, null],
      [CONNECTIONS, 'Bearer tok-1'],
    ]);
    expect(sessions.map((s) => s?.token ?? null)).toEqual([null, 'tok-1']);
  });

  it.each([
    ['unauthorized', { status: 401, json: { message: 'invalid or expired jwt' } }],
    ['missing_cached_user', { status: 200, json: { message: 'MissingCachedUser' } }],
  ])('a second refusal surfaces as %s (no loop)', async (kind, refusal) => {
    server = await startScriptedServer({ [LOGIN]: loginOk('tok-1'), [CONNECTIONS]: refusal });
    const { client } = clientFor(server, { session: persisted(server.url) });
    const err = await rejectsLlu(client.connections());
    expect(err.kind).toBe(kind);
    expect(server.requestsTo(LOGIN)).toHaveLength(1);
    expect(server.requestsTo(CONNECTIONS)).toHaveLength(2);
  });

  it('adopts a valid refreshed ticket and ignores unusable ones', async () => {
    server = await startScriptedServer({
      [LOGIN]: loginOk('tok-1'),
      [CONNECTIONS]: [
        connectionsOk({ token: 'tok-refreshed', expires: EXPIRES + 1 }),
        connectionsOk({ token: '', expires: EXPIRES + 2 }),
        connectionsOk({ token: 'tok-bad\r\nX-Injected: 1', expires: EXPIRES + 3 }),
      ],
      [GRAPH]: graphOk(),
    });
    const { client, sessions } = clientFor(server);
    await client.connections();
    expect(client.session).toMatchObject({ token: 'tok-refreshed', expiresAt: (EXPIRES + 1) * 1000 });
    expect(sessions.map((s) => s?.token)).toEqual(['tok-1', 'tok-refreshed']);
    await client.connections();
    await client.connections();
    expect(client.session?.token).toBe('tok-refreshed');
    expect(sessions).toHaveLength(2);
    await client.graph('p-1');
    expect(server.requestsTo(GRAPH)[0]!.headers.authorization).toBe('Bearer tok-refreshed');
  });

  it('concurrent calls share one login', async () => {
    server = await startScriptedServer({
      [LOGIN]: loginOk('tok-1'),
      [CONNECTIONS]: connectionsOk(),
      [GRAPH]: graphOk(),
    });
    const { client } = clientFor(server);
    await Promise.all([client.connections(), client.graph('p-1'), client.connections()]);
    expect(server.requestsTo(LOGIN)).toHaveLength(1);
  });
});

describe('LluClient graph and logbook', () => {
  it('graph readings oldest first; path carries the encoded patientId', async () => {
    server = await startScriptedServer({ [LOGIN]: loginOk('tok-1'), [GRAPH]: graphOk('p/1') });
    const { client } = clientFor(server);
    const g = await client.graph('p/1');
    expect(g.readings.map((r) => r.mgdl)).toEqual([115, 118]);
    expect(g.readings.every((r) => r.trend === null && r.type === 0)).toBe(true);
    expect(server.requests[1]!.path).toBe('/llu/connections/p%2F1/graph');
  });

  it('status 4 couldNotLoadPatient → patient_not_found on graph and logbook', async () => {
    const notFound = { json: { status: 4, error: { message: 'couldNotLoadPatient' } } };
    server = await startScriptedServer({ [LOGIN]: loginOk('tok-1'), [GRAPH]: notFound, [LOGBOOK]: notFound });
    const { client } = clientFor(server);
    expect((await rejectsLlu(client.graph('x'))).kind).toBe('patient_not_found');
    expect((await rejectsLlu(client.logbook('x'))).kind).toBe('patient_not_found');
  });

  it('logbook parses with the same auth headers', async () => {
    server = await startScriptedServer({
      [LOGIN]: loginOk('tok-1'),
      [LOGBOOK]: {
        json: {
          status: 0,
          data: [
            { FactoryTimestamp: '11/25/2026 4:00:00 AM', type: 2, alarmType: 1 },
            {
              FactoryTimestamp: '11/25/2026 4:01:00 AM',
              ValueInMgPerDl: 65,
              Value: 3.6,
              GlucoseUnits: 0,
              type: 3,
            },
          ],
        },
      },
    });
    const { client } = clientFor(server);
    const rs = await client.logbook('p-1');
    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatchObject({ mgdl: 65, value: 3.6, unit: 'mmol/L', type: 3, trend: null });
    expect(server.requests[1]!.headers['account-id']).toBe(sha256(USER_ID));
  });
});
