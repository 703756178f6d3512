// The demo's pre-written history: a day of the demo world's readings, in the file format the bridge
// loads and validates, so the 24 h figures are known at the demo's first poll.
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../src/bridge/history-store.js';
import { dailyFigures, MIN_COVERAGE } from '../src/bridge/stats.js';
import { pastReadings, SEED_SPAN_MS, seedHistory } from '../src/demo-history.js';
import { silentLogger } from '../src/log.js';
import { DEMO_MGDL_PATIENT, DEMO_MMOL_PATIENT, demoWorld } from '../src/simulator/demo-world.js';
import { SimPatient } from '../src/simulator/patient-model.js';

const T0 = Date.UTC(2026, 11, 2, 6, 0, 0);
const DAY = 24 * 60 * 60_000;

describe('demo history seed', () => {
  it('holds every reading of the last day but the current one, in each patient unit', () => {
    const world = demoWorld(T0);
    const past = pastReadings(world, T0, T0);
    for (const spec of world.patients) {
      const readings = past.get(spec.patientId)!;
      const visible = new SimPatient(spec, T0).readings(T0);
      const current = visible.at(-1)!;
      expect(readings.at(-1)!.timestamp).toBeLessThan(current.timestamp);
      expect(readings[0]!.timestamp).toBeGreaterThanOrEqual(T0 - SEED_SPAN_MS);
      expect(readings.length).toBeGreaterThanOrEqual(24 * 60 - 1);
      expect(new Set(readings.map((r) => r.unit))).toEqual(new Set([spec.unit]));
      // Enough for the bridge's 24 h figures, which need 70 % of the day covered.
      const day = dailyFigures(readings, { targetLowMgdl: 70, targetHighMgdl: 180, urgentLowMgdl: 54 }, T0);
      expect(day.coveredMs).toBeGreaterThan(MIN_COVERAGE * DAY);
      expect(day.coveredMs).toBeGreaterThan(DAY - 2 * 60_000);
    }
  });

  it('writes files the bridge loads back whole, private to the owner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llu-demo-seed-'));
    const world = demoWorld(T0);
    seedHistory(dir, world, T0, T0, silentLogger());
    const files = readdirSync(dir).filter((f) => f.startsWith('history-'));
    expect(files).toHaveLength(2);
    for (const f of files) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    const store = new HistoryStore(dir, silentLogger());
    const expected = pastReadings(world, T0, T0);
    for (const id of [DEMO_MGDL_PATIENT, DEMO_MMOL_PATIENT]) {
      expect(store.load(id, 'demo')).toEqual(expected.get(id));
    }
  });
});
