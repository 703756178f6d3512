// The real bridge end to end: fake LibreLinkUp server → bridge → MQTT (in-process aedes).
import { describe, expect, it, type TestContext } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import { cleanupFor } from './cleanup.js';
import { Collector, waitUntil } from './collector.js';
import { configFor, type RunningBridge, runBridge, startSim } from './harness.js';
import { EMAIL, MGDL_PATIENT, MMOL_PATIENT, movableClock, PASSWORD, twoPatients } from './world.js';

const BASE = 'librelinkup2mqtt';
type State = { glucose_mgdl: number; glucose: number; unit: string; timestamp: string; trend: string | null };
type ReadingMsg = { timestamp: string; glucose_mgdl: number };

/**
 * For the tests that must see every 1 s reading: polls at most half a period apart, so one poll
 * late by a moment on a busy machine (other tests run alongside) still finds each reading before
 * the next replaces it. Each reading is then seen more than once, which is what "once" checks.
 */
const CONTINUOUS = { interval: 0.5, min_interval: 0.25, timeout: 5 };

describe.concurrent('bridge end to end', () => {
  // Readings come every second, so the longest poll spacing is one second too: the ratio production
  // has (60 s readings, 60 s interval). A longer interval would miss readings while learning the cadence.
  async function setup(
    ctx: TestContext,
    clock = movableClock(),
    poll = { interval: 1, min_interval: 0.25, timeout: 5 },
  ) {
    const defer = cleanupFor(ctx);
    const world = twoPatients(clock.now);
    const sim = await startSim(world);
    defer(() => sim.close());
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    defer(() => broker.close());
    const config = configFor(sim, broker.url, { poll }, world);
    const collector = await Collector.connect(broker.url, [`${BASE}/#`, 'homeassistant/#']);
    defer(() => collector.close());
    const start = async (now?: () => number): Promise<RunningBridge> => {
      const bridge = await runBridge(config, now);
      defer(() => bridge.stop());
      return bridge;
    };
    return { sim, broker, config, collector, clock, world, start };
  }

  /**
   * Starts the bridge with upstream time held until its first reading is out: logging in and the
   * first poll may take longer than one 1 s reading period on a loaded machine, which would cost a
   * reading the test then misses (production readings are a minute apart).
   */
  async function startSettled(
    clock: ReturnType<typeof movableClock>,
    collector: Collector,
    start: (now?: () => number) => Promise<RunningBridge>,
  ): Promise<RunningBridge> {
    clock.hold();
    const bridge = await start(clock.now);
    await waitUntil(() => readingsOf(collector, 'anna_smith').length >= 1, 'the first reading');
    clock.release();
    return bridge;
  }

  function readingsOf(collector: Collector, slug: string): ReadingMsg[] {
    return collector.on(`${BASE}/${slug}/reading`).map((m) => JSON.parse(m.payload) as ReadingMsg);
  }

  it('logs in through the region redirect, polls connections and publishes every patient', async (ctx) => {
    const { sim, collector, start } = await setup(ctx);
    const bridge = await start();
    await waitUntil(
      () =>
        collector.json(`${BASE}/anna_smith/state`) !== undefined &&
        collector.json(`${BASE}/ben_jones/state`) !== undefined,
      'both patients state',
    );
    const logins = sim.requests.filter((r) => r.endpoint === 'login');
    expect(logins.map((r) => [r.region, r.outcome])).toEqual([
      [null, 'redirect'],
      ['eu2', 'ok'],
    ]);
    const conn = sim.requests.find((r) => r.endpoint === 'connections');
    expect(conn?.region).toBe('eu2');
    expect(conn?.headers['account-id']).toMatch(/^[0-9a-f]{64}$/);
    expect(conn?.headers.product).toBe('llu.android');

    const anna = collector.json<State>(`${BASE}/anna_smith/state`)!;
    const truthA = sim
      .readingsOf(MGDL_PATIENT)
      .find((r) => new Date(r.timestamp).toISOString() === anna.timestamp);
    expect(truthA?.mgdl).toBe(anna.glucose_mgdl);
    expect(anna).toMatchObject({ unit: 'mg/dL', glucose: anna.glucose_mgdl });

    const ben = collector.json<State>(`${BASE}/ben_jones/state`)!;
    const truthB = sim
      .readingsOf(MMOL_PATIENT)
      .find((r) => new Date(r.timestamp).toISOString() === ben.timestamp);
    expect(truthB?.mgdl).toBe(ben.glucose_mgdl);
    expect(ben.unit).toBe('mmol/L');
    expect(ben.glucose).toBe(Math.round((ben.glucose_mgdl / 18) * 10) / 10);
    expect(ben.trend).toBeNull(); // TrendArrow 0 is unknown, never a made-up trend
    expect(bridge.logs.text()).toContain('new reading');
  });

  it('delivers a 1 s cadence stream of 20 readings once and in order', async (ctx) => {
    const { sim, collector, clock, start } = await setup(ctx, undefined, CONTINUOUS);
    await startSettled(clock, collector, start);
    // Upstream time moves one reading at a time, each once the bridge has shown the one before: a
    // loaded machine cannot make a poll miss a 1 s reading (which would then come backfilled, after
    // newer live ones, as the contract allows), so the order checked is the bridge's, not the load's.
    clock.hold();
    for (let i = 0; i < 20; i++) {
      clock.advance(1_000);
      const latest = sim.readingsOf(MGDL_PATIENT).at(-1)!.timestamp;
      await waitUntil(
        () => readingsOf(collector, 'anna_smith').some((r) => Date.parse(r.timestamp) === latest),
        `reading ${i + 2} of 21`,
      );
    }
    clock.release();
    await waitUntil(() => readingsOf(collector, 'anna_smith').length >= 21, '21 readings', 40_000);
    const got = readingsOf(collector, 'anna_smith').map((r) => Date.parse(r.timestamp));
    const truth = sim.readingsOf(MGDL_PATIENT).map((r) => r.timestamp);
    const first = truth.indexOf(got[0]!);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(got.slice(0, 21)).toEqual(truth.slice(first, first + 21));
  });

  it('restarts with the same data_dir: no login, no duplicate, no gap', async (ctx) => {
    const { sim, collector, clock, start } = await setup(ctx, undefined, CONTINUOUS);
    const first = await startSettled(clock, collector, start);
    await waitUntil(() => readingsOf(collector, 'anna_smith').length >= 5, '5 readings');
    // Upstream time stands still while the bridge restarts, then exactly one reading comes while
    // it is down: how long a restart takes on a loaded machine cannot turn into a missed reading.
    clock.hold();
    const latest = sim.readingsOf(MGDL_PATIENT).at(-1)!.timestamp;
    await waitUntil(
      () => readingsOf(collector, 'anna_smith').some((r) => Date.parse(r.timestamp) === latest),
      'the latest reading',
    );
    await first.stop();
    clock.advance(1_000);
    const loginsBefore = sim.requests.filter((r) => r.endpoint === 'login').length;
    await start(clock.now);
    clock.release();
    await waitUntil(() => readingsOf(collector, 'anna_smith').length >= 12, '12 readings', 30_000);
    expect(sim.requests.filter((r) => r.endpoint === 'login').length).toBe(loginsBefore);
    const got = readingsOf(collector, 'anna_smith').map((r) => Date.parse(r.timestamp));
    expect(new Set(got).size).toBe(got.length);
    const truth = sim.readingsOf(MGDL_PATIENT).map((r) => r.timestamp);
    const start0 = truth.indexOf(got[0]!);
    expect(got).toEqual(truth.slice(start0, start0 + got.length));
  });

  it('re-logs in exactly once when upstream revokes the token', async (ctx) => {
    const { sim, collector, start } = await setup(ctx);
    await start();
    await waitUntil(() => readingsOf(collector, 'anna_smith').length >= 2, 'first readings');
    const before = sim.requests.filter((r) => r.endpoint === 'login' && r.outcome === 'ok').length;
    sim.revokeTokens(EMAIL);
    const seen = readingsOf(collector, 'anna_smith').length;
    await waitUntil(
      () => readingsOf(collector, 'anna_smith').length >= seen + 4,
      'readings after revocation',
    );
    expect(sim.requests.filter((r) => r.endpoint === 'login' && r.outcome === 'ok').length).toBe(before + 1);
  });

  it('reports a wrong password on the problem entity and does not retry within 30 s', async (ctx) => {
    const { sim, collector, start } = await setup(ctx);
    sim.setPassword(EMAIL, `${PASSWORD}-changed`);
    const bridge = await start();
    const accountTopic = (t: string) => /^librelinkup2mqtt\/bridge\/acct_[0-9a-f]{8}\/state$/.test(t);
    await waitUntil(
      () => [...collector.last.entries()].some(([t, p]) => accountTopic(t) && p.includes('bad_credentials')),
      'account problem state',
    );
    const state = [...collector.last.entries()].find(([t]) => accountTopic(t))![1];
    expect(JSON.parse(state)).toMatchObject({ ok: false, error_kind: 'bad_credentials' });
    expect(state.toLowerCase()).toContain('password');
    // One attempt only (each counts toward Abbott's lockout); the fake refuses it at the global host.
    const logins = sim.requests.filter((r) => r.endpoint === 'login');
    expect(logins.map((r) => r.outcome)).toEqual(['bad_credentials']);
    // The next attempt is planned 30 s or more after it (the account state names when), so there is
    // no need to sit and watch for a retry.
    const blockedUntil = Date.parse((JSON.parse(state) as { blocked_until: string }).blocked_until);
    expect(blockedUntil - logins[0]!.at).toBeGreaterThanOrEqual(30_000);
    expect(bridge.app.bridge.accounts()[0]!.nextPollAt ?? Number.POSITIVE_INFINITY).toBeGreaterThanOrEqual(
      blockedUntil,
    );
    const text = bridge.logs.text();
    expect(text).toMatch(/password/i);
    expect(text).not.toContain(PASSWORD);
  });

  it('turns the patient stale 15 minutes after the last reading, keeping the timestamp', async (ctx) => {
    const clock = movableClock();
    const { sim, collector, start } = await setup(ctx, clock);
    await start(clock.now);
    await waitUntil(() => collector.last.get(`${BASE}/anna_smith/availability`) === 'online', 'fresh');
    sim.pauseReadings(MGDL_PATIENT);
    clock.advance(16 * 60_000);
    await waitUntil(() => collector.last.get(`${BASE}/anna_smith/availability`) === 'offline', 'stale');
    const events = collector.on(`${BASE}/anna_smith/event`).map((m) => JSON.parse(m.payload).event_type);
    expect(events.filter((e) => e === 'stale')).toHaveLength(1);
    expect(collector.json<State>(`${BASE}/anna_smith/state`)?.timestamp).toBeDefined();
  });

  it('never logs or publishes the password, token or Account-Id at debug level', async (ctx) => {
    const { sim, collector, start } = await setup(ctx);
    const bridge = await start();
    await waitUntil(() => readingsOf(collector, 'anna_smith').length >= 3, 'readings');
    sim.revokeTokens(EMAIL);
    await waitUntil(() => readingsOf(collector, 'anna_smith').length >= 6, 'readings after re-login');
    const conn = sim.requests.filter((r) => r.endpoint === 'connections');
    const secrets = new Set<string>([PASSWORD]);
    for (const r of conn) {
      secrets.add(r.headers['account-id']!);
      secrets.add(r.headers.authorization!.replace(/^Bearer /, ''));
    }
    const everything = `${bridge.logs.text()}\n${collector.messages.map((m) => `${m.topic} ${m.payload}`).join('\n')}`;
    expect(bridge.logs.lines.length).toBeGreaterThan(10);
    for (const s of secrets) expect(everything).not.toContain(s);
  });
});
