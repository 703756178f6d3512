// Hostile data as the fake serves it: per-patient field overrides and reading offsets on otherwise
// normal answers (combined with other faults), and a Date header that follows the server's clock
// plus a settable offset.
import { describe, expect, it } from 'vitest';
import {
  type Api,
  type Clock,
  type ConnectionJson,
  EU_EMAIL,
  fakePerTest,
  type GraphJson,
  HOUR,
  json,
  MIN,
  PASSWORD,
  parseLlu,
  type Session,
  T0,
} from './helpers.js';

let api: Api;
let clock: Clock;
let s: Session;
fakePerTest(async (t) => {
  api = t.api;
  clock = t.clock;
  s = await api.session('eu', EU_EMAIL, PASSWORD);
});

const connections = async () => json<ConnectionJson[]>(await api.get(s, '/llu/connections')).data!;
const byId = (list: ConnectionJson[], id: string) => list.find((c) => c.patientId === id)!;

describe('hostile fault', () => {
  it('sets any JSON value at a path of one patient only, for `times` answers', async () => {
    api.fake.addFault({
      endpoint: 'connections',
      fault: {
        kind: 'hostile',
        patientId: 'p-mg',
        set: { firstName: null, 'glucoseMeasurement.ValueInMgPerDl': '120', 'sensor.a': 9e9 },
      },
      times: 2,
    });
    for (let i = 0; i < 2; i++) {
      const list = await connections();
      const mg = byId(list, 'p-mg') as unknown as Record<string, Record<string, unknown> | null>;
      expect(mg.firstName).toBeNull();
      expect(mg.glucoseMeasurement!.ValueInMgPerDl).toBe('120');
      expect(mg.sensor!.a).toBe(9e9);
      expect(byId(list, 'p-mmol').firstName).toBe('Max');
    }
    expect(byId(await connections(), 'p-mg').firstName).toBe('Mia');
    expect(api.fake.requests.filter((r) => r.outcome === 'ok+hostile')).toHaveLength(2);
  });

  it('moves the current reading by readingOffsetMs (future and backwards), graph connection included', async () => {
    const normal = parseLlu(byId(await connections(), 'p-mg').glucoseMeasurement!.FactoryTimestamp);
    api.fake.addFault({
      endpoint: 'any',
      fault: { kind: 'hostile', patientId: 'p-mg', readingOffsetMs: 2 * HOUR },
      times: 2,
    });
    expect(parseLlu(byId(await connections(), 'p-mg').glucoseMeasurement!.FactoryTimestamp)).toBe(
      normal + 2 * HOUR,
    );
    const g = json<GraphJson>(await api.get(s, '/llu/connections/p-mg/graph')).data!;
    expect(parseLlu(g.connection.glucoseMeasurement!.FactoryTimestamp)).toBe(normal + 2 * HOUR);
    api.fake.addFault({
      endpoint: 'connections',
      fault: { kind: 'hostile', patientId: 'p-mg', readingOffsetMs: -10 * MIN },
    });
    expect(parseLlu(byId(await connections(), 'p-mg').glucoseMeasurement!.FactoryTimestamp)).toBe(
      normal - 10 * MIN,
    );
  });

  it('spoils one graph point with graphData.<index>.<field>', async () => {
    api.fake.addFault({
      endpoint: 'graph',
      fault: { kind: 'hostile', patientId: 'p-mg', set: { 'graphData.1.ValueInMgPerDl': 'x' } },
    });
    const g = json<GraphJson>(await api.get(s, '/llu/connections/p-mg/graph')).data!;
    const points = g.graphData as unknown as Array<Record<string, unknown>>;
    expect(points[1]!.ValueInMgPerDl).toBe('x');
    expect(typeof points[0]!.ValueInMgPerDl).toBe('number');
  });

  it('combines with another fault of the same request', async () => {
    api.fake.addFault({
      endpoint: 'connections',
      fault: { kind: 'hostile', patientId: 'p-mg', set: { lastName: 7 } },
    });
    api.fake.addFault({ endpoint: 'connections', fault: { kind: 'malformed', variant: 'wrong_types' } });
    const mg = byId(await connections(), 'p-mg') as unknown as Record<string, unknown>;
    expect(mg.lastName).toBe(7);
    expect((mg.glucoseMeasurement as Record<string, unknown>).ValueInMgPerDl).toBe('HIGH');
  });
});

describe('Date header', () => {
  it("follows the server's clock, plus the clock offset", async () => {
    clock.set(T0 + 5 * MIN);
    const at = async () => Date.parse((await api.get(s, '/llu/connections')).headers.get('date') ?? '');
    expect(await at()).toBe(T0 + 5 * MIN);
    api.fake.setClockOffset(3 * HOUR);
    expect(await at()).toBe(T0 + 5 * MIN + 3 * HOUR);
  });
});
