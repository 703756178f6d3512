import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UpstreamClient } from '../../src/bridge/account-poller.js';
import { LluError } from '../../src/librelinkup/errors.js';
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

  it('marks the patient stale 15 minutes after the last reading and fires stale once', async () => {
    const upstream = new FakeUpstream(T0);
    const sink = new RecordingSink();
    const poller = makePoller(dir, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(2 * MIN);
    upstream.failWith = new LluError('server', 'HTTP 503', { httpStatus: 503 });
    await vi.advanceTimersByTimeAsync(20 * MIN);
    await poller.stop();
    expect(sink.last('anna_smith')?.stale).toBe(true);
    expect(sink.alerts.filter((a) => a.alert.type === 'stale')).toHaveLength(1);
    expect(sink.lastAccount()?.ok).toBe(false);
    expect(sink.lastAccount()?.errorKind).toBe('server');
  });

  it('backs off after a wrong password: one attempt, the next no sooner than 5 minutes', async () => {
    const upstream = new FakeUpstream(T0);
    upstream.failWith = new LluError('bad_credentials', 'status 2');
    const sink = new RecordingSink();
    const poller = makePoller(dir, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(4 * MIN + 59_000);
    expect(upstream.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(upstream.calls).toHaveLength(2);
    await poller.stop();
    expect(sink.lastAccount()?.message).toMatch(/password/i);
  });

  it('failures of changing kinds still back off (no poll every few seconds while upstream flaps)', async () => {
    const upstream = new FakeUpstream(T0);
    const kinds = [
      new LluError('server', 'HTTP 502', { httpStatus: 502 }),
      new LluError('timeout', 'no answer'),
    ];
    let n = 0;
    const connections = upstream.connections.bind(upstream);
    upstream.connections = async () => {
      upstream.failWith = kinds[n++ % kinds.length]!;
      return connections();
    };
    const poller = makePoller(dir, upstream, new RecordingSink());
    poller.start();
    await vi.advanceTimersByTimeAsync(30 * MIN);
    await poller.stop();
    // 10 s doubling up to 15 min: about 9 attempts in 30 min; one every 5-10 s would be ~240.
    expect(upstream.calls.filter((c) => c === 'connections').length).toBeLessThanOrEqual(12);
  });

  it('a session refused on the graph stops the graph reads of that poll (each would be one more login)', async () => {
    const upstream = new FakeUpstream(T0);
    const connections = upstream.connections.bind(upstream);
    // Three people on the account; the real client logs in again before each refused graph read.
    upstream.connections = async () => {
      const [c] = await connections();
      return ['p-1', 'p-2', 'p-3'].map((patientId, i) => ({ ...c!, patientId, firstName: `P${i}` }));
    };
    upstream.graph = async () => {
      upstream.calls.push('graph');
      throw new LluError('unauthorized', 'HTTP 401 after a fresh login');
    };
    const poller = makePoller(dir, upstream, new RecordingSink());
    poller.start();
    await vi.advanceTimersByTimeAsync(30_000);
    const firstPolls = upstream.calls.filter((c) => c === 'connections').length;
    await poller.stop();
    expect(firstPolls).toBeGreaterThanOrEqual(1);
    expect(upstream.calls.filter((c) => c === 'graph').length).toBeLessThanOrEqual(firstPolls);
  });

  it('a retry after a failure waits at least min_interval', async () => {
    const upstream = new FakeUpstream(T0);
    upstream.failWith = new LluError('network', 'ECONNRESET');
    const poller = singleAccountPoller({
      dir,
      client: upstream,
      sink: new RecordingSink(),
      poll: { interval: 300, min_interval: 60, timeout: 20 },
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(59_000);
    expect(upstream.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(upstream.calls).toHaveLength(2);
    await poller.stop();
  });

  it('sends nothing to a locked account until the lockout ends', async () => {
    const upstream = new FakeUpstream(T0);
    upstream.failWith = new LluError('locked', 'locked', { retryAt: Date.now() + 300_000 });
    const sink = new RecordingSink();
    const poller = makePoller(dir, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(1_000);
    upstream.failWith = null;
    poller.pollNow();
    await vi.advanceTimersByTimeAsync(298_000);
    expect(upstream.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(upstream.calls.filter((c) => c === 'connections')).toHaveLength(2);
    await poller.stop();
  });

  it('seeds the in-memory history from one graph read at start, so time in range has data at once', async () => {
    const upstream = new FakeUpstream(T0 - 6 * 60 * MIN);
    const sink = new RecordingSink();
    const poller = makePoller(dir, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(2 * MIN);
    const [view] = poller.patientViews();
    // ~6 h of 5-minute graph points (minus the graph's 15 min lag) plus the live readings.
    expect(view!.history.length).toBeGreaterThan(60);
    expect(upstream.calls.filter((c) => c === 'graph')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10 * MIN);
    expect(upstream.calls.filter((c) => c === 'graph')).toHaveLength(1);
    await poller.stop();
  });

  it('removes a patient that is no longer shared, once the absence is confirmed', async () => {
    const upstream = new FakeUpstream(T0);
    const sink = new RecordingSink();
    const poller = makePoller(dir, upstream, sink);
    poller.start();
    await vi.advanceTimersByTimeAsync(2 * MIN);
    upstream.present = false;
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(sink.removed).toEqual([]);
    await vi.advanceTimersByTimeAsync(10 * MIN);
    await poller.stop();
    expect(sink.removed.map((p) => p.patientId)).toEqual(['p-1']);
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
