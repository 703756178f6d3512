// Several account pollers feeding one shared record per person (fake upstreams, fake timers).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountPoller, type Tracked, trackedFrom } from '../../src/bridge/account-poller.js';
import { EMPTY_ALERT_MEMORY } from '../../src/bridge/alerts.js';
import { EMPTY_CADENCE } from '../../src/bridge/cadence.js';
import { People } from '../../src/bridge/people.js';
import { ABSENCE_MS } from '../../src/bridge/presence.js';
import { SlugRegistry } from '../../src/bridge/slugs.js';
import { AccountStore } from '../../src/bridge/store.js';
import type { AccountConfig } from '../../src/config/types.js';
import type { ConnectionsAnswer } from '../../src/librelinkup/client.js';
import { LluError } from '../../src/librelinkup/errors.js';
import { silentLogger } from '../../src/log.js';
import { FakeUpstream } from './fake-upstream.js';
import { connection, reading, T0 } from './fixtures.js';
import { RecordingSink } from './recording-sink.js';

const MIN = 60_000;
/** Every reading of the fake (100-149 mg/dL) is below this target: one `low` on the first one, none after. */
const LOW_TARGETS = { targetLowMgdl: 160, targetHighMgdl: 250 };

function account(email: string): AccountConfig {
  return {
    email,
    password: 'pw',
    region: 'auto',
    api_url: 'http://127.0.0.1:1',
    region_url: 'http://127.0.0.1:1/r/{region}',
    accept_terms: false,
    version: '4.16.0',
  };
}

function makePollers(dir: string, upstreams: FakeUpstream[], sink: RecordingSink): AccountPoller[] {
  const keys = upstreams.map((_, i) => `acct_${i}`);
  const stores = keys.map((k) => new AccountStore(dir, k, silentLogger()));
  const persisted = stores.map((s) => s.load('fp'));
  const people = new People<Tracked>(
    keys.map((key) => ({ key, follows: () => true })),
    new SlugRegistry(),
    trackedFrom,
  );
  people.load(
    persisted.map((p, i) => ({ key: keys[i]!, patients: p.patients, gone: p.gone })),
    Date.now(),
  );
  return upstreams.map(
    (client, i) =>
      new AccountPoller({
        key: keys[i]!,
        label: `f${i}***@example.com`,
        account: account(`f${i}@example.com`),
        poll: { interval: 60, min_interval: 10, timeout: 20 },
        client,
        store: stores[i]!,
        persisted: persisted[i]!,
        sink,
        people,
        patientConfigs: new Map(keys.map((k) => [k, undefined])),
        logger: silentLogger(),
        spread: i / upstreams.length,
        random: () => 0.5,
      }),
  );
}

/** Advance in small steps until `upstream` has answered `n` more connections calls. */
async function untilAnswers(upstream: FakeUpstream, n: number): Promise<void> {
  const target = upstream.calls.filter((c) => c === 'connections').length + n;
  for (let i = 0; i < 10_000 && upstream.calls.filter((c) => c === 'connections').length < target; i++)
    await vi.advanceTimersByTimeAsync(1_000);
}

describe('one person through several accounts', () => {
  let dir: string;
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 + 6_000 });
    dir = mkdtempSync(join(tmpdir(), 'llu-people-'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('publishes each reading once and fires each event once; the other account carries on when one fails', async () => {
    const a = new FakeUpstream(T0, MIN, 5_000, Date.now, LOW_TARGETS);
    const b = new FakeUpstream(T0, MIN, 5_000, Date.now, LOW_TARGETS);
    const sink = new RecordingSink();
    const pollers = makePollers(dir, [a, b], sink);
    for (const p of pollers) p.start();
    await vi.advanceTimersByTimeAsync(10 * MIN);
    a.failWith = new LluError('bad_credentials', 'status 2');
    const before = sink.readings.length;
    await vi.advanceTimersByTimeAsync(10 * MIN);
    for (const p of pollers) await p.stop();
    const ts = sink.readings.map((r) => r.reading.timestamp);
    expect(new Set(ts).size).toBe(ts.length);
    expect([...ts].sort((x, y) => x - y)).toEqual(ts);
    expect(sink.readings.length).toBeGreaterThan(before + 5);
    expect(new Set(sink.readings.map((r) => r.slug))).toEqual(new Set(['anna_smith']));
    expect(sink.alerts.filter((x) => x.alert.type === 'low')).toHaveLength(1);
    expect(sink.removed).toEqual([]);
    // The one graph read that seeds the history is made once per person, not once per account.
    expect([...a.calls, ...b.calls].filter((c) => c === 'graph')).toHaveLength(1);
  });

  it("an account whose answers lag one reading behind the other's repeats nothing (no timeline adopted from known readings)", async () => {
    const a = new FakeUpstream(T0, MIN, 5_000, Date.now, LOW_TARGETS);
    // The same person through a second account whose answers show each reading a minute later.
    const b = new FakeUpstream(T0, MIN, 65_000, Date.now, LOW_TARGETS);
    const sink = new RecordingSink();
    const pollers = makePollers(dir, [a, b], sink);
    for (const p of pollers) p.start();
    await vi.advanceTimersByTimeAsync(20 * MIN);
    for (const p of pollers) await p.stop();
    const ts = sink.readings.map((r) => r.reading.timestamp);
    expect(ts.length).toBeGreaterThan(15);
    expect(new Set(ts).size).toBe(ts.length);
    expect([...ts].sort((x, y) => x - y)).toEqual(ts);
  });

  it('the same with this machine 3 h behind LibreLinkUp (history, judged by this clock, holds none of the readings): still each reading once', async () => {
    const ahead = 3 * 60 * MIN;
    class Clocked extends FakeUpstream {
      async connectionsAnswer(): Promise<ConnectionsAnswer> {
        const connections = await this.connections();
        return { connections, upstreamNow: Date.now() + ahead, clockFromHeader: true, issues: [] };
      }
    }
    const a = new Clocked(T0 + ahead, MIN, 5_000, () => Date.now() + ahead, LOW_TARGETS);
    const b = new Clocked(T0 + ahead, MIN, 65_000, () => Date.now() + ahead, LOW_TARGETS);
    const sink = new RecordingSink();
    const pollers = makePollers(dir, [a, b], sink);
    for (const p of pollers) p.start();
    await vi.advanceTimersByTimeAsync(20 * MIN);
    for (const p of pollers) await p.stop();
    const ts = sink.readings.map((r) => r.reading.timestamp);
    expect(ts.length).toBeGreaterThan(15);
    expect(new Set(ts).size).toBe(ts.length);
  });

  it('a stored reading from the future held only by the account that answers second is never shown after the first answer', async () => {
    const future = reading(Date.now() + 2 * 60 * MIN, 40);
    // Only the second account's file holds the person (an older version stored the future reading).
    const store = new AccountStore(dir, 'acct_1', silentLogger());
    store.save({
      ...store.load('fp'),
      patients: {
        'p-1': {
          slug: 'anna_smith',
          connection: connection({ latest: future }),
          latest: future,
          log: { lastPublishedTs: future.timestamp, outbox: [], gap: null },
          alerts: EMPTY_ALERT_MEMORY,
          cadence: EMPTY_CADENCE,
        },
      },
    });
    store.flush();
    const a = new FakeUpstream(T0, MIN, 5_000, Date.now, LOW_TARGETS);
    const b = new FakeUpstream(T0, MIN, 5_000, Date.now, LOW_TARGETS);
    const sink = new RecordingSink();
    const pollers = makePollers(dir, [a, b], sink);
    for (const p of pollers) p.start();
    const shownAtStart = sink.snapshots.length;
    await untilAnswers(a, 1);
    const afterFirst = sink.snapshots.slice(shownAtStart);
    await vi.advanceTimersByTimeAsync(3 * MIN);
    for (const p of pollers) await p.stop();
    expect(afterFirst.length).toBeGreaterThan(0);
    expect(afterFirst.some((x) => x.latest?.timestamp === future.timestamp)).toBe(false);
    // The first real reading is published at the first answer, not one reading later.
    expect(sink.readings[0]?.reading.timestamp).toBe(a.readingsUntil(T0 + 6_000).at(-1)?.timestamp);
  });

  it('one transient empty answer removes nothing and repeats nothing', async () => {
    const a = new FakeUpstream(T0, MIN, 5_000, Date.now, LOW_TARGETS);
    const sink = new RecordingSink();
    const [poller] = makePollers(dir, [a], sink);
    poller!.start();
    await vi.advanceTimersByTimeAsync(5 * MIN);
    a.paused = Date.now();
    await untilAnswers(a, 1);
    a.present = false;
    await untilAnswers(a, 1);
    a.present = true;
    await untilAnswers(a, 2);
    a.paused = null;
    await vi.advanceTimersByTimeAsync(5 * MIN);
    await poller!.stop();
    const ts = sink.readings.map((r) => r.reading.timestamp);
    expect(new Set(ts).size).toBe(ts.length);
    expect(sink.removed).toEqual([]);
    expect(sink.alerts.filter((x) => x.alert.type === 'low')).toHaveLength(1);
  });

  it('removed after a confirmed absence, then back: nothing already published again', async () => {
    const a = new FakeUpstream(T0, MIN, 5_000, Date.now, LOW_TARGETS);
    const sink = new RecordingSink();
    const [poller] = makePollers(dir, [a], sink);
    poller!.start();
    await vi.advanceTimersByTimeAsync(5 * MIN);
    a.paused = Date.now();
    await untilAnswers(a, 1);
    a.present = false;
    await vi.advanceTimersByTimeAsync(ABSENCE_MS + 5 * MIN);
    expect(sink.removed.map((p) => p.slug)).toEqual(['anna_smith']);
    a.present = true;
    await untilAnswers(a, 2);
    await poller!.stop();
    const ts = sink.readings.map((r) => r.reading.timestamp);
    expect(new Set(ts).size).toBe(ts.length);
    expect(sink.alerts.filter((x) => x.alert.type === 'low')).toHaveLength(1);
    expect(sink.last('anna_smith')).toBeDefined();
  });

  it('a restart keeps the tombstone: back after a restart, nothing already published again', async () => {
    const a = new FakeUpstream(T0, MIN, 5_000, Date.now, LOW_TARGETS);
    const sink = new RecordingSink();
    let [poller] = makePollers(dir, [a], sink);
    poller!.start();
    await vi.advanceTimersByTimeAsync(5 * MIN);
    a.paused = Date.now();
    await untilAnswers(a, 1);
    a.present = false;
    await vi.advanceTimersByTimeAsync(ABSENCE_MS + 5 * MIN);
    await poller!.stop();
    expect(sink.removed).toHaveLength(1);
    [poller] = makePollers(dir, [a], sink);
    poller!.start();
    a.present = true;
    await untilAnswers(a, 2);
    await poller!.stop();
    const ts = sink.readings.map((r) => r.reading.timestamp);
    expect(new Set(ts).size).toBe(ts.length);
    expect(sink.alerts.filter((x) => x.alert.type === 'low')).toHaveLength(1);
  });
});
