// The client against the independent fake LibreLinkUp (src/simulator): the happy path through a
// region redirect, and every scripted fault ending as the right LluError kind.
// The simulator is written in parallel: until src/simulator/server.ts exists this file is skipped
// (loaded by a computed specifier so the type check does not depend on it either).

import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LluClient, type LluClientOptions } from '../../src/librelinkup/client.js';
import type { LluErrorKind } from '../../src/librelinkup/errors.js';
import { silentLogger } from '../../src/log.js';
import type { FakeLibreLinkUpServer, SimFault, SimOptions } from '../../src/simulator/types.js';
import { rejectsLlu } from './helpers/errors.js';
import { sha256 } from './helpers/scripted-server.js';

const EMAIL = 'sim-follower@example.com';
const PASSWORD = 'Sim-Password-9!';
const USER_ID = '0b6f3c52-1d2e-4c3b-9a8f-5e4d3c2b1a00';

const SIMULATOR = '../../src/simulator/server.js';
const available = existsSync(new URL('../../src/simulator/server.ts', import.meta.url));

async function startFakeLibreLinkUp(options: SimOptions): Promise<FakeLibreLinkUpServer> {
  const specifier: string = SIMULATOR;
  const mod = (await import(/* @vite-ignore */ specifier)) as {
    startFakeLibreLinkUp: (o: SimOptions) => Promise<FakeLibreLinkUpServer>;
  };
  return mod.startFakeLibreLinkUp(options);
}

let fake: FakeLibreLinkUpServer;
const clients: LluClient[] = [];

function options(extra: Partial<SimOptions> = {}): SimOptions {
  return {
    accounts: [
      { email: EMAIL, password: PASSWORD, userId: USER_ID, region: 'eu2', patients: ['p-anna', 'p-ben'] },
    ],
    patients: [
      { patientId: 'p-anna', firstName: 'Anna', lastName: 'Smith', unit: 'mg/dL' },
      { patientId: 'p-ben', firstName: 'Ben', lastName: 'Smith', unit: 'mmol/L', trendArrow: 0 },
    ],
    ...extra,
  };
}

function client(extra: Partial<LluClientOptions> = {}): LluClient {
  const c = new LluClient({
    email: EMAIL,
    password: PASSWORD,
    region: 'auto',
    apiUrl: fake.apiUrl,
    regionUrl: fake.regionUrl,
    version: '4.16.0',
    acceptTerms: false,
    timeoutMs: 5_000,
    logger: silentLogger(),
    ...extra,
  });
  clients.push(c);
  return c;
}

beforeEach(async () => {
  if (available) fake = await startFakeLibreLinkUp(options());
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  if (available) await fake.close();
});

describe.skipIf(!available)('client vs simulator: happy path', () => {
  it('logs in through the region redirect and reads connections, graph and logbook', async () => {
    const c = client();
    const connections = await c.connections();
    expect(c.session).toMatchObject({ region: 'eu2', accountIdHash: sha256(USER_ID) });
    expect(c.session?.baseUrl).toBe(fake.regionUrl.replace('{region}', 'eu2'));

    const logins = fake.requests.filter((r) => r.endpoint === 'login');
    expect(logins.map((r) => r.region)).toEqual([null, 'eu2']);
    const call = fake.requests.find((r) => r.endpoint === 'connections')!;
    expect(call.region).toBe('eu2');
    expect(call.headers['account-id']).toBe(sha256(USER_ID));

    const byId = new Map(connections.map((x) => [x.patientId, x]));
    expect([...byId.keys()].sort()).toEqual(['p-anna', 'p-ben']);
    const anna = byId.get('p-anna')!;
    const truth = fake.readingsOf('p-anna');
    expect(anna.unit).toBe('mg/dL');
    expect(anna.latest?.timestamp).toBe(truth.at(-1)?.timestamp);
    expect(anna.latest?.mgdl).toBe(truth.at(-1)?.mgdl);
    const ben = byId.get('p-ben')!;
    expect(ben.unit).toBe('mmol/L');
    expect(ben.latest?.unit).toBe('mmol/L');
    expect(ben.latest?.trend).toBeNull();

    const graph = await c.graph('p-anna');
    const times = graph.readings.map((r) => r.timestamp);
    expect(times.length).toBeGreaterThan(10);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const r of graph.readings) expect(Number.isFinite(r.mgdl)).toBe(true);

    const logbook = await c.logbook('p-anna');
    for (const r of logbook) expect(Number.isFinite(r.mgdl)).toBe(true);
  });

  it('revoked tokens → one re-login, straight to the known regional host, then data', async () => {
    const c = client();
    await c.connections();
    const logins = () => fake.requests.filter((r) => r.endpoint === 'login');
    // The first login pays the redirect: the global host, then the account's region.
    expect(logins().map((r) => r.region)).toEqual([null, 'eu2']);
    fake.revokeTokens(EMAIL);
    await c.connections();
    expect(c.stats.logins).toBe(2);
    expect(logins().map((r) => r.region)).toEqual([null, 'eu2', 'eu2']);
  });

  it('a saved session names the region: a re-login after a restart skips the redirect too', async () => {
    const first = client();
    await first.connections();
    const saved = first.session!;
    fake.revokeTokens(EMAIL);
    const c = client({ session: saved });
    await c.connections();
    const logins = fake.requests.filter((r) => r.endpoint === 'login').map((r) => r.region);
    expect(logins).toEqual([null, 'eu2', 'eu2']);
  });

  it('adopts the fake minimum version from a real 920', async () => {
    const c = client({ version: '4.12.0' });
    await c.connections();
    expect(c.appVersion).toBe('4.16.0');
  });

  it('an unknown patient → patient_not_found', async () => {
    const c = client();
    expect((await rejectsLlu(c.graph('p-nobody'))).kind).toBe('patient_not_found');
  });

  it('wrong password → bad_credentials; repeated failures → locked', async () => {
    const c = client({ password: 'wrong-password-1' });
    expect((await rejectsLlu(c.login())).kind).toBe('bad_credentials');
    let last = await rejectsLlu(c.login());
    for (let i = 0; i < 3 && last.kind !== 'locked'; i++) last = await rejectsLlu(c.login());
    expect(last.kind).toBe('locked');
    expect(last.retryAt).toBeGreaterThan(Date.now());
  });

  it('pending terms: refused without accept_terms, accepted with it', async () => {
    fake.setPendingSteps(EMAIL, ['tou', 'pp']);
    expect(await rejectsLlu(client().login())).toMatchObject({ kind: 'terms', step: 'tou' });
    const c = client({ acceptTerms: true });
    await c.connections();
    expect(c.session?.region).toBe('eu2');
  });

  it('verifyEmail cannot be completed by the bridge', async () => {
    fake.setPendingSteps(EMAIL, ['verifyEmail']);
    expect(await rejectsLlu(client({ acceptTerms: true }).login())).toMatchObject({
      kind: 'terms',
      step: 'verifyEmail',
    });
  });
});

describe.skipIf(!available)('client vs simulator: faults', () => {
  const cases: Array<[string, SimFault, LluErrorKind]> = [
    ['http429', { kind: 'http429', retryAfterSeconds: 90 }, 'rate_limited'],
    ['locked', { kind: 'locked', lockoutSeconds: 300 }, 'locked'],
    ['cloudflare 403', { kind: 'cloudflare', httpStatus: 403 }, 'blocked'],
    ['cloudflare 503', { kind: 'cloudflare', httpStatus: 503 }, 'blocked'],
    [
      'cloudflare 502 bad gateway (Abbott down)',
      { kind: 'server_error', httpStatus: 502, html: 'cloudflare' },
      'server',
    ],
    ['http430', { kind: 'http430' }, 'blocked'],
    ['server_error json', { kind: 'server_error', httpStatus: 500 }, 'server'],
    ['server_error html', { kind: 'server_error', httpStatus: 502, html: true }, 'server'],
    ['maintenance', { kind: 'maintenance' }, 'server'],
    ['malformed not_json', { kind: 'malformed', variant: 'not_json' }, 'malformed'],
    ['malformed empty', { kind: 'malformed', variant: 'empty' }, 'malformed'],
    ['malformed missing_data', { kind: 'malformed', variant: 'missing_data' }, 'malformed'],
    ['malformed truncated', { kind: 'malformed', variant: 'truncated' }, 'malformed'],
    ['version (persistent)', { kind: 'version', minimumVersion: '4.99.0' }, 'version'],
    ['unauthorized (persistent)', { kind: 'unauthorized' }, 'unauthorized'],
    ['missing_cached_user (persistent)', { kind: 'missing_cached_user' }, 'missing_cached_user'],
  ];

  it.each(cases)('connections fault %s → %s', async (_name, fault, kind) => {
    const c = client();
    await c.login();
    fake.addFault({ endpoint: 'connections', fault, times: Number.POSITIVE_INFINITY });
    const err = await rejectsLlu(c.connections());
    expect(err.kind).toBe(kind);
    if (kind === 'rate_limited') expect(err.retryAt).toBeGreaterThan(Date.now() + 60_000);
    if (kind === 'locked') expect(err.retryAt).toBeGreaterThan(Date.now() + 200_000);
  });

  it.each([
    ['wrong_types', 'glucoseMeasurement.ValueInMgPerDl'],
    ['bad_timestamp', 'glucoseMeasurement.FactoryTimestamp'],
  ] as const)(
    'connections fault malformed %s spoils single entries: latest absent, each named',
    async (variant, field) => {
      const c = client();
      await c.login();
      fake.addFault({ endpoint: 'connections', fault: { kind: 'malformed', variant } });
      const answer = await c.connectionsAnswer();
      expect(answer.connections.length).toBeGreaterThan(0);
      for (const conn of answer.connections) expect(conn.latest).toBeNull();
      expect(answer.issues.map((i) => i.field)).toEqual(answer.connections.map(() => field));
      expect(answer.clockFromHeader).toBe(true);
    },
  );

  it.each([
    ['http429', { kind: 'http429' }, 'rate_limited'],
    ['locked', { kind: 'locked' }, 'locked'],
    ['cloudflare', { kind: 'cloudflare' }, 'blocked'],
    ['http430', { kind: 'http430' }, 'blocked'],
    ['maintenance', { kind: 'maintenance' }, 'server'],
  ] as Array<[string, SimFault, LluErrorKind]>)('login fault %s → %s', async (_name, fault, kind) => {
    fake.addFault({ endpoint: 'login', fault });
    expect((await rejectsLlu(client().login())).kind).toBe(kind);
  });

  it('a one-off 920 is adopted and retried; a one-off 401 costs one re-login', async () => {
    const c = client();
    await c.login();
    fake.addFault({ endpoint: 'connections', fault: { kind: 'version', minimumVersion: '4.17.0' } });
    await c.connections();
    expect(c.appVersion).toBe('4.17.0');
    fake.addFault({ endpoint: 'connections', fault: { kind: 'unauthorized' } });
    await c.connections();
    expect(c.stats.logins).toBe(2);
  });

  it('a hanging answer → timeout', async () => {
    const c = client({ timeoutMs: 200 });
    fake.addFault({ endpoint: 'login', fault: { kind: 'hang', ms: Number.POSITIVE_INFINITY } });
    expect((await rejectsLlu(c.login())).kind).toBe('timeout');
  });
});
