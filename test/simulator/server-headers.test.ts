// Request headers on authenticated calls (reference §2): Account-Id = sha256 hex of user.id (400
// RequiredHeaderMissing when missing; wrong → 400 or, configurable, 403), header names in any case,
// `version` below the minimum → 403 {"data":{"minimumVersion"},"status":920}; and every successful
// authenticated answer carries ticket {token, expires (epoch s), duration} (§3 "Token lifetime").

import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../src/simulator/routes.js';
import {
  type Api,
  EU_EMAIL,
  EU_USER_ID,
  fakePerTest,
  HOUR,
  json,
  makeClock,
  PASSWORD,
  rawRequest,
  type Session,
  sha256,
  start,
  T0,
  world,
} from './helpers.js';

let api: Api;
let s: Session;
const running = fakePerTest(async (t) => {
  api = t.api;
  s = await api.session('eu', EU_EMAIL, PASSWORD);
});

const PATHS = ['/llu/connections', '/llu/connections/p-mg/graph', '/llu/connections/p-mg/logbook'];

describe('Account-Id', () => {
  it('is the sha256 hex of user.id', () => {
    expect(s.accountId).toBe(sha256(EU_USER_ID));
    expect(s.accountId).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(PATHS)('missing or empty → 400 RequiredHeaderMissing on %s', async (path) => {
    for (const accountId of [undefined, '']) {
      const r = await api.call('eu', path, {
        token: s.token,
        ...(accountId === undefined ? {} : { accountId }),
      });
      expect(r.status).toBe(400);
      expect(JSON.parse(r.text)).toEqual({ message: 'RequiredHeaderMissing' });
    }
    expect(api.fake.requests.at(-1)).toMatchObject({ outcome: 'account_id_missing', status: 400 });
  });

  it('wrong (sha256 of something else, or the raw id) → 400 by default', async () => {
    for (const accountId of [sha256(EU_USER_ID.replace(/-/g, '')), EU_USER_ID, sha256('random')]) {
      const r = await api.get({ ...s, accountId }, '/llu/connections');
      expect(r.status).toBe(400);
      expect(JSON.parse(r.text)).toEqual({ message: 'RequiredHeaderMissing' });
    }
    expect(api.fake.requests.at(-1)).toMatchObject({ outcome: 'account_id_wrong', status: 400 });
  });

  it('wrong → 403 with wrongAccountIdStatus 403, while missing stays 400', async () => {
    const a = await start(world(makeClock(), { wrongAccountIdStatus: 403 }), running);
    const s2 = await a.session('eu', EU_EMAIL, PASSWORD);
    const wrong = await a.get({ ...s2, accountId: sha256('random') }, '/llu/connections');
    expect(wrong.status).toBe(403);
    expect(JSON.parse(wrong.text)).toEqual({ message: 'RequiredHeaderMissing' });
    const missing = await a.call('eu', '/llu/connections', { token: s2.token });
    expect(missing.status).toBe(400);
    expect((await a.get(s2, '/llu/connections')).status).toBe(200);
  });

  it('is not needed for login', async () => {
    expect(json(await api.login('eu', EU_EMAIL, PASSWORD)).status).toBe(0);
  });
});

describe('header names are case-insensitive', () => {
  it.each([
    ['Authorization', 'Account-Id', 'Version'],
    ['AUTHORIZATION', 'ACCOUNT-ID', 'VERSION'],
    ['authorization', 'account-id', 'version'],
    ['authorization', 'Account-ID', 'version'],
  ])('%s / %s / %s', async (auth, accountId, version) => {
    const r = await rawRequest(api.url('eu', '/llu/connections'), 'GET', {
      [auth]: `Bearer ${s.token}`,
      [accountId]: s.accountId,
      [version]: '4.16.0',
      Product: 'llu.ios',
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).status).toBe(0);
  });

  it('accepts the Bearer scheme in any case', async () => {
    const r = await api.call('eu', '/llu/connections', {
      accountId: s.accountId,
      headers: { authorization: `bearer ${s.token}` },
    });
    expect(r.status).toBe(200);
  });
});

describe('version gate', () => {
  it.each(PATHS)('a version below 4.16.0 → 403 status 920 with minimumVersion on %s', async (path) => {
    for (const version of ['4.15.9', '4.12.0', '4.7']) {
      const r = await api.get(s, path, { version });
      expect(r.status).toBe(403);
      expect(JSON.parse(r.text)).toEqual({ status: 920, data: { minimumVersion: '4.16.0' } });
    }
  });

  it('a missing version header counts as too old', async () => {
    expect((await api.get(s, '/llu/connections', { version: null })).status).toBe(403);
  });

  it.each(['4.16.0', '4.16', '4.17.0', '4.100.1', '5.0.0.1077'])('accepts %s', async (version) => {
    expect((await api.get(s, '/llu/connections', { version })).status).toBe(200);
  });

  it('follows minimumVersion; login still works with the old version', async () => {
    const a = await start(world(makeClock(), { minimumVersion: '4.17.0' }), running);
    const login = await a.login('eu', EU_EMAIL, PASSWORD, { version: '4.16.0' });
    expect(json(login).status).toBe(0);
    const s2 = await a.session('eu', EU_EMAIL, PASSWORD);
    const r = await a.get(s2, '/llu/connections', { version: '4.16.0' });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text)).toEqual({ status: 920, data: { minimumVersion: '4.17.0' } });
    expect(a.fake.requests.at(-1)).toMatchObject({ outcome: 'version', status: 403 });
    expect((await a.get(s2, '/llu/connections', { version: '4.17.0' })).status).toBe(200);
  });

  it('compareVersions compares numerically, missing parts as 0', () => {
    expect(compareVersions('4.16.0', '4.16.0')).toBe(0);
    expect(compareVersions('4.16', '4.16.0')).toBe(0);
    expect(compareVersions('4.9.0', '4.16.0')).toBe(-1);
    expect(compareVersions('4.100.0', '4.16.0')).toBe(1);
    expect(compareVersions('5', '4.99.99')).toBe(1);
  });
});

describe('ticket', () => {
  it.each(PATHS)('%s answers ticket {token, expires (epoch s), duration}', async (path) => {
    const r = await api.get(s, path);
    expect(r.status).toBe(200);
    const body = json(r);
    expect(body.status).toBe(0);
    expect(body.ticket).toEqual({
      token: s.token,
      expires: Math.floor((T0 + 180 * 24 * HOUR) / 1000),
      duration: 15_552_000_000,
    });
  });

  it('reflects tokenLifetimeMs', async () => {
    const a = await start(world(makeClock(), { tokenLifetimeMs: 2 * HOUR }), running);
    const s2 = await a.session('eu', EU_EMAIL, PASSWORD);
    expect(json(await a.get(s2, '/llu/connections')).ticket).toEqual({
      token: s2.token,
      expires: (T0 + 2 * HOUR) / 1000,
      duration: 2 * HOUR,
    });
  });
});
