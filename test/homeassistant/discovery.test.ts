import { describe, expect, it } from 'vitest';
import type { PatientSnapshot } from '../../src/bridge/events.js';
import { EMPTY_STATS } from '../../src/bridge/patient.js';
import {
  accountDiscovery,
  BRIDGE_ID,
  bridgeDiscovery,
  patientDiscovery,
  stableJson,
} from '../../src/homeassistant/discovery.js';
import { PATIENT_ENTITIES } from '../../src/homeassistant/entities.js';
import { statePayload } from '../../src/homeassistant/payloads.js';
import { Topics } from '../../src/mqtt/topics.js';
import { reading, T0 } from '../bridge/fixtures.js';
import { checkDiscovery } from './ha-checklist.js';

const GLUCOSE = PATIENT_ENTITIES.find((row) => row.key === 'glucose')!;

const ctx = {
  topics: new Topics('librelinkup2mqtt', 'homeassistant'),
  version: '1.2.3',
  supportUrl: 'https://example.org/x',
};

function snapshot(unit: 'mg/dL' | 'mmol/L', extra: Partial<PatientSnapshot> = {}): PatientSnapshot {
  return {
    accountKey: 'acct_12345678',
    patientId: unit === 'mg/dL' ? 'pid-mg' : 'pid-mmol',
    slug: unit === 'mg/dL' ? 'anna' : 'ben',
    name: unit === 'mg/dL' ? 'Anna' : 'Ben',
    unit,
    thresholds: { targetLowMgdl: 70, targetHighMgdl: 180, urgentLowMgdl: 54 },
    sensor: { serial: 'SN1', activatedAt: T0, warmupMinutes: 60, productType: 4 },
    deviceTypeId: 40068,
    latest: reading(T0, 112, { trend: null }),
    stale: false,
    high: false,
    low: false,
    range: 'in_range',
    stats: EMPTY_STATS,
    ...extra,
  };
}

describe('Home Assistant discovery', () => {
  const account = {
    key: 'acct_12345678',
    label: 'fo***@example.com',
    ok: false,
    errorKind: 'bad_credentials' as const,
    message: 'Wrong e-mail or password',
    lastSuccessAt: null,
    lastErrorAt: T0,
    nextPollAt: null,
    blockedUntil: null,
    requests: 1,
    logins: 0,
  };
  const all = [
    ...PATIENT_ENTITIES.map((row) => patientDiscovery(row, snapshot('mg/dL'), ctx)),
    ...PATIENT_ENTITIES.map((row) => patientDiscovery(row, snapshot('mmol/L'), ctx)),
    ...bridgeDiscovery(ctx),
    ...accountDiscovery(account, ctx),
  ];

  it('passes every rule Home Assistant applies, for every entity of both units and the bridge', () => {
    for (const m of all) expect(checkDiscovery('homeassistant', m.topic, m.payload), m.topic).toEqual([]);
  });

  it('uses unique ids exactly as promised and never repeats one', () => {
    const ids = all.map((m) => m.payload.unique_id as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('librelinkup2mqtt_pid-mg_glucose');
    expect(ids).toContain('librelinkup2mqtt_pid-mmol_trend');
    expect(ids).toContain('librelinkup2mqtt_acct_12345678_problem');
  });

  it('publishes the glucose unit exactly as the patient uses it, with matching precision', () => {
    const mg = patientDiscovery(GLUCOSE, snapshot('mg/dL'), ctx).payload;
    const mmol = patientDiscovery(GLUCOSE, snapshot('mmol/L'), ctx).payload;
    expect([mg.unit_of_measurement, mg.suggested_display_precision]).toEqual(['mg/dL', 0]);
    expect([mmol.unit_of_measurement, mmol.suggested_display_precision]).toEqual(['mmol/L', 1]);
  });

  it('links every patient device to the bridge device', () => {
    const vias = all.map((m) => (m.payload.device as { via_device?: string }).via_device).filter(Boolean);
    expect(new Set(vias)).toEqual(new Set([BRIDGE_ID]));
  });

  it('makes fresh-only entities follow the patient availability, and keeps the timestamp available', () => {
    const byKey = new Map(
      PATIENT_ENTITIES.map((row) => [row.key, patientDiscovery(row, snapshot('mg/dL'), ctx).payload]),
    );
    const topics = (k: string) =>
      (byKey.get(k)!.availability as Array<{ topic: string }>).map((a) => a.topic);
    for (const k of ['glucose', 'trend', 'high', 'low']) {
      expect(topics(k)).toEqual(['librelinkup2mqtt/bridge/state', 'librelinkup2mqtt/anna/availability']);
    }
    expect(topics('timestamp')).toEqual(['librelinkup2mqtt/bridge/state']);
  });

  it('serialises configs with stable key order', () => {
    expect(stableJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });
});

describe('state payload', () => {
  it('carries both units, raw flags, target flags and a UTC timestamp', () => {
    const s = statePayload(
      snapshot('mmol/L', { latest: reading(T0, 112, { isHigh: false, trend: 'rising' }) }),
    )!;
    expect(s).toMatchObject({
      glucose_mgdl: 112,
      glucose: 6.2,
      unit: 'mmol/L',
      trend: 'rising',
      is_high: false,
      is_low: false,
      high: false,
      low: false,
      timestamp: new Date(T0).toISOString(),
    });
    expect(JSON.stringify(s)).not.toMatch(/NaN|undefined/);
  });

  it('publishes no state without a reading, and a null trend as null (HA shows unknown)', () => {
    expect(statePayload(snapshot('mg/dL', { latest: null }))).toBeNull();
    expect(statePayload(snapshot('mg/dL'))!.trend).toBeNull();
  });
});
