// Body shapes (bodies.ts) against the reference: field sets of the HTTP dump's connection and glucose
// items, the recorded fixtures' login, step, lockout and error bodies (copied inline from
// ../shared/reference so a test reads the expectation next to the check).

import { describe, expect, it } from 'vitest';
import {
  BAD_CREDENTIALS,
  connection,
  glucoseItem,
  graphData,
  HEADER_MISSING,
  INVALID_JWT,
  lockedBody,
  logbookData,
  loginStep,
  loginSuccess,
  MAINTENANCE,
  PATIENT_NOT_FOUND,
  valueInUnit,
  versionTooOld,
} from '../../src/simulator/bodies.js';
import { SimPatient } from '../../src/simulator/patient-model.js';
import type { SimPatientSpec } from '../../src/simulator/types.js';
import { HOUR, MIN, parseLlu, T0 } from './helpers.js';

const spec = (extra: Partial<SimPatientSpec> = {}): SimPatientSpec => ({
  patientId: 'p-1',
  firstName: 'Pat',
  lastName: 'Ient',
  unit: 'mg/dL',
  ...extra,
});
const ticket = { token: 'tok', expires: 1_700_000_000, duration: 3_600_000 };

// HTTP dump, graphData item / glucoseMeasurement
const GRAPH_KEYS = [
  'FactoryTimestamp',
  'Timestamp',
  'type',
  'ValueInMgPerDl',
  'MeasurementColor',
  'GlucoseUnits',
  'Value',
  'isHigh',
  'isLow',
];
const MEASUREMENT_KEYS = [...GRAPH_KEYS, 'TrendArrow', 'TrendMessage'];

describe('valueInUnit', () => {
  it('keeps mg/dL and converts to mmol/L with one decimal as in the fixtures', () => {
    expect(valueInUnit(91, 'mg/dL')).toBe(91);
    // libreview-unofficial-logbook-alarms.json and pylibrelinkup-logbook-mmol.json
    expect(valueInUnit(252, 'mmol/L')).toBe(14);
    expect(valueInUnit(53, 'mmol/L')).toBe(2.9);
    expect(valueInUnit(197, 'mmol/L')).toBe(10.9);
    expect(valueInUnit(181, 'mmol/L')).toBe(10.1);
    for (let mg = 40; mg <= 400; mg++) {
      const v = valueInUnit(mg, 'mmol/L');
      expect(Math.abs(v - mg / 18)).toBeLessThanOrEqual(0.05 + 1e-9);
      expect(String(v)).toMatch(/^\d+(\.\d)?$/);
    }
  });
});

describe('glucose items', () => {
  const p = new SimPatient(spec({ localOffsetMinutes: 120 }), T0);
  const r = p.latest(T0)!;

  it('graph points (type 0) carry exactly the dump fields, no TrendArrow', () => {
    const item = glucoseItem(p, r, 0);
    expect(Object.keys(item).sort()).toEqual([...GRAPH_KEYS].sort());
    expect(item.type).toBe(0);
  });

  it.each([1, 3] as const)('measurements (type %i) add TrendArrow and TrendMessage null', (type) => {
    const item = glucoseItem(p, r, type);
    expect(Object.keys(item).sort()).toEqual([...MEASUREMENT_KEYS].sort());
    expect(item).toMatchObject({ type, TrendArrow: r.trendArrow, TrendMessage: null });
  });

  it('writes FactoryTimestamp in UTC and Timestamp with the patient offset', () => {
    const item = glucoseItem(p, r, 1);
    expect(parseLlu(item.FactoryTimestamp as string)).toBe(r.timestamp);
    expect(parseLlu(item.Timestamp as string) - r.timestamp).toBe(120 * MIN);
    const dflt = glucoseItem(new SimPatient(spec(), T0), r, 1);
    expect(parseLlu(dflt.Timestamp as string) - r.timestamp).toBe(60 * MIN);
  });

  it('mmol/L patients: GlucoseUnits 0 and Value in mmol/L; ValueInMgPerDl stays mg/dL', () => {
    const m = new SimPatient(spec({ unit: 'mmol/L', curve: () => 144 }), T0);
    const item = glucoseItem(m, m.latest(T0)!, 1);
    expect(item).toMatchObject({ ValueInMgPerDl: 144, GlucoseUnits: 0, Value: 8 });
  });

  it('logbook entries are type 3 with the fixture field set plus alarmType', () => {
    const curve = (t: number) => (Math.round((t - T0) / MIN) % 20 < 10 ? 60 : 120);
    const lb = logbookData(new SimPatient(spec({ curve }), T0), T0);
    expect(lb.length).toBeGreaterThan(0);
    for (const e of lb) {
      expect(Object.keys(e).sort()).toEqual([...MEASUREMENT_KEYS, 'alarmType'].sort());
      expect(e).toMatchObject({ type: 3, alarmType: 1 });
    }
  });
});

describe('connection and graph', () => {
  const p = new SimPatient(spec({ targetLow: 70, targetHigh: 130 }), T0);

  it('has the fields of the dump connection, uom as a number', () => {
    const c = connection(p, T0);
    for (const k of [
      'id',
      'patientId',
      'country',
      'status',
      'firstName',
      'lastName',
      'targetLow',
      'targetHigh',
      'uom',
      'sensor',
      'alarmRules',
      'glucoseMeasurement',
      'glucoseItem',
      'glucoseAlarm',
      'patientDevice',
      'created',
    ]) {
      expect(c).toHaveProperty(k);
    }
    expect(c).toMatchObject({
      patientId: 'p-1',
      status: 2,
      uom: 1,
      targetLow: 70,
      targetHigh: 130,
      glucoseAlarm: null,
    });
    expect(c.sensor).toMatchObject({ deviceId: '', w: 60, pt: 4, a: Math.floor((T0 - 72 * HOUR) / 1000) });
  });

  it('gives the default sensor a 10-character serial for a long patientId', () => {
    const long = new SimPatient(spec({ patientId: 'demo-0000-4000-8000-000000000001' }), T0);
    expect((connection(long, T0).sensor as { sn: string }).sn).toMatch(/^[0-9A-Z]{10}$/);
  });

  // Reference §4 "Sensor": `sn` is the 10-character serial. The default serial is "3MH" + the last 7
  // alphanumerics of patientId, so a short patientId such as "p-1" yields "3MHP1" (5 characters).
  it('gives the default sensor a 10-character serial for a short patientId too', () => {
    expect((connection(p, T0).sensor as { sn: string }).sn).toMatch(/^[0-9A-Z]{10}$/);
  });

  it('has sensor null and activeSensors [] without a sensor', () => {
    const none = new SimPatient(spec({ sensor: null }), T0);
    expect(connection(none, T0).sensor).toBeNull();
    expect(graphData(none, T0).activeSensors).toEqual([]);
  });
});

describe('login bodies', () => {
  it('success: the data keys of the recorded success, user.uom a string', () => {
    const body = loginSuccess(
      { id: 'u-1', email: 'a@b.c', firstName: 'A', lastName: 'B', unit: 'mmol/L' },
      ticket,
      T0,
    );
    const data = body.data as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(
      ['authTicket', 'invitations', 'messages', 'notifications', 'trustedDeviceToken', 'user'].sort(),
    );
    expect(data.authTicket).toEqual(ticket);
    const user = data.user as Record<string, unknown>;
    expect(user).toMatchObject({ id: 'u-1', email: 'a@b.c', uom: '0', accountType: 'pat' });
  });

  it('steps: the shapes of the tou, pp and verifyEmail fixtures', () => {
    expect(loginStep('tou', 'a@b.c', ticket)).toEqual({
      status: 4,
      data: {
        step: {
          type: 'tou',
          componentName: 'AcceptDocument',
          props: { reaccept: true, titleKey: 'Common.termsOfUse', type: 'tou' },
        },
        user: expect.objectContaining({ accountType: 'pat' }),
        authTicket: ticket,
      },
    });
    expect((loginStep('pp', 'a@b.c', ticket).data as { step: unknown }).step).toEqual({
      type: 'pp',
      componentName: 'AcceptDocument',
      props: { reaccept: true, titleKey: 'Common.privacyPolicy', type: 'pp' },
    });
    expect((loginStep('verifyEmail', 'a@b.c', ticket).data as { step: unknown }).step).toEqual({
      type: 'verifyEmail',
      componentName: 'VerifyEmail',
      props: { email: 'a@b.c' },
    });
  });

  it('lockout, errors and gates are the recorded bodies', () => {
    expect(lockedBody(3, 60, 300)).toEqual({
      status: 429,
      data: { code: 60, data: { failures: 3, interval: 60, lockout: 300 }, message: 'locked' },
    });
    expect(BAD_CREDENTIALS).toEqual({ status: 2, error: { message: 'notAuthenticated' } });
    expect(PATIENT_NOT_FOUND).toEqual({ status: 4, error: { message: 'couldNotLoadPatient' } });
    expect(INVALID_JWT).toEqual({ message: 'invalid or expired jwt' });
    expect(HEADER_MISSING).toEqual({ message: 'RequiredHeaderMissing' });
    expect(MAINTENANCE).toEqual({ status: 911 });
    expect(versionTooOld('4.16.0')).toEqual({ data: { minimumVersion: '4.16.0' }, status: 920 });
  });
});
