// `malformed` faults corrupt the normal answer of the endpoint they hit (faults.ts corrupt): not JSON,
// empty, envelope without data, wrong value types, unparseable timestamps, or cut in half.

import { describe, expect, it } from 'vitest';
import type { SimEndpoint, SimFault } from '../../src/simulator/types.js';
import {
  type Api,
  type ConnectionJson,
  EU_EMAIL,
  fakePerTest,
  type GraphJson,
  json,
  PASSWORD,
  parseLlu,
  type Reply,
  type Session,
} from './helpers.js';

let api: Api;
let s: Session;
fakePerTest(async (t) => {
  api = t.api;
  s = await api.session('eu', EU_EMAIL, PASSWORD);
});

type Variant = Extract<SimFault, { kind: 'malformed' }>['variant'];

async function hit(endpoint: SimEndpoint, variant: Variant): Promise<Reply> {
  api.fake.addFault({ endpoint, fault: { kind: 'malformed', variant } });
  const r =
    endpoint === 'login'
      ? await api.login('eu', EU_EMAIL, PASSWORD)
      : endpoint === 'graph' || endpoint === 'logbook'
        ? await api.get(s, `/llu/connections/p-mg/${endpoint}`)
        : await api.get(s, '/llu/connections');
  expect(api.fake.requests.at(-1)).toMatchObject({ endpoint, outcome: `malformed_${variant}` });
  return r;
}

describe.each(['login', 'connections', 'graph'] as const)('malformed answers on %s', (endpoint) => {
  it('not_json: HTTP 200 with a text body', async () => {
    const r = await hit(endpoint, 'not_json');
    expect(r.status).toBe(200);
    expect(r.text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it('empty: HTTP 200 with no body', async () => {
    const r = await hit(endpoint, 'empty');
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
  });

  it('missing_data: {"status":0} only', async () => {
    const r = await hit(endpoint, 'missing_data');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ status: 0 });
  });

  it('truncated: the first half of a valid JSON body', async () => {
    const r = await hit(endpoint, 'truncated');
    expect(r.status).toBe(200);
    expect(r.text.startsWith('{"status":0')).toBe(true);
    expect(() => JSON.parse(r.text)).toThrow();
    const whole = endpoint === 'login' ? await api.login('eu', EU_EMAIL, PASSWORD) : undefined;
    if (whole) expect(r.text.length).toBeLessThan(whole.text.length);
  });
});

describe('wrong_types and bad_timestamp', () => {
  it('connections: ValueInMgPerDl becomes a string in each glucoseMeasurement', async () => {
    const cs = json<ConnectionJson[]>(await hit('connections', 'wrong_types')).data!;
    expect(cs.length).toBe(2);
    for (const c of cs) expect(c.glucoseMeasurement!.ValueInMgPerDl).toBe('HIGH');
  });

  it('graph: every graph point and the current reading get the string value', async () => {
    const g = json<GraphJson>(await hit('graph', 'wrong_types')).data!;
    expect(g.graphData.length).toBeGreaterThan(0);
    for (const p of g.graphData) expect(p.ValueInMgPerDl).toBe('HIGH');
    expect(g.connection.glucoseMeasurement!.ValueInMgPerDl).toBe('HIGH');
  });

  it('connections and graph: FactoryTimestamp is no longer a date', async () => {
    const cs = json<ConnectionJson[]>(await hit('connections', 'bad_timestamp')).data!;
    for (const c of cs) expect(() => parseLlu(c.glucoseMeasurement!.FactoryTimestamp)).toThrow();
    const g = json<GraphJson>(await hit('graph', 'bad_timestamp')).data!;
    for (const p of g.graphData) expect(() => parseLlu(p.FactoryTimestamp)).toThrow();
  });

  it('answers without glucose items get a wrong `data` instead', async () => {
    const login = JSON.parse((await hit('login', 'wrong_types')).text);
    expect(login.data).toBe(42);
    const book = JSON.parse((await hit('logbook', 'wrong_types')).text);
    expect(book).toMatchObject({ status: 0, data: 42 });
  });
});
