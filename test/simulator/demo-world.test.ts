// The demo world (`librelinkup2mqtt demo`): one "eu" follower (so login goes through the region
// redirect) following Alex (mg/dL, dips below 54 and rises over 180 every 96 readings) and Sam
// (mmol/L, Libre 3 two days from its 14-day end); between them every trend arrow shows up.

import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_EMAIL,
  DEMO_MGDL_PATIENT,
  DEMO_MMOL_PATIENT,
  DEMO_PASSWORD,
  DEMO_USER_ID,
  demoWorld,
} from '../../src/simulator/demo-world.js';
import { SimPatient } from '../../src/simulator/patient-model.js';
import type { FakeLibreLinkUpServer, SimPatientSpec } from '../../src/simulator/types.js';
import {
  type ConnectionJson,
  DAY,
  json,
  type LoginJson,
  makeClock,
  parseLlu,
  sha256,
  start,
  stopAll,
  T0,
} from './helpers.js';

const running: FakeLibreLinkUpServer[] = [];
afterEach(() => stopAll(running));

function spec(id: string, periodMs?: number): SimPatientSpec {
  const w = demoWorld(T0, periodMs === undefined ? {} : { periodMs });
  return w.patients.find((p) => p.patientId === id)!;
}

/** `count` consecutive readings of a demo patient starting `offset` periods after T0. */
function window(id: string, periodMs: number, offset: number, count: number) {
  const p = new SimPatient(spec(id, periodMs), T0);
  const startK = p.latestIndex(T0 + offset * periodMs + periodMs);
  return Array.from({ length: count }, (_, i) => p.reading(startK + i));
}

describe.each([60_000, 5_000])('demo curves at a %i ms period', (periodMs) => {
  it('Alex (mg/dL) goes below 54 and above 180 within any 96 readings', () => {
    for (const offset of [0, 17, 40, 63, 95, 500]) {
      const rs = window(DEMO_MGDL_PATIENT, periodMs, offset, 96);
      expect(Math.min(...rs.map((r) => r.mgdl))).toBeLessThan(54);
      expect(Math.max(...rs.map((r) => r.mgdl))).toBeGreaterThan(180);
      expect(rs.some((r) => r.measurementColor === 4)).toBe(true);
      expect(rs.some((r) => r.measurementColor >= 2 && r.measurementColor <= 3)).toBe(true);
    }
  });

  it.each([
    [DEMO_MGDL_PATIENT, 96],
    [DEMO_MMOL_PATIENT, 120],
  ])('%s shows every trend arrow 1..5 within 2 cycles (%i readings each)', (id, cycle) => {
    for (const offset of [0, 31, 77, 250]) {
      const arrows = new Set(window(id, periodMs, offset, 2 * cycle).map((r) => r.trendArrow));
      expect([...arrows].sort()).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('uses whole-second reading times periodMs apart', () => {
    for (const id of [DEMO_MGDL_PATIENT, DEMO_MMOL_PATIENT]) {
      const rs = window(id, periodMs, 0, 20);
      for (let i = 1; i < rs.length; i++) expect(rs[i]!.timestamp - rs[i - 1]!.timestamp).toBe(periodMs);
      for (const r of rs) expect(r.timestamp % 1000).toBe(0);
    }
  });
});

describe('demo account and patients on the wire', () => {
  it('needs the region redirect, then serves Alex in mg/dL and Sam in mmol/L', async () => {
    const clock = makeClock();
    const api = await start(demoWorld(T0, { now: clock.now }), running);
    const global = await api.login(null, DEMO_EMAIL, DEMO_PASSWORD);
    expect(JSON.parse(global.text)).toEqual({ status: 0, data: { redirect: true, region: 'eu' } });
    const login = json<LoginJson>(await api.login('eu', DEMO_EMAIL, DEMO_PASSWORD));
    expect(login.status).toBe(0);
    expect(login.data?.user?.id).toBe(DEMO_USER_ID);
    const s = { region: 'eu', token: login.data!.authTicket!.token, accountId: sha256(DEMO_USER_ID) };

    for (let step = 0; step < 6; step++) {
      const cs = await api.connections(s);
      expect(new Set(cs.map((c) => c.patientId))).toEqual(new Set([DEMO_MGDL_PATIENT, DEMO_MMOL_PATIENT]));
      const by = (id: string) => cs.find((c) => c.patientId === id) as ConnectionJson;
      const alex = by(DEMO_MGDL_PATIENT);
      expect(alex.uom).toBe(1);
      expect(alex.glucoseMeasurement).toMatchObject({
        GlucoseUnits: 1,
        Value: alex.glucoseMeasurement!.ValueInMgPerDl,
      });
      const sam = by(DEMO_MMOL_PATIENT);
      expect(sam.uom).toBe(0);
      const m = sam.glucoseMeasurement!;
      expect(m.GlucoseUnits).toBe(0);
      expect(m.Value).toBe(Math.round((m.ValueInMgPerDl / 18) * 10) / 10);
      clock.advance(7 * 60_000);
    }

    const g = await api.graph(s, DEMO_MMOL_PATIENT);
    expect(g.data!.graphData.length).toBeGreaterThan(100);
    for (const p of g.data!.graphData) {
      expect(p.GlucoseUnits).toBe(0);
      expect(p.Value).toBe(Math.round((p.ValueInMgPerDl / 18) * 10) / 10);
    }
  });

  it("Sam's sensor is a Libre 3 two days before its 14-day expiry", async () => {
    const api = await start(demoWorld(T0, { now: () => T0 }), running);
    const login = json<LoginJson>(await api.login('eu', DEMO_EMAIL, DEMO_PASSWORD));
    const s = { region: 'eu', token: login.data!.authTicket!.token, accountId: sha256(DEMO_USER_ID) };
    const sam = (await api.connections(s)).find((c) => c.patientId === DEMO_MMOL_PATIENT)!;
    expect(sam.sensor).toMatchObject({ pt: 4, w: 60 });
    expect(sam.sensor!.sn).toMatch(/^3/);
    const expiry = sam.sensor!.a * 1000 + 14 * DAY;
    expect(expiry - T0).toBe(2 * DAY);
    const g = await api.graph(s, DEMO_MMOL_PATIENT);
    expect(g.data!.activeSensors[0]!.sensor).toMatchObject({ sn: sam.sensor!.sn, pt: 4 });
    expect(parseLlu(sam.glucoseMeasurement!.FactoryTimestamp)).toBeLessThanOrEqual(T0);
  });

  it('keeps the caller clock optional', () => {
    expect(demoWorld(T0).now).toBeUndefined();
    const now = () => T0;
    expect(demoWorld(T0, { now }).now).toBe(now);
    expect(demoWorld(T0).accounts[0]).toMatchObject({ email: DEMO_EMAIL, region: 'eu' });
  });
});
