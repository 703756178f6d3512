// poll.freshness end to end: the real bridge against the fake LibreLinkUp server. `fast` keeps polls
// at least 5 s apart even when min_interval and interval are shorter; `balanced` keeps them.
import { afterEach, describe, expect, it } from 'vitest';
import type { PollConfig } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import { waitUntil } from './collector.js';
import { configFor, runBridge, startSim } from './harness.js';
import { twoPatients } from './world.js';

describe('poll.freshness end to end', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    cleanups.length = 0;
  });

  /** The next poll the bridge has planned right after its first poll succeeded, from that poll's end. */
  async function plannedGap(poll: PollConfig): Promise<number> {
    const world = twoPatients(Date.now);
    const sim = await startSim(world);
    cleanups.push(() => sim.close());
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    cleanups.push(() => broker.close());
    const bridge = await runBridge(configFor(sim, broker.url, { poll }, world));
    cleanups.push(() => bridge.stop());
    const status = () => bridge.app.bridge.accounts()[0]!;
    await waitUntil(() => status().lastSuccessAt !== null, 'first poll');
    const { lastSuccessAt, nextPollAt } = status();
    return nextPollAt! - lastSuccessAt!;
  }

  it('fast: the next poll is at least 5 s after the last, though min_interval and interval are 1 s', async () => {
    const gap = await plannedGap({ interval: 1, min_interval: 0.25, timeout: 3, freshness: 'fast' });
    // The gap is counted from the end of the poll, which took a moment after it started.
    expect(gap).toBeGreaterThan(3_000);
    expect(gap).toBeLessThanOrEqual(5_000);
  });

  it('balanced (the default): min_interval and interval stand', async () => {
    const gap = await plannedGap({ interval: 1, min_interval: 0.25, timeout: 3 });
    expect(gap).toBeLessThanOrEqual(1_000);
  });
});
