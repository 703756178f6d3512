// The world `librelinkup2mqtt demo` shows: one follower account homed in "eu" (so login goes through
// the region redirect) following two people, one in mg/dL and one in mmol/L. Their curves cross low
// and high every hour or two (minutes under `demo --fast`) and their slopes pass through every trend
// arrow.

import type { SimOptions } from './types.js';

export const DEMO_EMAIL = 'demo-follower@example.com';
export const DEMO_PASSWORD = 'demo-password';
export const DEMO_USER_ID = '3f1c9a6e-5b2d-4e8f-9a71-0c2d4e6f8a10';
export const DEMO_MGDL_PATIENT = 'demo-0000-4000-8000-000000000001';
export const DEMO_MMOL_PATIENT = 'demo-0000-4000-8000-000000000002';

export interface DemoWorldOptions {
  /** ms between two readings (the real upstream: 60 000) */
  periodMs?: number;
  now?: () => number;
}

/**
 * Glucose in mg/dL at `t`: a slow sine plus a faster one, so the rate of change (per reading period,
 * which stands for a minute) sweeps from about -4 to +4 and every arrow appears. Alex dips below 54 (urgent low) and rises over
 * 180 (high) every 96 readings (8 minutes under `demo --fast`); Sam ranges ~56..192.
 */
function wave(periodMs: number, base: number, amplitude: number, cycles: number, phase: number) {
  const slow = (2 * Math.PI) / (cycles * periodMs);
  const fast = slow * 3;
  return (t: number) => base + amplitude * Math.sin(t * slow + phase) + (amplitude / 4) * Math.sin(t * fast);
}

export function demoWorld(startedAt: number, options: DemoWorldOptions = {}): SimOptions {
  const periodMs = options.periodMs ?? 60_000;
  return {
    ...(options.now ? { now: options.now } : {}),
    accounts: [
      {
        email: DEMO_EMAIL,
        password: DEMO_PASSWORD,
        userId: DEMO_USER_ID,
        region: 'eu',
        patients: [DEMO_MGDL_PATIENT, DEMO_MMOL_PATIENT],
      },
    ],
    patients: [
      {
        patientId: DEMO_MGDL_PATIENT,
        firstName: 'Alex',
        lastName: 'Demo',
        unit: 'mg/dL',
        targetLow: 70,
        targetHigh: 180,
        periodMs,
        curve: wave(periodMs, 120, 85, 96, 0),
        uploadLagMs: Math.min(5_000, periodMs / 4),
        // A reading a few seconds old at start (not one a period old), and a day of them before it.
        firstReadingAt: startedAt - 24 * 60 * periodMs - Math.floor(periodMs / 6),
      },
      {
        patientId: DEMO_MMOL_PATIENT,
        firstName: 'Sam',
        lastName: 'Demo',
        unit: 'mmol/L',
        targetLow: 72,
        targetHigh: 180,
        periodMs,
        curve: wave(periodMs, 124, 72, 120, 2),
        uploadLagMs: Math.min(5_000, periodMs / 3),
        firstReadingAt: startedAt - 24 * 60 * periodMs + Math.floor(periodMs / 2),
        // A Libre 3 sensor two days from the end of its 14-day life.
        sensor: {
          serial: '3MH00DEMO2',
          activatedAt: startedAt - 12 * 24 * 60 * periodMs,
          warmupMinutes: 60,
          productType: 4,
        },
      },
    ],
  };
}
