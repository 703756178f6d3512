// The runner around the account core: one timer, one request in flight, and a stop that leaves
// nothing behind (no timer armed, no request unanswered).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountPoller, STOP_WAIT_MS } from '../../src/bridge/account-poller.js';
import { AccountStore } from '../../src/bridge/store.js';
import type { Connection } from '../../src/librelinkup/model.js';
import { silentLogger } from '../../src/log.js';
import { FakeUpstream } from './fake-upstream.js';
import { connection, reading, T0 } from './fixtures.js';
import { RecordingSink } from './recording-sink.js';
import { singleAccountPeople, singleAccountPoller, TEST_ACCOUNT } from './single-account.js';

describe('AccountPoller runner', () => {
  let dir: string;
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 + 6_000 });
    dir = mkdtempSync(join(tmpdir(), 'llu-runner-'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps one timer, and stop() cancels it even with a publish retry and a stale reading pending', async () => {
    const upstream = new FakeUpstream(T0);
    const sink = new RecordingSink();
    sink.reading = async () => {
      throw new Error('broker offline');
    };
    const poller = singleAccountPoller({ dir, client: upstream, sink });
    poller.start();
    // A poll done, its reading refused by the sink (a retry is due in 5 s), the reading not yet stale.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(upstream.calls).toContain('connections');
    expect(vi.getTimerCount()).toBe(1);
    await poller.stop();
    expect(vi.getTimerCount()).toBe(0);
    const calls = upstream.calls.length;
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(upstream.calls.length).toBe(calls);
  });

  it('stop() waits for the request in flight, then asks nothing more', async () => {
    const upstream = new FakeUpstream(T0);
    let asked = 0;
    let answer: (value: Connection[]) => void = () => {};
    upstream.connections = () => {
      asked++;
      return new Promise((resolve) => {
        answer = resolve;
      });
    };
    const sink = new RecordingSink();
    const poller = singleAccountPoller({ dir, client: upstream, sink });
    poller.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(asked).toBe(1);
    let stopped = false;
    const stopping = poller.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(STOP_WAIT_MS - 100);
    expect(stopped).toBe(false);
    answer([connection({ latest: reading(T0, 120) })]);
    await stopping;
    expect(stopped).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    // The answer that came after stop is dropped (the next run asks again): no graph read, no publish.
    expect(asked).toBe(1);
    expect(upstream.calls).toEqual([]);
    expect(sink.readings).toEqual([]);
  });

  it('stop() waits at most STOP_WAIT_MS for a request that hangs', async () => {
    const upstream = new FakeUpstream(T0);
    upstream.connections = () => new Promise(() => {});
    const poller = singleAccountPoller({ dir, client: upstream, sink: new RecordingSink() });
    poller.start();
    await vi.advanceTimersByTimeAsync(1_000);
    let stopped = false;
    const stopping = poller.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(STOP_WAIT_MS);
    await stopping;
    expect(stopped).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a bug in the core while taking an answer fails that poll as `internal`; the polling goes on', async () => {
    const upstream = new FakeUpstream(T0);
    const sink = new RecordingSink();
    const store = new AccountStore(dir, 'acct_test', silentLogger());
    const persisted = store.load('fp');
    const { people, patientConfigs } = singleAccountPeople('acct_test', TEST_ACCOUNT, persisted);
    let broken = true;
    const seenBy = people.seenBy.bind(people);
    people.seenBy = (key) => {
      if (broken) throw new TypeError('boom in the core');
      return seenBy(key);
    };
    const poller = new AccountPoller({
      key: 'acct_test',
      label: 'fo***@example.com',
      account: TEST_ACCOUNT,
      poll: { interval: 60, min_interval: 10, timeout: 20 },
      client: upstream,
      store,
      persisted,
      sink,
      people,
      patientConfigs,
      logger: silentLogger(),
      spread: 0,
      random: () => 0.5,
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(poller.status()).toMatchObject({ ok: false, errorKind: 'internal' });
    broken = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(poller.status()).toMatchObject({ ok: true });
    await poller.stop();
  });
});
