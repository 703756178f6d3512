import type { SimOptions } from '../../src/simulator/types.js';

export const EMAIL = 'follower@example.com';
export const PASSWORD = 'Sup3r-S3cret-PW!';
export const USER_ID = '7ad66b40-ba9b-401e-9845-4f49f998cf16';
export const MGDL_PATIENT = 'a1b2c3d4-0000-4000-8000-000000000001';
export const MMOL_PATIENT = 'a1b2c3d4-0000-4000-8000-000000000002';

/** Two followed people, one in mg/dL and one in mmol/L, a reading every second. */
export function twoPatients(now: () => number, extra: Partial<SimOptions> = {}): SimOptions {
  const start = now() - 10 * 60_000;
  return {
    now,
    accounts: [
      {
        email: EMAIL,
        password: PASSWORD,
        userId: USER_ID,
        region: 'eu2',
        patients: [MGDL_PATIENT, MMOL_PATIENT],
      },
    ],
    patients: [
      {
        patientId: MGDL_PATIENT,
        firstName: 'Anna',
        lastName: 'Smith',
        unit: 'mg/dL',
        targetLow: 70,
        targetHigh: 180,
        periodMs: 1_000,
        firstReadingAt: start,
        curve: (t) => 120 + 60 * Math.sin(t / 20_000),
      },
      {
        patientId: MMOL_PATIENT,
        firstName: 'Ben',
        lastName: 'Jones',
        unit: 'mmol/L',
        targetLow: 72,
        targetHigh: 162,
        periodMs: 1_000,
        firstReadingAt: start + 500,
        curve: (t) => 110 + 40 * Math.cos(t / 15_000),
        trendArrow: 0,
      },
    ],
    ...extra,
  };
}

/**
 * A clock the test can move forward, or hold still for a while; the fake server and the bridge both
 * read it. It only moves what `now()` says: timers already set still fire in real time.
 */
export function movableClock() {
  let offset = 0;
  let heldAt: number | null = null;
  return {
    now: () => heldAt ?? Date.now() + offset,
    advance(ms: number) {
      if (heldAt !== null) heldAt += ms;
      else offset += ms;
    },
    hold() {
      heldAt ??= Date.now() + offset;
    },
    /** Runs on from where it was held: the time held never passed. */
    release() {
      if (heldAt === null) return;
      offset = heldAt - Date.now();
      heldAt = null;
    },
  };
}
