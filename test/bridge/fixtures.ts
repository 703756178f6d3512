import type { Connection, Reading } from '../../src/librelinkup/model.js';

export const T0 = Date.UTC(2026, 10, 25, 2, 0, 0);

export function reading(ts: number, mgdl: number, extra: Partial<Reading> = {}): Reading {
  return {
    timestamp: ts,
    mgdl,
    value: mgdl,
    unit: 'mg/dL',
    trend: 'stable',
    isHigh: false,
    isLow: false,
    measurementColor: 1,
    type: 1,
    ...extra,
  };
}

export function connection(extra: Partial<Connection> = {}): Connection {
  return {
    patientId: 'p-1',
    connectionId: 'c-1',
    firstName: 'Anna',
    lastName: 'Smith',
    unit: 'mg/dL',
    targetLowMgdl: 70,
    targetHighMgdl: 180,
    sensor: { serial: 'SN1', activatedAt: T0 - 86_400_000, warmupMinutes: 60, productType: 4 },
    latest: null,
    alarms: { highMgdl: 250, lowMgdl: 70, urgentLowMgdl: 55 },
    deviceTypeId: 40068,
    ...extra,
  };
}
