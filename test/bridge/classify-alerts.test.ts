import { describe, expect, it } from 'vitest';
import { EMPTY_ALERT_MEMORY, nextAlerts } from '../../src/bridge/alerts.js';
import { isStale, rangeOf, STALE_AFTER_MS } from '../../src/bridge/classify.js';
import type { RangeState } from '../../src/bridge/events.js';
import { reading, T0 } from './fixtures.js';

const t = { targetLowMgdl: 70, targetHighMgdl: 180, urgentLowMgdl: 54 };

describe('rangeOf', () => {
  it.each([
    [53, 'urgent_low'],
    [54, 'low'],
    [69, 'low'],
    [70, 'in_range'],
    [180, 'in_range'],
    [181, 'high'],
  ] as const)('%i mg/dL is %s', (mgdl, range) => {
    expect(rangeOf(mgdl, t)).toBe(range);
  });
});

describe('isStale', () => {
  it('turns stale exactly 15 minutes after FactoryTimestamp', () => {
    const r = reading(T0, 100);
    expect(isStale(r, T0 + STALE_AFTER_MS - 1)).toBe(false);
    expect(isStale(r, T0 + STALE_AFTER_MS)).toBe(true);
    expect(isStale(null, T0)).toBe(true);
  });
});

describe('nextAlerts', () => {
  const input = (mgdl: number, extra: Partial<Parameters<typeof nextAlerts>[1]> = {}) => ({
    reading: reading(T0, mgdl),
    range: rangeOf(mgdl, t) as RangeState,
    stale: false,
    sensorSerial: 'SN1',
    sensorEnded: false,
    ...extra,
  });

  it('fires once on each transition and not while the state holds', () => {
    let memory = EMPTY_ALERT_MEMORY;
    const fired: string[] = [];
    for (const mgdl of [100, 100, 65, 60, 50, 52, 80, 190, 200, 120]) {
      const out = nextAlerts(memory, input(mgdl), T0);
      memory = out.memory;
      fired.push(...out.alerts.map((a) => a.type));
    }
    expect(fired).toEqual(['low', 'urgent_low', 'in_range', 'high', 'in_range']);
  });

  it('warns on the first observation when it is already low, but not when in range', () => {
    expect(nextAlerts(EMPTY_ALERT_MEMORY, input(60), T0).alerts.map((a) => a.type)).toEqual(['low']);
    expect(nextAlerts(EMPTY_ALERT_MEMORY, input(100), T0).alerts).toEqual([]);
  });

  it('fires fast trends on entry only', () => {
    let memory = EMPTY_ALERT_MEMORY;
    const fired: string[] = [];
    for (const trend of [
      'stable',
      'falling_quickly',
      'falling_quickly',
      'falling',
      'rising_quickly',
    ] as const) {
      const out = nextAlerts(memory, input(100, { reading: reading(T0, 100, { trend }) }), T0);
      memory = out.memory;
      fired.push(...out.alerts.map((a) => a.type));
    }
    expect(fired).toEqual(['falling_quickly', 'rising_quickly']);
  });

  it('fires stale once, and the range again after recovery only if it changed', () => {
    let out = nextAlerts(EMPTY_ALERT_MEMORY, input(65), T0);
    out = nextAlerts(out.memory, input(65, { stale: true }), T0);
    expect(out.alerts.map((a) => a.type)).toEqual(['stale']);
    out = nextAlerts(out.memory, input(65, { stale: true }), T0);
    expect(out.alerts).toEqual([]);
    out = nextAlerts(out.memory, input(66), T0);
    expect(out.alerts).toEqual([]);
  });

  it('fires sensor_ended and sensor_started on sensor changes, not on the first observation', () => {
    let out = nextAlerts(EMPTY_ALERT_MEMORY, input(100), T0);
    expect(out.alerts).toEqual([]);
    out = nextAlerts(out.memory, input(100, { sensorSerial: null }), T0);
    expect(out.alerts.map((a) => a.type)).toEqual(['sensor_ended']);
    out = nextAlerts(out.memory, input(100, { sensorSerial: 'SN2' }), T0);
    expect(out.alerts.map((a) => a.type)).toEqual(['sensor_started']);
  });
});
