// Waiting out a back-off without waiting: after a failure the account must back off (asserted: its
// next attempt is planned later), then the back-off passes on the clock the fake server and the
// bridge share, readings coming meanwhile as they would, and "poll now" asks for the next attempt
// at once. Only the real-time wait goes; what the bridge sees and does stays the same.
import { expect } from 'vitest';
import { waitUntil } from './collector.js';
import type { RunningBridge } from './harness.js';
import type { movableClock } from './world.js';

export async function sitOutBackoff(
  bridge: Pick<RunningBridge, 'app'>,
  clock: ReturnType<typeof movableClock>,
): Promise<void> {
  const account = () => bridge.app.bridge.accounts()[0]!;
  await waitUntil(() => account().ok === false && account().blockedUntil !== null, 'the back-off');
  const wait = account().blockedUntil! - clock.now();
  expect(wait, 'a back-off after the failure').toBeGreaterThan(0);
  // Backed off, not stopped: the bridge has planned its next attempt itself.
  expect(account().nextPollAt, 'the next attempt planned').toBeGreaterThanOrEqual(account().blockedUntil!);
  clock.advance(wait);
  bridge.app.bridge.pollNow();
}
