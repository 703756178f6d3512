import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UpstreamClient } from '../../src/bridge/account-poller.js';
import { FakeUpstream } from './fake-upstream.js';
import { T0 } from './fixtures.js';
import { RecordingSink } from './recording-sink.js';
import { singleAccountPoller } from './single-account.js';

const MIN = 60_000;

function makePoller(dir: string, upstream: UpstreamClient, sink: RecordingSink) {
  return singleAccountPoller({ dir, client: upstream, sink });
}

describe('AccountPoller', () => {
  let dir: string;
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 + 6_000 });
    dir = mkdtempSync(join(tmpdir(), 'llu-poller-'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('publishes each new reading once, in order, with about one request per reading', async () => {
    const upstream = new FakeUpstream(T0);
    const sink = new RecordingSink();
    const poller = makePoller(dir, upstream, sink);
    poller.start();
    // The first minutes learn the cadence (a few probing polls); economy counts from then on.
    await vi.advanceTimersByTimeAsync(10 * MIN);
    const requestsAtTen = upstream.stats.requests;
    const readingsAtTen = sink.readings.length;
    await vi.advanceTimersByTimeAsync(20 * MIN);
    await poller.stop();
    const ts = sink.readings.map((r) => r.reading.timestamp);
    const truth = upstream.readingsUntil(Date.now()).map((r) => r.timestamp);
    // The newest reading may have appeared after the last poll of the run.
    expect(ts.length).toBeGreaterThanOrEqual(truth.length - 1);
    expect(ts).toEqual(truth.slice(0, ts.length));
    // One graph read seeds the in-memory history at start; no gap, so no other.
    expect(upstream.calls.filter((c) => c === 'graph')).toEqual(['graph']);
    expect((upstream.stats.requests - requestsAtTen) / (ts.length - readingsAtTen)).toBeLessThanOrEqual(1.2);
    expect(upstream.stats.requests / ts.length).toBeLessThanOrEqual(2);
    expect(sink.last('anna_smith')?.stale).toBe(false);
  });

  it('restarts from data_dir without repeating or skipping a reading, filling the gap from the graph', async () => {
    const upstream = new FakeUpstream(T0);
    const sink = new RecordingSink();
    let poller = makePoller(dir, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(10 * MIN);
    await poller.stop();
    // Down for 20 minutes.
    await vi.advanceTimersByTimeAsync(20 * MIN);
    poller = makePoller(dir, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(40 * MIN);
    await poller.stop();
    const ts = sink.readings.map((r) => r.reading.timestamp);
    expect(new Set(ts).size).toBe(ts.length);
    // Oldest first within the live stream and within the backfill (not across them).
    const live = sink.readings.filter((r) => !r.backfilled).map((r) => r.reading.timestamp);
    const backfill = sink.readings.filter((r) => r.backfilled).map((r) => r.reading.timestamp);
    expect([...live].sort((a, b) => a - b)).toEqual(live);
    expect([...backfill].sort((a, b) => a - b)).toEqual(backfill);
    // Inside the outage only 5-minute graph points exist; each one was published, as a backfill.
    const outage = ts.filter((t) => t > T0 + 10 * MIN && t < T0 + 30 * MIN);
    expect(outage.length).toBeGreaterThanOrEqual(3);
    for (const t of outage) expect(backfill).toContain(t);
    for (const t of backfill) expect(t > T0 && t < T0 + 30 * MIN).toBe(true);
    expect(upstream.calls).toContain('graph');
  });

  it('a restart keeps what the scheduler learned: no learning probe, the steady request rate at once', async () => {
    const upstream = new FakeUpstream(T0);
    const sink = new RecordingSink();
    const connectionsCalls = () => upstream.calls.filter((c) => c === 'connections').length;
    // A first run learns from scratch: it probes at half the presumed period until it knows the cadence.
    let poller = makePoller(dir, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(10 * MIN);
    const learning = connectionsCalls();
    await vi.advanceTimersByTimeAsync(20 * MIN);
    const steadyPer10 = (connectionsCalls() - learning) / 2;
    await poller.stop();
    // Restart with the same data_dir: the first 10 minutes cost what steady state costs.
    const before = connectionsCalls();
    poller = makePoller(dir, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(10 * MIN);
    await poller.stop();
    const afterRestart = connectionsCalls() - before;
    // Learning from scratch costs about 2.6x the steady rate (26 vs 10 here); after a restart only the
    // poll at start and a chase or two come on top of the steady rate.
    expect(learning).toBeGreaterThan(2 * steadyPer10);
    expect(afterRestart).toBeLessThanOrEqual(steadyPer10 + 3);
  });

  it('keeps readings queued while the sink cannot publish, then delivers them in order', async () => {
    const upstream = new FakeUpstream(T0);
    const sink = new RecordingSink();
    const poller = makePoller(dir, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(3 * MIN);
    sink.hold();
    await vi.advanceTimersByTimeAsync(5 * MIN);
    const before = sink.readings.length;
    sink.release();
    await vi.advanceTimersByTimeAsync(1 * MIN);
    await poller.stop();
    expect(sink.readings.length).toBeGreaterThan(before);
    const ts = sink.readings.map((r) => r.reading.timestamp);
    expect(ts).toEqual([...new Set(ts)].sort((a, b) => a - b));
  });

  it('writes its state file 0600 in a 0700 directory and survives a corrupt file', async () => {
    const upstream = new FakeUpstream(T0);
    const sink = new RecordingSink();
    const sub = join(dir, 'data');
    let poller = makePoller(sub, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(2 * MIN);
    await poller.stop();
    const file = join(sub, 'acct_test.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(sub).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8')).patients['p-1'].slug).toBe('anna_smith');
    writeFileSync(file, '{not json');
    poller = makePoller(sub, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(2 * MIN);
    await poller.stop();
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe(1);
  });
});
