// Valid state files, as fixed examples and as fast-check arbitraries, for the store's tests.
import fc from 'fast-check';
import type { PersistedAccount, PersistedPatient } from '../../src/bridge/store.js';
import { EARLIEST_PLAUSIBLE_MS } from '../../src/librelinkup/limits.js';
import { type Reading, type Session, TRENDS } from '../../src/librelinkup/model.js';
import { connection, reading, T0 } from './fixtures.js';

export const FP = 'fp';
const MIN = 60_000;

export function session(extra: Partial<Session> = {}): Session {
  return {
    token: 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IjEifQ.c2lnbmF0dXJl',
    expiresAt: T0 + 180 * 86_400_000,
    accountIdHash: 'a'.repeat(64),
    baseUrl: 'https://api-eu2.libreview.io',
    region: 'eu2',
    version: '4.16.0',
    userUnit: 'mg/dL',
    ...extra,
  };
}

export function patient(id: string, slug: string, firstName: string): PersistedPatient {
  const latest = reading(T0, 120);
  return {
    slug,
    connection: connection({ patientId: id, firstName, latest }),
    latest,
    log: { lastPublishedTs: T0 - MIN, outbox: [latest], gap: null },
    alerts: { range: 'in_range', fastTrend: null, stale: false, sensorSerial: 'SN1', sensorEnded: false },
    cadence: { periods: [MIN, MIN, MIN, MIN], lags: [5_000, 6_000], lagAim: 4_000, hitStreak: 3 },
  };
}

/** Two patients and a session: the shape every bridge writes. */
export function twoPatientState(): PersistedAccount {
  return {
    fingerprint: FP,
    session: session(),
    patients: {
      'p-1': patient('p-1', 'anna_smith', 'Anna'),
      'p-2': patient('p-2', 'ben_jones', 'Ben'),
    },
  };
}

/** The file as save() writes it. */
export function fileText(state: PersistedAccount): string {
  return JSON.stringify({ format: 1, ...state });
}

const LATE = Date.UTC(2100, 0, 1);
const timestamp = fc.integer({ min: EARLIEST_PLAUSIBLE_MS, max: LATE });

export const readingArb: fc.Arbitrary<Reading> = fc
  .record({
    timestamp,
    mgdl: fc.integer({ min: 20, max: 600 }),
    unit: fc.constantFrom('mg/dL' as const, 'mmol/L' as const),
    trend: fc.constantFrom(...TRENDS, null),
    isHigh: fc.boolean(),
    isLow: fc.boolean(),
    measurementColor: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }),
    type: fc.integer({ min: 0, max: 3 }),
  })
  .map((r) => ({ ...r, value: r.unit === 'mg/dL' ? r.mgdl : Math.round((r.mgdl / 18) * 10) / 10 }));

const threshold = fc.option(fc.integer({ min: 0, max: 400 }), { nil: null });
const text = fc.string({ maxLength: 30 });

function patientArb(id: string, slug: string): fc.Arbitrary<PersistedPatient> {
  return fc
    .record({
      connection: fc.record({
        patientId: fc.constant(id),
        connectionId: text,
        firstName: text,
        lastName: text,
        unit: fc.constantFrom('mg/dL' as const, 'mmol/L' as const),
        targetLowMgdl: fc.integer({ min: 40, max: 120 }),
        targetHighMgdl: fc.integer({ min: 121, max: 400 }),
        sensor: fc.option(
          fc.record({
            serial: fc.string({ minLength: 1, maxLength: 12 }),
            activatedAt: timestamp,
            warmupMinutes: fc.option(fc.integer({ min: 0, max: 120 }), { nil: null }),
            productType: fc.option(fc.integer({ min: 0, max: 9 }), { nil: null }),
          }),
          { nil: null },
        ),
        latest: fc.option(readingArb, { nil: null }),
        alarms: fc.record({ highMgdl: threshold, lowMgdl: threshold, urgentLowMgdl: threshold }),
        deviceTypeId: fc.option(fc.integer({ min: 40_000, max: 41_000 }), { nil: null }),
      }),
      latest: fc.option(readingArb, { nil: null }),
      watermark: fc.option(timestamp, { nil: null }),
      outbox: fc.uniqueArray(readingArb, { maxLength: 4, selector: (r) => r.timestamp }),
      gap: fc.option(
        fc.record({
          from: timestamp,
          to: timestamp,
          coveredUntil: timestamp,
          openedAt: fc.integer({ min: 0, max: LATE }),
          nextGraphAt: fc.integer({ min: 0, max: LATE }),
        }),
        { nil: null },
      ),
      alerts: fc.record(
        {
          range: fc.constantFrom(
            'urgent_low' as const,
            'low' as const,
            'in_range' as const,
            'high' as const,
            null,
          ),
          fastTrend: fc.constantFrom('falling_quickly' as const, 'rising_quickly' as const, null),
          stale: fc.boolean(),
          sensorSerial: fc.option(fc.string({ maxLength: 12 }), { nil: null }),
          sensorEnded: fc.boolean(),
        },
        { requiredKeys: ['range', 'fastTrend', 'stale'] },
      ),
      cadence: fc.record(
        {
          periods: fc.array(fc.integer({ min: 1, max: 600_000 }), { maxLength: 15 }),
          lags: fc.array(fc.integer({ min: 0, max: 600_000 }), { maxLength: 15 }),
          lagAim: fc.integer({ min: 0, max: 60_000 }),
          hitStreak: fc.nat({ max: 1_000 }),
        },
        { requiredKeys: ['periods', 'lags'] },
      ),
    })
    .map(({ watermark, outbox, gap, ...p }) => {
      // The log's own rule: the outbox is sorted, and newer than what is already published.
      const pending = outbox
        .filter((r) => watermark === null || r.timestamp > watermark)
        .sort((a, b) => a.timestamp - b.timestamp);
      return { ...p, slug, log: { lastPublishedTs: watermark, outbox: pending, gap } };
    });
}

const idArb = fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 }));
function charsOf(alphabet: string, minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...alphabet), { minLength, maxLength }).map((chars) => chars.join(''));
}
const slugArb = charsOf('abcdefghijklmnopqrstuvwxyz0123456789_', 1, 20);
/** printable ASCII, as a header value must be */
const PRINTABLE = String.fromCharCode(...Array.from({ length: 94 }, (_, i) => 0x21 + i));

/** Any state file the bridge can write: 0-4 patients with distinct ids and slugs, a session or none. */
export const accountArb: fc.Arbitrary<PersistedAccount> = fc
  .uniqueArray(fc.tuple(idArb, slugArb), {
    maxLength: 4,
    selector: ([id]) => id,
  })
  .map((pairs) => pairs.filter(([, slug], i) => pairs.findIndex(([, s]) => s === slug) === i))
  .chain((pairs) =>
    fc.record({
      fingerprint: fc.constant(FP),
      session: fc.option(
        fc.record({
          token: charsOf(PRINTABLE, 1, 60),
          expiresAt: fc.integer({ min: 0, max: LATE }),
          accountIdHash: fc.nat().map((v) => v.toString(16).padStart(64, '0')),
          baseUrl: fc.constantFrom('https://api-eu2.libreview.io', 'http://127.0.0.1:8080/r/eu2'),
          region: fc.option(fc.constantFrom('eu', 'eu2', 'us', 'de'), { nil: null }),
          version: fc.constantFrom('4.16.0', '4.12', '5'),
          userUnit: fc.constantFrom('mg/dL' as const, 'mmol/L' as const, null),
        }),
        { nil: null },
      ),
      patients: fc
        .tuple(...pairs.map(([id, slug]) => patientArb(id, slug)))
        .map((list) => Object.fromEntries(list.map((p, i) => [pairs[i]![0], p]))),
    }),
  );
