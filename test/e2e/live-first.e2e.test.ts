// After an upstream outage, live readings never wait for the graph: each reaches `<patient>/reading`
// as soon as the bridge sees it, and the gap's readings follow once the graph has them, each once,
// marked as backfilled. Time is moved with a clock the fake server shares, so no test waits minutes.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import type { SimOptions } from '../../src/simulator/types.js';
import { Collector, waitUntil } from './collector.js';
import { configFor, runBridge, startSim } from './harness.js';
import { EMAIL, movableClock, PASSWORD, USER_ID } from './world.js';

const BASE = 'librelinkup2mqtt';
const MIN = 60_000;
const READING = `${BASE}/anna_live/reading`;

describe('live readings never wait', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    cleanups.length = 0;
  });

  it('a 10-minute outage: live readings reach /reading within one poll, the gap follows from the graph, each once', async () => {
    const clock = movableClock();
    const t0 = clock.now();
    const world: SimOptions = {
      now: clock.now,
      accounts: [{ email: EMAIL, password: PASSWORD, userId: USER_ID, region: 'eu', patients: ['p-live'] }],
      patients: [
        {
          patientId: 'p-live',
          firstName: 'Anna',
          lastName: 'Live',
          unit: 'mg/dL',
          periodMs: MIN,
          firstReadingAt: t0 - 30 * MIN,
          curve: (t) => 100 + Math.round((t - t0) / MIN),
        },
      ],
    };
    const sim = await startSim(world);
    cleanups.push(() => sim.close());
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    cleanups.push(() => broker.close());
    const collector = await Collector.connect(broker.url, [READING]);
    cleanups.push(() => collector.close());
    const config = configFor(
      sim,
      broker.url,
      { poll: { interval: 1, min_interval: 0.25, timeout: 3 } },
      world,
    );
    const bridge = await runBridge(config, clock.now);
    cleanups.push(() => bridge.stop());
    const stream = () =>
      collector.on(READING).map((m) => {
        const r = JSON.parse(m.payload) as { timestamp: string; backfilled?: boolean };
        return { t: Date.parse(r.timestamp), backfilled: r.backfilled === true };
      });
    await waitUntil(() => stream().length >= 1, 'the first reading');
    const beforeOutage = Math.max(...stream().map((r) => r.t));

    // LibreLinkUp answers 502 for 10 minutes of readings.
    sim.addFault({
      endpoint: 'connections',
      fault: { kind: 'server_error', httpStatus: 502 },
      times: Infinity,
    });
    const failedBefore = sim.requests.filter((r) => r.outcome === 'server_error').length;
    await waitUntil(
      () => sim.requests.filter((r) => r.outcome === 'server_error').length > failedBefore,
      'a failed poll',
    );
    // The failure backs the account off (seconds, planned on the shared clock); the outage lasts
    // longer, so once it is over nothing holds the next poll back: "poll now" asks for it at once
    // instead of the test sitting out the back-off in real time.
    const account = () => bridge.app.bridge.accounts()[0]!;
    await waitUntil(() => account().ok === false && account().blockedUntil !== null, 'the back-off');
    expect(account().blockedUntil! - clock.now()).toBeLessThan(10 * MIN);
    clock.advance(10 * MIN);
    sim.clearFaults();
    bridge.app.bridge.pollNow();

    // The first answer after the outage: its live reading is published at once, not held for the graph
    // (which lags 15 minutes and so has nothing of the gap yet).
    const liveAfter = (t: number) => stream().some((r) => !r.backfilled && r.t > t);
    await waitUntil(() => liveAfter(beforeOutage + 5 * MIN), 'the live reading after the outage', 30_000);
    expect(stream().filter((r) => r.backfilled)).toEqual([]);

    // Once the graph has the gap (15 minutes later), its readings follow, marked backfilled.
    clock.advance(16 * MIN);
    await waitUntil(() => stream().some((r) => r.backfilled), 'the backfill', 30_000);
    await waitUntil(
      () => {
        const filled = stream().filter(
          (r) => r.backfilled && r.t > beforeOutage + MIN && r.t < beforeOutage + 9 * MIN,
        );
        return filled.length >= 1;
      },
      'gap readings from the graph',
      30_000,
    );
    const all = stream();
    const ts = all.map((r) => r.t);
    expect(new Set(ts).size, 'a reading published twice').toBe(ts.length);
    for (const backfilled of [false, true]) {
      const part = all.filter((r) => r.backfilled === backfilled).map((r) => r.t);
      expect([...part].sort((a, b) => a - b)).toEqual(part);
    }
    const truth = new Set(sim.readingsOf('p-live').map((r) => r.timestamp));
    for (const t of ts) expect(truth.has(t)).toBe(true);
  }, 60_000);
});
