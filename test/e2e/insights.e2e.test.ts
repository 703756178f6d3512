// Issue 8's entities end to end: fake LibreLinkUp server → real bridge → MQTT state JSON, which every
// such entity reads through its value_template (checked against the discovery configs too).
import { describe, expect, it, type TestContext } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import type { SimOptions } from '../../src/simulator/types.js';
import { cleanupFor } from './cleanup.js';
import { Collector, waitUntil } from './collector.js';
import { configFor, runBridge, startSim } from './harness.js';
import { EMAIL, movableClock, PASSWORD, USER_ID } from './world.js';

const BASE = 'librelinkup2mqtt';
const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Hour of a 4-hour cycle, 0..3, also before t0. */
const hourOf = (ms: number) => ((Math.floor(ms / HOUR) % 4) + 4) % 4;

interface State {
  glucose_mgdl: number;
  rate: number | null;
  delta: number | null;
  color_range: string | null;
  time_in_range: number | null;
  average: number | null;
  gmi: number | null;
  sensor_activated: string | null;
  sensor_expires: string | null;
  sensor_problem: string;
}

describe.concurrent('insight entities end to end', () => {
  async function run(ctx: TestContext, world: SimOptions, now: () => number) {
    const defer = cleanupFor(ctx);
    const sim = await startSim(world);
    defer(() => sim.close());
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    defer(() => broker.close());
    const collector = await Collector.connect(broker.url, [`${BASE}/#`, 'homeassistant/#']);
    defer(() => collector.close());
    const config = configFor(
      sim,
      broker.url,
      { poll: { interval: 1, min_interval: 0.25, timeout: 5 } },
      world,
    );
    const bridge = await runBridge(config, now);
    defer(() => bridge.stop());
    return { sim, collector, bridge, config, broker, defer };
  }

  function account(patients: string[]): SimOptions['accounts'][number] {
    return { email: EMAIL, password: PASSWORD, userId: USER_ID, region: 'eu', patients };
  }

  it('a Libre 3 near expiry, no active sensor, then a new one; too few readings for 24 h figures', async (ctx) => {
    const clock = movableClock();
    const t0 = clock.now();
    const activated = Math.floor((t0 - 14.5 * DAY) / 1000) * 1000;
    const world: SimOptions = {
      now: clock.now,
      accounts: [account(['p-libre3', 'p-nosensor'])],
      patients: [
        {
          patientId: 'p-libre3',
          firstName: 'Lia',
          lastName: 'Three',
          unit: 'mg/dL',
          periodMs: 60_000,
          firstReadingAt: t0 - 30 * 60_000,
          // rising 1 mg/dL per minute: delta +1 per reading, rate +1 mg/dL/min
          curve: (t) => 100 + Math.round((t - (t0 - 30 * 60_000)) / 60_000),
          sensor: { serial: '3MH0000LIA', activatedAt: activated, warmupMinutes: 60, productType: 4 },
        },
        {
          patientId: 'p-nosensor',
          firstName: 'Noah',
          lastName: 'None',
          unit: 'mmol/L',
          periodMs: 60_000,
          firstReadingAt: t0 - 30 * 60_000,
          curve: () => 300,
          sensor: null,
        },
      ],
    };
    const { sim, collector } = await run(ctx, world, clock.now);
    const lia = () => collector.json<State>(`${BASE}/lia_three/state`);
    const noah = () => collector.json<State>(`${BASE}/noah_none/state`);
    await waitUntil(() => lia() !== undefined && noah() !== undefined, 'both patients');
    // Six live readings a minute apart: delta from the last two, rate from the last 5+ minutes.
    const first = lia()!.glucose_mgdl;
    for (let i = 1; i <= 6; i++) {
      clock.advance(60_000);
      await waitUntil(() => lia()!.glucose_mgdl === first + i, `reading ${i}`);
    }

    const l = lia()!;
    expect(l.sensor_activated).toBe(new Date(activated).toISOString());
    // Libre 3 (pt 4): 15 days, an estimate.
    expect(l.sensor_expires).toBe(new Date(activated + 15 * DAY).toISOString());
    expect(l.sensor_problem).toBe('ok');
    expect(l.delta).toBe(1);
    expect(l.rate).toBeCloseTo(1, 1);
    expect(l.color_range).toBe('in_range');
    // One minute of data: far below 70 % of 24 h.
    expect(l.time_in_range).toBeNull();
    expect(l.average).toBeNull();
    expect(l.gmi).toBeNull();

    const n = noah()!;
    expect(n.sensor_activated).toBeNull();
    expect(n.sensor_expires).toBeNull();
    expect(n.sensor_problem).not.toBe('ok');
    expect(n.color_range).toBe('above_high_alarm'); // 300 mg/dL ≥ the 250 high alarm: orange

    // Home Assistant reads these through the discovery value templates.
    const sensorCfg = collector.json<{ value_template: string }>(
      'homeassistant/binary_sensor/librelinkup2mqtt_p-nosensor/sensor/config',
    );
    expect(sensorCfg?.value_template).toContain('sensor_problem');

    // A new sensor (activated 2 h ago, past warm-up): the problem clears, sensor_started fires.
    sim.setSensor('p-nosensor', { serial: '3MH0000NEW', activatedAt: t0 - 2 * HOUR, productType: 4 });
    clock.advance(60_000);
    await waitUntil(() => noah()?.sensor_problem === 'ok', 'new sensor seen');
    expect(noah()!.sensor_activated).toBe(new Date(Math.floor((t0 - 2 * HOUR) / 1000) * 1000).toISOString());
    const events = collector
      .on(`${BASE}/noah_none/event`)
      .map((m) => JSON.parse(m.payload).event_type as string);
    expect(events).toContain('sensor_started');
  });

  it('time in range, average and GMI once 24 h are covered (graph seed, then a 12 h gap filled from the graph)', async (ctx) => {
    const clock = movableClock();
    const t0 = clock.now();
    const world: SimOptions = {
      now: clock.now,
      accounts: [account(['p-tir'])],
      patients: [
        {
          patientId: 'p-tir',
          firstName: 'Tia',
          lastName: 'Range',
          unit: 'mg/dL',
          targetLow: 70,
          targetHigh: 180,
          periodMs: 60_000,
          graphLagMs: 0,
          firstReadingAt: t0 - 13 * HOUR,
          // 3 of every 4 hours at 120 (in range), 1 at 200 (above): 75 % in range, mean 140.
          curve: (t) => (hourOf(t - t0) === 3 ? 200 : 120),
        },
      ],
    };
    const { collector } = await run(ctx, world, clock.now);
    const tia = () => collector.json<State>(`${BASE}/tia_range/state`);
    await waitUntil(() => tia() !== undefined, 'first state');
    expect(tia()!.time_in_range).toBeNull(); // ~12 h of graph: not yet 70 % of 24 h
    // 12 h later: the live reading shows a gap, which the bridge fills from the graph.
    clock.advance(12 * HOUR);
    await waitUntil(() => tia()?.time_in_range != null, '24 h figures', 30_000);
    const s = tia()!;
    expect(s.time_in_range!).toBeGreaterThan(65);
    expect(s.time_in_range!).toBeLessThan(85);
    expect(s.average!).toBeGreaterThan(130);
    expect(s.average!).toBeLessThan(150);
    // GMI (%) = 3.31 + 0.02392 × mean mg/dL
    expect(s.gmi!).toBeCloseTo(3.31 + 0.02392 * s.average!, 1);
  });
  it('a restart with the same data_dir keeps the 24 h figures: the same values at once, no waiting for coverage', async (ctx) => {
    const clock = movableClock();
    const t0 = clock.now();
    const world: SimOptions = {
      now: clock.now,
      accounts: [account(['p-keep'])],
      patients: [
        {
          patientId: 'p-keep',
          firstName: 'Kim',
          lastName: 'Keep',
          unit: 'mg/dL',
          targetLow: 70,
          targetHigh: 180,
          periodMs: 60_000,
          graphLagMs: 0,
          firstReadingAt: t0 - 13 * HOUR,
          curve: (t) => (hourOf(t - t0) === 3 ? 200 : 120),
        },
      ],
    };
    const { collector, bridge, config, defer } = await run(ctx, world, clock.now);
    const kim = () => collector.json<State>(`${BASE}/kim_keep/state`);
    await waitUntil(() => kim() !== undefined, 'first state');
    clock.advance(12 * HOUR);
    await waitUntil(() => kim()?.time_in_range != null, '24 h figures', 30_000);
    const before = kim()!;
    await bridge.stop();

    // A new process on the same data_dir. The graph alone gives ~12 h (not enough); the stored
    // history brings the figures back with the first state.
    const states = () => collector.on(`${BASE}/kim_keep/state`).length;
    const seen = states();
    const again = await runBridge(config, clock.now);
    defer(() => again.stop());
    // The first state of the new process (an unchanged state is not published again).
    await waitUntil(() => states() > seen, 'a state after the restart', 30_000);
    const after = collector
      .on(`${BASE}/kim_keep/state`)
      .slice(seen)
      .map((m) => JSON.parse(m.payload) as State);
    for (const s of after)
      expect(s.time_in_range, 'time in range known at every state after the restart').not.toBeNull();
    const last = after.at(-1)!;
    expect(last.time_in_range).toBe(before.time_in_range);
    expect(last.average).toBe(before.average);
    expect(last.gmi).toBe(before.gmi);
  });
});
