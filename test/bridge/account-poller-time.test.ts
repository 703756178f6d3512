// The poller's acceptance path under hostile time, on fake timers: a future reading, a machine clock
// hours behind LibreLinkUp's, and a timeline that moves backwards. Every real reading is published.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EMPTY_ALERT_MEMORY } from '../../src/bridge/alerts.js';
import type { PersistedAccount } from '../../src/bridge/store.js';
import type { ConnectionsAnswer } from '../../src/librelinkup/client.js';
import { createLogger } from '../../src/log.js';
import { captureLogs } from '../helpers/logs.js';
import { FakeUpstream } from './fake-upstream.js';
import { reading, T0 } from './fixtures.js';
import { RecordingSink } from './recording-sink.js';
import { singleAccountPoller } from './single-account.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** FakeUpstream with LibreLinkUp's clock (`offsetMs` ahead of this machine) and scripted hostility. */
class ClockedUpstream extends FakeUpstream {
  futureAnswers = 0;
  shiftMs = 0;
  constructor(private readonly offsetMs: number) {
    super(T0, 60_000, 5_000, () => Date.now() + offsetMs);
  }
  async connectionsAnswer(): Promise<ConnectionsAnswer> {
    let connections = await this.connections();
    const upstreamNow = Date.now() + this.offsetMs;
    if (this.futureAnswers > 0) {
      this.futureAnswers--;
      connections = connections.map((c) => ({ ...c, latest: reading(upstreamNow + 2 * HOUR, 40) }));
    } else if (this.shiftMs !== 0) {
      const shift = this.shiftMs;
      connections = connections.map((c) =>
        c.latest ? { ...c, latest: { ...c.latest, timestamp: c.latest.timestamp + shift } } : c,
      );
    }
    return { connections, upstreamNow, clockFromHeader: true, issues: [] };
  }
}

function makePoller(
  dir: string,
  upstream: ClockedUpstream,
  sink: RecordingSink,
  edit: (p: PersistedAccount) => void = () => {},
) {
  const { capture, destination } = captureLogs();
  const poller = singleAccountPoller({
    dir,
    client: upstream,
    sink,
    logger: createLogger({ level: 'info', destination }),
    edit,
  });
  return { poller, logs: capture };
}

describe('AccountPoller time rules', () => {
  let dir: string;
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 + 6_000 });
    dir = mkdtempSync(join(tmpdir(), 'llu-poller-time-'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a future reading is refused once and every real reading after it is published in order', async () => {
    const upstream = new ClockedUpstream(0);
    const sink = new RecordingSink();
    const { poller, logs } = makePoller(dir, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(5 * MIN);
    upstream.futureAnswers = 2;
    await vi.advanceTimersByTimeAsync(20 * MIN);
    await poller.stop();
    const ts = sink.readings.map((r) => r.reading.timestamp);
    expect(Math.max(...ts)).toBeLessThanOrEqual(Date.now());
    expect(sink.readings.some((r) => r.reading.mgdl === 40)).toBe(false);
    const truth = upstream.readingsUntil(Date.now()).map((r) => r.timestamp);
    expect(ts.at(-1)).toBeGreaterThanOrEqual(truth.at(-2)!);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    expect(logs.lines.filter((l) => l.includes('refused a reading'))).toHaveLength(1);
  });

  it('this machine 3 h behind LibreLinkUp: real readings are published, not refused', async () => {
    const upstream = new ClockedUpstream(3 * HOUR);
    const sink = new RecordingSink();
    const { poller, logs } = makePoller(dir, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(30 * MIN);
    await poller.stop();
    expect(sink.readings.length).toBeGreaterThanOrEqual(25);
    expect(logs.text()).not.toContain('refused a reading');
  });

  it('no Date header from LibreLinkUp and this machine 3 h behind: real readings are published, none refused', async () => {
    // A plain FakeUpstream has no clock of its own: the answer carries no Date header.
    const upstream = new FakeUpstream(T0, 60_000, 5_000, () => Date.now() + 3 * HOUR);
    const sink = new RecordingSink();
    const { capture, destination } = captureLogs();
    const poller = singleAccountPoller({
      dir,
      client: upstream,
      sink,
      logger: createLogger({ level: 'info', destination }),
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(10 * MIN);
    await poller.stop();
    expect(sink.readings.length).toBeGreaterThanOrEqual(8);
    expect(capture.text()).not.toContain('refused a reading');
  });

  it('this machine 30 min ahead: fresh readings are not shown as stale', async () => {
    const upstream = new ClockedUpstream(-30 * MIN);
    const sink = new RecordingSink();
    const { poller } = makePoller(dir, upstream, sink);
    poller.start();
    // LibreLinkUp's first reading (at T0) shows up when this machine's clock reads T0 + 30 min.
    await vi.advanceTimersByTimeAsync(45 * MIN);
    await poller.stop();
    const published = sink.snapshots.filter((p) => p.latest !== null);
    expect(published.length).toBeGreaterThan(5);
    expect(published.at(-1)?.stale).toBe(false);
  });

  it('a timeline set back 30 min: one reading held, then LibreLinkUp timeline published; back again: newer shown at once', async () => {
    const upstream = new ClockedUpstream(0);
    const sink = new RecordingSink();
    const { poller, logs } = makePoller(dir, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(10 * MIN);
    const before = sink.readings.length;
    const newest = sink.readings.at(-1)!.reading.timestamp;
    upstream.shiftMs = -30 * MIN;
    await vi.advanceTimersByTimeAsync(10 * MIN);
    const shifted = sink.readings.slice(before).map((r) => r.reading.timestamp);
    expect(shifted.length).toBeGreaterThanOrEqual(7);
    expect(shifted.every((t) => t < newest)).toBe(true);
    expect(logs.text()).toContain('following LibreLinkUp');
    upstream.shiftMs = 0;
    await vi.advanceTimersByTimeAsync(2 * MIN);
    // The state shows the newer reading at once (the reading topic fills the jump from the graph first).
    expect(sink.last('anna_smith')!.latest!.timestamp).toBeGreaterThan(newest + 9 * MIN);
    await vi.advanceTimersByTimeAsync(30 * MIN);
    await poller.stop();
    expect(sink.readings.at(-1)!.reading.timestamp).toBeGreaterThan(newest + 9 * MIN);
  });

  it("a person back with a stored memory ahead of LibreLinkUp's clock: the future reading is never shown, the first real one is published at once", async () => {
    const upstream = new ClockedUpstream(0);
    const sink = new RecordingSink();
    const future = reading(Date.now() + 2 * HOUR, 40);
    // Removed by an earlier run (a tombstone), with a reading from the future an older version kept.
    const { poller, logs } = makePoller(dir, upstream, sink, (p) => {
      p.gone = {
        'p-1': {
          slug: 'anna_smith',
          latest: future,
          lastPublishedTs: future.timestamp,
          alerts: EMPTY_ALERT_MEMORY,
          removedAt: Date.now() - HOUR,
        },
      };
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(30_000);
    await poller.stop();
    expect(sink.snapshots.some((s) => s.latest?.timestamp === future.timestamp)).toBe(false);
    const truth = upstream.readingsUntil(Date.now()).at(-1)!;
    expect(sink.readings.map((r) => r.reading.timestamp)).toEqual([truth.timestamp]);
    expect(logs.text()).toContain('discarding the stored reading');
  });
});
