// Every recorded body must go through the code that will meet it upstream.

import { describe, expect, it } from 'vitest';
import { classifyAnswer } from '../../src/librelinkup/classify.js';
import { interpretLogin } from '../../src/librelinkup/login-response.js';
import { parseConnections, parseGraph, parseLogbook } from '../../src/librelinkup/parse.js';
import { catchLlu } from './helpers/errors.js';
import { fixture, fixtureNames, fixtureText } from './helpers/fixtures.js';

function answer(text: string) {
  return {
    status: 200,
    contentType: 'application/json',
    text,
    retryAfter: null,
    endpoint: 'x',
    host: 'h',
    now: 0,
  };
}

describe('recorded fixtures', () => {
  it('knows every fixture file (a new one needs a test here)', () => {
    expect(fixtureNames()).toEqual([
      'dump-connections.json',
      'dump-graph.json',
      'dump-login.json',
      'libreview-unofficial-config-country.json',
      'libreview-unofficial-logbook-alarms.json',
      'libreview-unofficial-login-step-tou.json',
      'nightscout-librelink-up-login-bad-credentials.json',
      'nightscout-librelink-up-login-success.json',
      'pylibrelinkup-graph-patient-not-found.json',
      'pylibrelinkup-logbook-mmol.json',
      'pylibrelinkup-login-redirect.json',
      'pylibrelinkup-login-step-pp.json',
      'pylibrelinkup-login-step-verify-email.json',
      'pylibrelinkup-login-success-mmol.json',
    ]);
  });

  it('every fixture passes the HTTP classifier as usable JSON', () => {
    for (const name of fixtureNames()) {
      expect(classifyAnswer(answer(fixtureText(name)))).toEqual(fixture(name));
    }
  });

  it('login success (mg/dL, invitations null, realWorldEvidence consent)', () => {
    const out = interpretLogin(fixture('nightscout-librelink-up-login-success.json'));
    expect(out).toEqual({
      kind: 'success',
      token: expect.stringMatching(/^eyJ/),
      expiresAt: 1687970889000,
      userId: '7ad66b40-ba9b-401e-9845-4f49f998cf16',
      userUnit: 'mg/dL',
    });
  });

  it('login success (mmol/L)', () => {
    expect(interpretLogin(fixture('pylibrelinkup-login-success-mmol.json'))).toEqual({
      kind: 'success',
      token: 'parp',
      expiresAt: 1746127527000,
      userId: 'xx',
      userUnit: 'mmol/L',
    });
  });

  it('login success from the 2022 HTTP dump', () => {
    const out = interpretLogin(fixture('dump-login.json'));
    expect(out.kind).toBe('success');
    expect(out).toMatchObject({ userId: 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', expiresAt: 1668692358000 });
  });

  it('login redirect', () => {
    expect(interpretLogin(fixture('pylibrelinkup-login-redirect.json'))).toEqual({
      kind: 'redirect',
      region: 'eu2',
    });
  });

  it.each([
    ['libreview-unofficial-login-step-tou.json', 'tou', 1686818182000],
    ['pylibrelinkup-login-step-pp.json', 'pp', 1730567336000],
    ['pylibrelinkup-login-step-verify-email.json', 'verifyEmail', 1730651432000],
  ])('login step %s', (name, step, expiresAt) => {
    expect(interpretLogin(fixture(name))).toMatchObject({ kind: 'step', step, expiresAt });
  });

  it('bad credentials → bad_credentials mentioning LibreLinkUp, not LibreLink', () => {
    const err = catchLlu(() => interpretLogin(fixture('nightscout-librelink-up-login-bad-credentials.json')));
    expect(err.kind).toBe('bad_credentials');
    expect(err.message).toMatch(/LibreLinkUp \(follower\)/);
  });

  it('graph patient not found is a status-4 envelope (graph parser refuses it as data)', () => {
    const body = fixture('pylibrelinkup-graph-patient-not-found.json');
    expect(body).toMatchObject({ status: 4, error: { message: 'couldNotLoadPatient' } });
    expect(catchLlu(() => parseGraph(body)).kind).toBe('malformed');
  });

  it('connections from the HTTP dump', () => {
    const [c] = parseConnections(fixture('dump-connections.json'));
    expect(c).toEqual({
      patientId: 'xxxxxxx',
      connectionId: 'xxxxx',
      firstName: 'John',
      lastName: 'Doe',
      unit: 'mg/dL',
      targetLowMgdl: 70,
      targetHighMgdl: 130,
      sensor: { serial: 'xxxxx', activatedAt: 1652400270000, warmupMinutes: 60, productType: 4 },
      latest: {
        timestamp: Date.UTC(2022, 4, 21, 13, 38, 50),
        mgdl: 91,
        value: 91,
        unit: 'mg/dL',
        trend: 'stable',
        isHigh: false,
        isLow: false,
        measurementColor: 1,
        type: 1,
      },
      alarms: { highMgdl: 130, lowMgdl: 70, urgentLowMgdl: 60 },
      deviceTypeId: 40068,
    });
  });

  it('graph from the HTTP dump: oldest first, trend null, three active sensors', () => {
    const g = parseGraph(fixture('dump-graph.json'));
    expect(g.connection.patientId).toBe('xxxxxxx');
    expect(g.activeSensors.map((s) => s.activatedAt)).toEqual([1652400270000, 1652399154000, 1652391830000]);
    expect(g.readings).toHaveLength(8);
    expect(g.readings[0]).toEqual({
      timestamp: Date.UTC(2022, 4, 21, 1, 39, 50),
      mgdl: 117,
      value: 117,
      unit: 'mg/dL',
      trend: null,
      isHigh: false,
      isLow: false,
      measurementColor: 1,
      type: 0,
    });
    const times = g.readings.map((r) => r.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('logbook mmol/L: Value matches mgdl/18 to 0.1, oldest first', () => {
    const rs = parseLogbook(fixture('pylibrelinkup-logbook-mmol.json'));
    expect(rs.map((r) => [r.mgdl, r.value, r.unit])).toEqual([
      [159, 8.8, 'mmol/L'],
      [181, 10.1, 'mmol/L'],
      [197, 10.9, 'mmol/L'],
    ]);
    for (const r of rs) expect(Math.abs(r.value - r.mgdl / 18)).toBeLessThanOrEqual(0.1);
    expect(rs[2]?.trend).toBe('stable');
    expect(rs[0]?.timestamp).toBe(Date.UTC(2024, 10, 9, 15, 19, 0));
  });

  it('logbook with alarm entries (type 3, mmol/L)', () => {
    const rs = parseLogbook(fixture('libreview-unofficial-logbook-alarms.json'));
    expect(rs).toHaveLength(70);
    expect(rs.every((r) => r.type === 3 && r.unit === 'mmol/L')).toBe(true);
    for (const r of rs) expect(Math.abs(r.value - r.mgdl / 18)).toBeLessThanOrEqual(0.1);
    const newest = rs[rs.length - 1]!;
    expect(newest).toMatchObject({ mgdl: 252, value: 14, trend: 'rising_quickly', measurementColor: 3 });
    expect(newest.timestamp).toBe(Date.UTC(2023, 5, 19, 22, 49, 13));
  });

  it('config-country is plain JSON with the regional map', () => {
    const body = fixture('libreview-unofficial-config-country.json') as {
      data: { regionalMap: Record<string, { lslApi: string }> };
    };
    expect(body.data.regionalMap.eu2?.lslApi).toBe('https://api-eu2.libreview.io/');
  });
});
