// poll.freshness end to end: the real bridge against the fake LibreLinkUp server. `fast` keeps polls
// at least 5 s apart even when min_interval and interval are shorter; `balanced` keeps them.
import { describe, expect, it, type TestContext } from 'vitest';
import type { PollConfig } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import { cleanupFor } from './cleanup.js';
import { waitUntil } from './collector.js';
import { configFor, runBridge, startSim } from './harness.js';
import { twoPatients } from './world.js';

describe.concurrent('poll.freshness end to end', () => {
  /** The next poll the bridge has planned right after its first poll succeeded, from that poll's end. */
  async function plannedGap(ctx: TestContext, poll: PollConfig): Promise<number> {
    const defer = cleanupFor(ctx);
    const world = twoPatients(Date.now);
    const sim = await startSim(world);
    defer(() => sim.close());
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    defer(() => broker.close());
    const bridge = await runBridge(configFor(sim, broker.url, { poll }, world));
    defer(() => bridge.stop());
    const status = () => bridge.app.bridge.accounts()[0]!;
    await waitUntil(() => status().lastSuccessAt !== null, 'first poll');
    const { lastSuccessAt, nextPollAt } = status();
    return nextPollAt! - lastSuccessAt!;
  }

  it('fast: the next poll is at least 5 s after the last, though min_interval and interval are 1 s', async (ctx) => {
    const gap = await plannedGap(ctx, { interval: 1, min_interval: 0.25, timeout: 3, freshness: 'fast' });
    // The gap is counted from the end of the poll, which took a moment after it started.
    expect(gap).toBeGreaterThan(3_000);
    expect(gap).toBeLessThanOrEqual(5_000);
  });

  it('balanced (the default): min_interval and interval stand', async (ctx) => {
    const gap = await plannedGap(ctx, { interval: 1, min_interval: 0.25, timeout: 3 });
    expect(gap).toBeLessThanOrEqual(1_000);
  });
});
