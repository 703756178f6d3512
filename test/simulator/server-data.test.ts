// What the fake serves once logged in (reference §3 endpoints, §4 data dictionary): connections with
// each patient's latest reading in an unstable order, graph {connection, activeSensors, graphData},
// logbook, couldNotLoadPatient, run-time follow/unfollow, sensor changes, pauses and upload lag, and
// readingsOf as the truth behind all of it. Time moves only through the injected clock.

import { describe, expect, it } from 'vitest';
import {
  type Api,
  type Clock,
  type ConnectionJson,
  EU_EMAIL,
  fakePerTest,
  type GlucoseJson,
  json,
  MIN,
  makeClock,
  PASSWORD,
  parseLlu,
  type Session,
  start,
  T0,
  world,
} from './helpers.js';

let clock: Clock;
let api: Api;
let s: Session;
const running = fakePerTest(async (t) => {
  ({ clock, api } = t);
  s = await api.session('eu', EU_EMAIL, PASSWORD);
});

const ids = (cs: ConnectionJson[]) => cs.map((c) => c.patientId);
const byId = (cs: ConnectionJson[], id: string) => cs.find((c) => c.patientId === id)!;

describe('connections', () => {
  it('lists every followed patient with the latest reading, as type 1 with a TrendArrow', async () => {
    const cs = await api.connections(s);
    expect(new Set(ids(cs))).toEqual(new Set(['p-mg', 'p-mmol']));
    const mg = byId(cs, 'p-mg');
    expect(mg).toMatchObject({
      status: 2,
      firstName: 'Mia',
      lastName: 'Gram',
      uom: 1,
      targetLow: 70,
      targetHigh: 180,
    });
    const m = mg.glucoseMeasurement!;
    expect(m.type).toBe(1);
    expect(m.TrendArrow).toEqual(expect.any(Number));
    expect(m).toHaveProperty('TrendMessage', null);
    expect(parseLlu(m.FactoryTimestamp)).toBe(T0);
    expect(parseLlu(m.Timestamp) - parseLlu(m.FactoryTimestamp)).toBe(60 * MIN);
    expect(mg.glucoseItem).toEqual(m);
    expect(m.GlucoseUnits).toBe(1);
    expect(m.Value).toBe(m.ValueInMgPerDl);
  });

  it('rotates the order between calls, always holding every patient once', async () => {
    api.fake.follow(EU_EMAIL, 'p-extra');
    const orders: string[] = [];
    for (let i = 0; i < 3; i++) {
      const order = ids(await api.connections(s));
      expect([...order].sort()).toEqual(['p-extra', 'p-mg', 'p-mmol']);
      orders.push(order.join(','));
    }
    expect(new Set(orders).size).toBe(3);
  });

  it('follows and unfollows at run time', async () => {
    api.fake.follow(EU_EMAIL, 'p-extra');
    expect(new Set(ids(await api.connections(s)))).toEqual(new Set(['p-mg', 'p-mmol', 'p-extra']));
    api.fake.unfollow(EU_EMAIL, 'p-mmol');
    expect(new Set(ids(await api.connections(s)))).toEqual(new Set(['p-mg', 'p-extra']));
    const g = await api.graph(s, 'p-mmol');
    expect(g).toEqual({ status: 4, error: { message: 'couldNotLoadPatient' } });
    api.fake.unfollow(EU_EMAIL, 'p-mg');
    api.fake.unfollow(EU_EMAIL, 'p-extra');
    expect(await api.connections(s)).toEqual([]);
    expect(() => api.fake.follow(EU_EMAIL, 'p-nobody')).toThrow();
  });

  it('serves mmol/L patients with uom 0, GlucoseUnits 0 and Value = mg/dL / 18 to 1 decimal', async () => {
    const c = byId(await api.connections(s), 'p-mmol');
    expect(c.uom).toBe(0);
    const m = c.glucoseMeasurement!;
    expect(m.GlucoseUnits).toBe(0);
    expect(Number.isInteger(m.ValueInMgPerDl)).toBe(true);
    expect(Math.abs(m.Value - m.ValueInMgPerDl / 18)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Number.isInteger(Math.round(m.Value * 10 * 1e6) / 1e6)).toBe(true);
  });

  it('setSensor(null) → sensor null and activeSensors []; a new sensor shows up in both', async () => {
    const before = await api.graph(s, 'p-mg');
    expect(before.data!.connection.sensor).toMatchObject({ pt: 4, w: 60, deviceId: '' });
    expect(before.data!.activeSensors).toHaveLength(1);

    api.fake.setSensor('p-mg', null);
    expect(byId(await api.connections(s), 'p-mg').sensor).toBeNull();
    const none = await api.graph(s, 'p-mg');
    expect(none.data!.connection.sensor).toBeNull();
    expect(none.data!.activeSensors).toEqual([]);
    // the last reading is still served without a sensor
    expect(none.data!.connection.glucoseMeasurement).not.toBeNull();

    api.fake.setSensor('p-mg', {
      serial: '3MH0NEW001',
      activatedAt: T0 - 2 * 60 * MIN + 500,
      productType: 4,
    });
    const c = byId(await api.connections(s), 'p-mg');
    expect(c.sensor).toMatchObject({ sn: '3MH0NEW001', a: (T0 - 2 * 60 * MIN) / 1000, pt: 4 });
    const g = await api.graph(s, 'p-mg');
    expect(g.data!.activeSensors[0]!.sensor).toMatchObject({ sn: '3MH0NEW001' });
  });

  it('has glucoseMeasurement null for a patient without any reading yet', async () => {
    const c = makeClock();
    const base = world(c);
    base.patients[0] = { ...base.patients[0]!, firstReadingAt: T0 + 10 * MIN };
    const a = await start(base, running);
    const s2 = await a.session('eu', EU_EMAIL, PASSWORD);
    const mg = byId(await a.connections(s2), 'p-mg');
    expect(mg.glucoseMeasurement).toBeNull();
    expect((await a.graph(s2, 'p-mg')).data!.graphData).toEqual([]);
  });
});

describe('graph and logbook', () => {
  it('answers {connection, activeSensors, graphData}; graph points are type 0 without TrendArrow', async () => {
    const g = await api.graph(s, 'p-mg');
    expect(g.status).toBe(0);
    expect(Object.keys(g.data!).sort()).toEqual(['activeSensors', 'connection', 'graphData']);
    expect(g.data!.connection.patientId).toBe('p-mg');
    const points = g.data!.graphData;
    expect(points.length).toBeGreaterThan(100);
    for (const p of points) {
      expect(p.type).toBe(0);
      expect(p).not.toHaveProperty('TrendArrow');
      expect(p).not.toHaveProperty('TrendMessage');
    }
    const times = points.map((p) => parseLlu(p.FactoryTimestamp));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(5 * MIN);
    const current = parseLlu(g.data!.connection.glucoseMeasurement!.FactoryTimestamp);
    expect(current - times.at(-1)!).toBeGreaterThanOrEqual(15 * MIN);
    expect(current - times.at(-1)!).toBeLessThan(20 * MIN);
  });

  it('answers status 4 couldNotLoadPatient (HTTP 200) for a patient not followed or unknown', async () => {
    for (const id of ['p-extra', 'p-nobody']) {
      for (const kind of ['graph', 'logbook']) {
        const r = await api.get(s, `/llu/connections/${id}/${kind}`);
        expect(r.status).toBe(200);
        expect(JSON.parse(r.text)).toEqual({ status: 4, error: { message: 'couldNotLoadPatient' } });
      }
    }
    expect(api.fake.requests.at(-1)).toMatchObject({ endpoint: 'logbook', outcome: 'patient_not_found' });
  });

  it('answers the logbook newest first, type 3 with alarmType', async () => {
    const c = makeClock();
    const base = world(c);
    // low for readings 10..19 and high for 30..39 of every 50 minutes
    const curve = (t: number) => {
      const i = Math.round(t / MIN) % 50;
      return i >= 10 && i < 20 ? 60 : i >= 30 && i < 40 ? 300 : 120;
    };
    base.patients[0] = { ...base.patients[0]!, curve };
    const a = await start(base, running);
    const s2 = await a.session('eu', EU_EMAIL, PASSWORD);
    const book = json<GlucoseJson[]>(await a.get(s2, '/llu/connections/p-mg/logbook')).data!;
    expect(book.length).toBeGreaterThan(10);
    const times = book.map((e) => parseLlu(e.FactoryTimestamp));
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeLessThan(times[i - 1]!);
    for (const e of book) {
      expect(e.type).toBe(3);
      expect(e.alarmType).toBe(e.ValueInMgPerDl < 70 ? 1 : 2);
      expect(e.TrendArrow).toEqual(expect.any(Number));
      expect(e.MeasurementColor).toBe(e.alarmType === 1 ? 4 : 3);
    }
    expect(new Set(book.map((e) => e.alarmType))).toEqual(new Set([1, 2]));
  });
});

describe('readings over time', () => {
  const latestOf = async (id: string) => byId(await api.connections(s), id).glucoseMeasurement!;

  it('readingsOf matches what connections return as latest, as the clock moves', async () => {
    for (let step = 0; step < 4; step++) {
      for (const id of ['p-mg', 'p-mmol']) {
        const m = await latestOf(id);
        const truth = api.fake.readingsOf(id).at(-1)!;
        expect(parseLlu(m.FactoryTimestamp)).toBe(truth.timestamp);
        expect(m.ValueInMgPerDl).toBe(truth.mgdl);
        expect(m.TrendArrow).toBe(truth.trendArrow);
        expect(truth.availableAt).toBeLessThanOrEqual(clock.now());
      }
      clock.advance(MIN + 17_000);
    }
    const all = api.fake.readingsOf('p-mg');
    expect(all[0]!.timestamp).toBe(T0 - 24 * 60 * MIN);
    expect(api.fake.readingsOf('p-mg', T0 - MIN).at(-1)!.timestamp).toBe(T0 - MIN);
  });

  it('pause/resume: no readings in between, connections keep the last known reading', async () => {
    clock.advance(30_000);
    api.fake.pauseReadings('p-mg');
    clock.advance(20 * MIN);
    const during = await latestOf('p-mg');
    expect(parseLlu(during.FactoryTimestamp)).toBe(T0);
    expect(api.fake.readingsOf('p-mg').at(-1)!.timestamp).toBe(T0);
    // the other patient goes on
    expect(parseLlu((await latestOf('p-mmol')).FactoryTimestamp)).toBe(T0 + 20 * MIN);

    api.fake.resumeReadings('p-mg');
    clock.advance(5 * MIN);
    const after = await latestOf('p-mg');
    expect(parseLlu(after.FactoryTimestamp)).toBe(T0 + 25 * MIN);
    const times = api.fake.readingsOf('p-mg').map((r) => r.timestamp);
    expect(times.filter((t) => t > T0 && t <= T0 + 20 * MIN)).toEqual([]);
    expect(times.filter((t) => t > T0)).toEqual([21, 22, 23, 24, 25].map((m) => T0 + m * MIN));
  });

  it('upload lag hides readings until FactoryTimestamp + lag', async () => {
    const c = makeClock();
    const base = world(c);
    base.patients[0] = { ...base.patients[0]!, uploadLagMs: 90_000 };
    const a = await start(base, running);
    const s2 = await a.session('eu', EU_EMAIL, PASSWORD);
    const latest = async () =>
      parseLlu(byId(await a.connections(s2), 'p-mg').glucoseMeasurement!.FactoryTimestamp);
    expect(await latest()).toBe(T0 - 2 * MIN);
    c.advance(30_000);
    expect(await latest()).toBe(T0 - MIN);
    const truth = a.fake.readingsOf('p-mg').at(-1)!;
    expect(truth).toMatchObject({ timestamp: T0 - MIN, availableAt: T0 + 30_000 });
  });
});
