// A bug of ours (a TypeError anywhere in a poll) is the kind `internal`: logged at error with its
// stack, shown as a bug to report, never as LibreLinkUp being unreachable; the poller keeps polling.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { INTERNAL_MAX_MS, retryDelay, TRANSIENT_BASE_MS } from '../../src/bridge/backoff.js';
import type { AccountStatus } from '../../src/bridge/events.js';
import { healthReport } from '../../src/http/health.js';
import { internalError } from '../../src/librelinkup/errors.js';
import { createLogger } from '../../src/log.js';
import { captureLogs } from '../helpers/logs.js';
import { FakeUpstream } from './fake-upstream.js';
import { T0 } from './fixtures.js';
import { RecordingSink } from './recording-sink.js';
import { singleAccountPoller } from './single-account.js';

const MIN = 60_000;

/** An upstream whose connections() hits a bug of ours while `broken` is set. */
class BuggyUpstream extends FakeUpstream {
  broken = true;
  override async connections() {
    if (this.broken) {
      this.stats.requests++;
      this.calls.push('connections');
      const connection = undefined as unknown as { patientId: string };
      // A real TypeError with a real stack, as a bug in our parsing would throw.
      return [connection.patientId] as never;
    }
    return super.connections();
  }
}

describe('our own errors', () => {
  let dir: string;
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 + 6_000 });
    dir = mkdtempSync(join(tmpdir(), 'llu-internal-'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a TypeError in a poll is `internal`, logged with its stack, and the poller keeps polling', async () => {
    const upstream = new BuggyUpstream(T0);
    const sink = new RecordingSink();
    const { capture, destination } = captureLogs();
    const poller = singleAccountPoller({
      dir,
      client: upstream,
      sink,
      logger: createLogger({ level: 'debug', destination }),
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(1_000);
    const failed = sink.accounts.at(-1)!;
    expect(failed).toMatchObject({ ok: false, errorKind: 'internal' });
    expect(failed.message).toMatch(
      /^A bug in librelinkup2mqtt \(TypeError: Cannot read properties of undefined/,
    );
    expect(failed.message).toMatch(/please report it with the log/);
    expect(failed.message).not.toMatch(/unreachable|network/i);
    const line = JSON.parse(capture.lines.find((l) => l.includes('"kind":"internal"'))!) as {
      level: string;
      err: { type: string; stack: string };
    };
    expect(line.level).toBe('error');
    expect(line.err.type).toBe('TypeError');
    expect(line.err.stack).toMatch(/internal-errors\.test\.ts/);

    // It keeps polling (backing off), and recovers as soon as the bug is not hit any more.
    await vi.advanceTimersByTimeAsync(2 * MIN);
    const attempts = upstream.calls.filter((c) => c === 'connections').length;
    expect(attempts).toBeGreaterThanOrEqual(3);
    upstream.broken = false;
    await vi.advanceTimersByTimeAsync(INTERNAL_MAX_MS);
    expect(sink.accounts.at(-1)).toMatchObject({ ok: true, errorKind: null });
    expect(sink.readings.length).toBeGreaterThan(0);
    await poller.stop();
  });

  it('backs off like a transient fault, capped lower than for a struggling server', () => {
    const err = internalError(new TypeError('x'));
    const delays = [1, 2, 3, 10, 50].map((n) => retryDelay(err, n, T0, () => 1));
    expect(delays[0]).toBe(TRANSIENT_BASE_MS);
    expect(delays[1]).toBe(2 * TRANSIENT_BASE_MS);
    expect(delays.at(-1)).toBe(INTERNAL_MAX_MS);
    for (const d of [1, 2, 20].map((n) => retryDelay(err, n, T0, () => 0))) expect(d).toBeGreaterThan(0);
  });

  it('wraps anything thrown, keeping it as the cause', () => {
    const bug = new RangeError('Invalid time value');
    expect(internalError(bug)).toMatchObject({ kind: 'internal', cause: bug });
    expect(internalError('a string').message).toMatch(/a string/);
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    expect(internalError(hostile).kind).toBe('internal');
  });

  it('/health: a lasting bug is not a user action; after 30 minutes the bridge counts as down', () => {
    const status: AccountStatus = {
      key: 'acct_test',
      label: 'fo***@example.com',
      ok: false,
      errorKind: 'internal',
      message: 'A bug in librelinkup2mqtt (TypeError: x): please report it with the log',
      lastSuccessAt: null,
      lastErrorAt: T0,
      nextPollAt: null,
      blockedUntil: null,
      requests: 1,
      logins: 1,
    };
    const report = healthReport({
      brokerConnected: true,
      accounts: [status],
      now: T0 + 31 * MIN,
      startedAt: T0,
    });
    expect(report.httpStatus).toBe(503);
    expect(report.body.accounts[0]).toMatchObject({ error_kind: 'internal' });
    expect(report.body.reasons[0]).toMatch(/A bug in librelinkup2mqtt/);
  });

  function poller(upstream: FakeUpstream, sink: RecordingSink) {
    const { capture, destination } = captureLogs();
    const p = singleAccountPoller({
      dir,
      client: upstream,
      sink,
      logger: createLogger({ level: 'debug', destination }),
    });
    return { poller: p, logs: capture };
  }

  it('a bug while the stale timer fires is logged with its stack, not thrown out of the timer; polling goes on', async () => {
    const upstream = new FakeUpstream(T0);
    const sink = new RecordingSink();
    const patientChanged = sink.patientChanged.bind(sink);
    sink.patientChanged = (p) => {
      if (p.stale) throw new TypeError('boom in a stale snapshot');
      patientChanged(p);
    };
    const { poller: p, logs } = poller(upstream, sink);
    p.start();
    await vi.advanceTimersByTimeAsync(3 * MIN);
    upstream.paused = Date.now();
    // Throws out of the fake clock if the timer lets the error escape.
    await vi.advanceTimersByTimeAsync(20 * MIN);
    const calls = upstream.calls.length;
    upstream.paused = null;
    await vi.advanceTimersByTimeAsync(5 * MIN);
    await p.stop();
    expect(upstream.calls.length).toBeGreaterThan(calls);
    expect(logs.text()).toContain('boom in a stale snapshot');
    expect(logs.text()).toMatch(/internal-errors\.test\.ts/);
  });

  it('a bug while publishing the account status after a poll never stops the polling', async () => {
    const upstream = new FakeUpstream(T0);
    const sink = new RecordingSink();
    let calls = 0;
    sink.accountChanged = () => {
      calls++;
      if (calls === 2) throw new TypeError('boom in accountChanged');
    };
    const { poller: p, logs } = poller(upstream, sink);
    p.start();
    await vi.advanceTimersByTimeAsync(10 * MIN);
    await p.stop();
    expect(upstream.calls.filter((c) => c === 'connections').length).toBeGreaterThan(5);
    expect(logs.text()).toContain('boom in accountChanged');
  });

  it('a bug while reading the graph is `internal` with its stack, not an unnamed upstream problem', async () => {
    const upstream = new FakeUpstream(T0);
    upstream.graph = async () => {
      const graph = undefined as unknown as { readings: [] };
      return graph.readings as never;
    };
    const { poller: p, logs } = poller(upstream, new RecordingSink());
    p.start();
    await vi.advanceTimersByTimeAsync(2 * MIN);
    await p.stop();
    const line = logs.lines.find((l) => l.includes('could not read the graph'));
    expect(line).toBeDefined();
    expect(line).toContain('"kind":"internal"');
    expect(line).toMatch(/internal-errors\.test\.ts/);
  });

  it('a bug while showing what was stored, at start, neither fails the start nor stops the polling', async () => {
    const upstream = new FakeUpstream(T0);
    const first = poller(upstream, new RecordingSink());
    first.poller.start();
    await vi.advanceTimersByTimeAsync(2 * MIN);
    await first.poller.stop();
    const sink = new RecordingSink();
    const patientChanged = sink.patientChanged.bind(sink);
    let calls = 0;
    sink.patientChanged = (p) => {
      if (calls++ === 0) throw new TypeError('boom at start');
      patientChanged(p);
    };
    const again = poller(upstream, sink);
    expect(() => again.poller.start()).not.toThrow();
    await vi.advanceTimersByTimeAsync(2 * MIN);
    await again.poller.stop();
    expect(sink.readings.length).toBeGreaterThan(0);
    expect(again.logs.text()).toContain('boom at start');
  });

  it('a bug with one person of the account keeps the others updated (their readings published)', async () => {
    const upstream = new FakeUpstream(T0);
    const connections = upstream.connections.bind(upstream);
    upstream.connections = async () => {
      const [c] = await connections();
      return [c!, { ...c!, patientId: 'p-2', firstName: 'Bob' }];
    };
    const sink = new RecordingSink();
    const patientChanged = sink.patientChanged.bind(sink);
    sink.patientChanged = (p) => {
      if (p.patientId === 'p-1') throw new TypeError('boom with one person');
      patientChanged(p);
    };
    const { poller: p, logs } = poller(upstream, sink);
    p.start();
    await vi.advanceTimersByTimeAsync(5 * MIN);
    await p.stop();
    expect(sink.readings.filter((r) => r.slug === 'bob_smith').length).toBeGreaterThanOrEqual(4);
    expect(logs.text()).toContain('boom with one person');
  });
});
