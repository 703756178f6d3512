// The rate entity and the trend arrow sit side by side on a dashboard: they must never point in
// opposite directions. Checked over a day of the demo world at real timing (a reading a minute),
// whose curves rise and fall through every arrow.
import { describe, expect, it } from 'vitest';
import { rateMgdlPerMinute } from '../../src/bridge/stats.js';
import type { Reading } from '../../src/librelinkup/model.js';
import { trendFromArrow } from '../../src/librelinkup/parse.js';
import { demoWorld } from '../../src/simulator/demo-world.js';
import { SimPatient } from '../../src/simulator/patient-model.js';

const START = Date.UTC(2026, 11, 1, 0, 0, 0);

function readingsOf(patient: SimPatient, count: number): Reading[] {
  return Array.from({ length: count }, (_, k) => {
    const sim = patient.reading(k);
    return {
      timestamp: sim.timestamp,
      mgdl: sim.mgdl,
      value: sim.mgdl,
      unit: 'mg/dL' as const,
      trend: trendFromArrow(sim.trendArrow),
      isHigh: sim.isHigh,
      isLow: sim.isLow,
      measurementColor: sim.measurementColor,
      type: 1,
    };
  });
}

describe('rate of change and trend arrow', () => {
  for (const spec of demoWorld(START).patients) {
    it(`agree in sign for every reading of a day: ${spec.firstName}`, () => {
      const readings = readingsOf(new SimPatient(spec, START), 24 * 60);
      let rising = 0;
      let falling = 0;
      for (let i = 10; i < readings.length; i++) {
        const latest = readings[i]!;
        const rate = rateMgdlPerMinute(readings.slice(0, i), latest);
        expect(rate, `rate at reading ${i}`).not.toBeNull();
        const at = new Date(latest.timestamp).toISOString();
        if (latest.trend === 'rising' || latest.trend === 'rising_quickly') {
          rising += 1;
          expect(rate!, `${latest.trend} at ${at}`).toBeGreaterThan(0);
        }
        if (latest.trend === 'falling' || latest.trend === 'falling_quickly') {
          falling += 1;
          expect(rate!, `${latest.trend} at ${at}`).toBeLessThan(0);
        }
      }
      // The day must really contain both directions, or the test proves nothing.
      expect(rising).toBeGreaterThan(50);
      expect(falling).toBeGreaterThan(50);
    });
  }
});
