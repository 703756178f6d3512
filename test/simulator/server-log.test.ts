// The fake's request log (types.ts SimRequestLogEntry): one entry per request with the path without
// the region prefix, the region addressed, endpoint, account e-mail, status, outcome and the request
// headers with lower-cased names. Tests compare the bridge's behaviour against it.

import { describe, expect, it } from 'vitest';
import {
  type Api,
  type Clock,
  EU_EMAIL,
  fakePerTest,
  MIN,
  PASSWORD,
  rawRequest,
  T0,
  US_EMAIL,
} from './helpers.js';

let clock: Clock;
let api: Api;
fakePerTest((t) => {
  ({ clock, api } = t);
});

describe('request log', () => {
  it('records endpoint, region, email, status and outcome of a whole session', async () => {
    await api.login(null, EU_EMAIL, PASSWORD);
    clock.advance(MIN);
    const s = await api.session('eu', EU_EMAIL, PASSWORD);
    await api.get(s, '/llu/connections');
    await api.get(s, '/llu/connections/p-mg/graph');
    await api.get(s, '/llu/connections/p-mg/logbook?x=1');
    await api.login(null, US_EMAIL, 'wrong');
    const rows = api.fake.requests.map((r) => [
      r.method,
      r.path,
      r.region,
      r.endpoint,
      r.email,
      r.status,
      r.outcome,
    ]);
    expect(rows).toEqual([
      ['POST', '/llu/auth/login', null, 'login', EU_EMAIL, 200, 'redirect'],
      ['POST', '/llu/auth/login', 'eu', 'login', EU_EMAIL, 200, 'ok'],
      ['GET', '/llu/connections', 'eu', 'connections', EU_EMAIL, 200, 'ok'],
      ['GET', '/llu/connections/p-mg/graph', 'eu', 'graph', EU_EMAIL, 200, 'ok'],
      ['GET', '/llu/connections/p-mg/logbook', 'eu', 'logbook', EU_EMAIL, 200, 'ok'],
      ['POST', '/llu/auth/login', null, 'login', US_EMAIL, 200, 'bad_credentials'],
    ]);
    expect(api.fake.requests[0]!.at).toBe(T0);
    expect(api.fake.requests[1]!.at).toBe(T0 + MIN);
  });

  it('keeps request headers with lower-cased names', async () => {
    const s = await api.session('eu', EU_EMAIL, PASSWORD);
    await rawRequest(api.url('eu', '/llu/connections'), 'GET', {
      Authorization: `Bearer ${s.token}`,
      'Account-Id': s.accountId,
      Version: '4.17.0',
      Product: 'llu.ios',
      'X-Custom-Thing': 'Some Value',
    });
    const e = api.fake.requests.at(-1)!;
    expect(e.headers).toMatchObject({
      authorization: `Bearer ${s.token}`,
      'account-id': s.accountId,
      version: '4.17.0',
      product: 'llu.ios',
      'x-custom-thing': 'Some Value',
    });
    for (const k of Object.keys(e.headers)) expect(k).toBe(k.toLowerCase());
  });

  it('records failures: unauthorized without e-mail, wrong headers with it', async () => {
    const s = await api.session('eu', EU_EMAIL, PASSWORD);
    await api.call('eu', '/llu/connections', { token: 'bogus', accountId: s.accountId });
    expect(api.fake.requests.at(-1)).toMatchObject({ status: 401, outcome: 'unauthorized', email: null });
    await api.call('eu', '/llu/connections', { token: s.token });
    expect(api.fake.requests.at(-1)).toMatchObject({
      status: 400,
      outcome: 'account_id_missing',
      email: EU_EMAIL,
    });
  });

  it('answers unknown paths 404 and logs them as endpoint "other"', async () => {
    const r = await api.call('eu', '/llu/unknown');
    expect(r.status).toBe(404);
    expect(api.fake.requests.at(-1)).toMatchObject({ endpoint: 'other', status: 404, path: '/llu/unknown' });
  });

  it('answers a login body that is not JSON with 400', async () => {
    const r = await rawRequest(
      api.url(null, '/llu/auth/login'),
      'POST',
      { 'content-type': 'application/json' },
      '{',
    );
    expect(r.status).toBe(400);
    expect(api.fake.requests.at(-1)).toMatchObject({ endpoint: 'login', email: null, status: 400 });
  });

  it('clearRequests empties the log', async () => {
    await api.login(null, EU_EMAIL, PASSWORD);
    expect(api.fake.requests).toHaveLength(1);
    api.fake.clearRequests();
    expect(api.fake.requests).toHaveLength(0);
    await api.login(null, EU_EMAIL, PASSWORD);
    expect(api.fake.requests).toHaveLength(1);
  });

  it('exposes apiUrl, regionUrl and port on 127.0.0.1', () => {
    expect(api.fake.apiUrl).toBe(`http://127.0.0.1:${api.fake.port}`);
    expect(api.fake.regionUrl).toBe(`http://127.0.0.1:${api.fake.port}/r/{region}`);
    expect(api.fake.port).toBeGreaterThan(0);
  });
});
