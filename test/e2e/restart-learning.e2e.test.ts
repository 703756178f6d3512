// What the scheduler learned survives a restart, end to end: the real app against the fake
// LibreLinkUp server, a reading a minute and the default poll settings, with the whole process's
// clock compressed (as `demo --fast` does) so that minutes pass in seconds. A first start learns each
// person's reading period and upload lag, probing at half the presumed period; a restart on the same
// data_dir polls at the steady rate from its first minute.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import { compressTime, type TimeWarp } from '../../src/time-warp.js';
import { configFor, runBridge, startSim } from './harness.js';
import { twoPatients } from './world.js';

const FACTOR = 60;
const MIN = 60_000;
let warp: TimeWarp | null = null;

afterEach(() => {
  warp?.restore();
  warp = null;
});

/** Waits until the compressed clock has moved `ms` (simulated), in real time. */
const waitSimulated = (ms: number) => new Promise((r) => setTimeout(r, ms / FACTOR));

describe('a restart keeps what the scheduler learned', () => {
  it('no learning probe after a restart on the same data_dir: the steady request rate from the first minute', async () => {
    warp = compressTime(FACTOR);
    const world = twoPatients(Date.now, {});
    for (const p of world.patients) p.periodMs = MIN;
    for (const p of world.patients) p.uploadLagMs = 3_000;
    const sim = await startSim(world);
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    try {
      // A request's timeout is counted on the compressed clock: the longest allowed, so that a busy
      // machine's slow answer (in real seconds) is not taken for a timeout.
      const config = configFor(sim, broker.url, {}, world);
      const configured = { ...config, poll: { ...config.poll, timeout: 120 } };
      const connections = (from: number, to: number) =>
        sim.requests.filter((r) => r.endpoint === 'connections' && r.at >= from && r.at < to).length;

      const first = await runBridge(configured);
      const t1 = Date.now();
      await waitSimulated(6 * MIN);
      const learning = connections(t1, t1 + 6 * MIN);
      await waitSimulated(6 * MIN);
      const steady = connections(t1 + 6 * MIN, Date.now());
      await first.stop();

      const second = await runBridge(configured);
      const t2 = Date.now();
      await waitSimulated(6 * MIN);
      const afterRestart = connections(t2, t2 + 6 * MIN);
      await second.stop();

      // Learning from scratch polls about twice a reading period; once learned, about once.
      expect(learning, `learning ${learning}, steady ${steady}`).toBeGreaterThan(steady * 1.4);
      expect(afterRestart, `after restart ${afterRestart}, steady ${steady}`).toBeLessThanOrEqual(
        Math.ceil(steady * 1.2) + 2,
      );
    } finally {
      await broker.close();
      await sim.close();
    }
  }, 60_000);
});
