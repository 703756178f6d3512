// One person, one stream, end to end: a person followed through several configured accounts is one
// device with one reading stream and one event stream; their entities go only when no account follows
// them any more and the absence is confirmed; a person who comes back gets nothing already published.
// Real bridge + Home Assistant publisher + aedes + the fake LibreLinkUp server; time jumps use a
// movable clock that the bridge and the fake share.
import { describe, expect, it, type TestContext } from 'vitest';
import { MAX_GAP_HOLD_MS } from '../../src/bridge/outbox.js';
import { ABSENCE_ANSWERS, ABSENCE_MS } from '../../src/bridge/presence.js';
import { BRIDGE_ID, patientNode } from '../../src/homeassistant/discovery.js';
import { silentLogger } from '../../src/log.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import type { FakeLibreLinkUpServer, SimOptions } from '../../src/simulator/types.js';
import { Collector, waitUntil } from './collector.js';
import { configFor, type RunningBridge, runBridge, startSim } from './harness.js';
import { EMAIL, MGDL_PATIENT, movableClock, PASSWORD, USER_ID } from './world.js';

const BASE = 'librelinkup2mqtt';
const EMAIL_B = 'second.follower@example.com';
const ANNA = MGDL_PATIENT;
const READING = `${BASE}/anna_smith/reading`;
const EVENT = `${BASE}/anna_smith/event`;

/** Anna, at a steady 60 mg/dL (below her 70 target: one `low` when first seen, none after), a reading a second. */
function annaWorld(now: () => number, emails: string[]): SimOptions {
  return {
    now,
    accounts: emails.map((email, i) => ({
      email,
      password: PASSWORD,
      ...(i === 0 ? { userId: USER_ID } : {}),
      region: 'eu2',
      patients: [ANNA],
    })),
    patients: [
      {
        patientId: ANNA,
        firstName: 'Anna',
        lastName: 'Smith',
        unit: 'mg/dL',
        targetLow: 70,
        targetHigh: 180,
        periodMs: 1_000,
        firstReadingAt: now() - 10 * 60_000,
        curve: () => 60,
        trendArrow: 3,
      },
    ],
  };
}

// Each test has its own fake server, broker and bridge, so they run side by side.
describe.concurrent('one person, one stream (several accounts)', () => {
  async function setup({ onTestFinished }: TestContext, emails: string[]) {
    const cleanups: Array<() => Promise<unknown>> = [];
    onTestFinished(async () => {
      for (const c of cleanups.reverse()) await c().catch(() => {});
    });
    const clock = movableClock();
    const world = annaWorld(clock.now, emails);
    const sim = await startSim(world);
    cleanups.push(() => sim.close());
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    cleanups.push(() => broker.close());
    const collector = await Collector.connect(broker.url, [`${BASE}/#`, 'homeassistant/#']);
    cleanups.push(() => collector.close());
    const config = configFor(
      sim,
      broker.url,
      { poll: { interval: 1, min_interval: 0.25, timeout: 3 } },
      world,
    );
    let bridge: RunningBridge = await runBridge(config, clock.now);
    cleanups.push(() => bridge.stop());
    /** Stop and start again on the same data_dir. */
    const restart = async (): Promise<RunningBridge> => {
      await bridge.stop();
      bridge = await runBridge(config, clock.now);
      cleanups.push(() => bridge.stop());
      return bridge;
    };

    const stream = () =>
      collector.on(READING).map((m) => {
        const r = JSON.parse(m.payload) as { timestamp: string; backfilled?: boolean };
        return { t: Date.parse(r.timestamp), backfilled: r.backfilled === true };
      });
    const readings = () => stream().map((r) => r.t);
    const events = (type: string) =>
      collector
        .on(EVENT)
        .filter((m) => (JSON.parse(m.payload) as { event_type: string }).event_type === type);
    /** Patient devices with a live (non-empty, retained) discovery config. */
    const devices = () => {
      const ids = new Set<string>();
      for (const [topic, payload] of collector.last) {
        if (!topic.startsWith('homeassistant/') || payload === '') continue;
        const device = (JSON.parse(payload) as { device?: { identifiers?: string[]; via_device?: string } })
          .device;
        if (device?.via_device === BRIDGE_ID) for (const id of device.identifiers ?? []) ids.add(id);
      }
      return ids;
    };
    /** Empty retained configs published for Anna's entities (a removal). */
    const removals = () =>
      collector.messages.filter((m) => m.topic.includes(`/${patientNode(ANNA)}/`) && m.payload === '').length;
    const answers = (email: string) =>
      sim.requests.filter((r) => r.endpoint === 'connections' && r.email === email && r.outcome === 'ok')
        .length;
    /** Wait until every listed account has answered `n` more connections requests. */
    const moreAnswers = async (accounts: string[], n: number, what: string) => {
      const from = accounts.map(answers);
      await waitUntil(() => accounts.every((e, i) => answers(e) >= from[i]! + n), what);
    };
    return {
      sim,
      clock,
      collector,
      stream,
      bridge,
      restart,
      readings,
      events,
      devices,
      removals,
      answers,
      moreAnswers,
    };
  }

  /** Each reading once; oldest first within the live stream and within a backfill (not across them). */
  function expectOnceInOrder(
    msgs: ReadonlyArray<{ t: number; backfilled: boolean }>,
    sim: FakeLibreLinkUpServer,
  ): void {
    const ts = msgs.map((m) => m.t);
    expect(new Set(ts).size, 'a reading published twice').toBe(ts.length);
    for (const backfilled of [false, true]) {
      const part = msgs.filter((m) => m.backfilled === backfilled).map((m) => m.t);
      expect([...part].sort((a, b) => a - b)).toEqual(part);
    }
    const truth = new Set(sim.readingsOf(ANNA).map((r) => r.timestamp));
    for (const t of ts) expect(truth.has(t)).toBe(true);
  }

  it('(a) two accounts follow one person: one device, each reading once on /reading, each event once', async (ctx) => {
    const { sim, stream, readings, events, devices, moreAnswers } = await setup(ctx, [EMAIL, EMAIL_B]);
    await waitUntil(() => readings().length >= 5, 'readings');
    await moreAnswers([EMAIL, EMAIL_B], 3, 'both accounts answering');
    expectOnceInOrder(stream(), sim);
    expect(events('low')).toHaveLength(1);
    expect(devices()).toEqual(new Set([patientNode(ANNA)]));
  });

  it('(b) one account stops following: the entities stay and readings continue through the other', async (ctx) => {
    const { sim, stream, clock, bridge, readings, events, devices, removals, moreAnswers } = await setup(
      ctx,
      [EMAIL, EMAIL_B],
    );
    await waitUntil(() => readings().length >= 3, 'first readings');
    sim.unfollow(EMAIL, ANNA);
    await moreAnswers([EMAIL], ABSENCE_ANSWERS + 1, 'answers without Anna');
    // Past the confirmation time too: this account has confirmed it no longer follows her.
    clock.advance(ABSENCE_MS + 60_000);
    await moreAnswers([EMAIL, EMAIL_B], 2, 'answers after the confirmation time');
    const seen = readings().length;
    await waitUntil(() => readings().length >= seen + 3, 'readings through the other account');
    expect(removals()).toBe(0);
    expect(bridge.logs.text()).toContain('still followed through another account, entities kept');
    expect(devices()).toEqual(new Set([patientNode(ANNA)]));
    expectOnceInOrder(stream(), sim);
    expect(events('low')).toHaveLength(1);
  });

  it('(c) both stop following: entities removed only once the absence is confirmed', async (ctx) => {
    const { sim, clock, bridge, readings, devices, removals, moreAnswers } = await setup(ctx, [
      EMAIL,
      EMAIL_B,
    ]);
    await waitUntil(() => readings().length >= 3 && devices().size === 1, 'first readings');
    sim.unfollow(EMAIL, ANNA);
    sim.unfollow(EMAIL_B, ANNA);
    await moreAnswers([EMAIL, EMAIL_B], ABSENCE_ANSWERS + 2, 'answers without Anna');
    expect(removals(), 'removed before the confirmation time').toBe(0);
    expect(devices().size).toBe(1);
    expect(bridge.logs.text()).toContain("patient missing from this account's answer");
    clock.advance(ABSENCE_MS + 60_000);
    await waitUntil(() => devices().size === 0, 'entities removed after the confirmation');
    expect(bridge.logs.text()).toMatch(
      /no longer shared with any configured account .*removing its entities/,
    );
  });

  it('(d) one transient empty answer: nothing removed, no reading re-published, no event re-fired', async (ctx) => {
    const { sim, stream, readings, events, removals, moreAnswers } = await setup(ctx, [EMAIL]);
    await waitUntil(() => readings().length >= 3, 'first readings');
    // The newest reading stays the same across the glitch, as at night between two readings.
    sim.pauseReadings(ANNA);
    await moreAnswers([EMAIL], 2, 'answers after the pause');
    sim.hideFor(EMAIL, ANNA, 1);
    await moreAnswers([EMAIL], 3, 'answers around the glitch');
    sim.resumeReadings(ANNA);
    const seen = readings().length;
    await waitUntil(() => readings().length >= seen + 2, 'readings after the glitch');
    expect(removals()).toBe(0);
    expectOnceInOrder(stream(), sim);
    expect(events('low')).toHaveLength(1);
  });

  it('(e) gone (confirmed) and back: nothing already published is published again', async (ctx) => {
    const { sim, stream, clock, readings, events, devices, moreAnswers } = await setup(ctx, [EMAIL]);
    await waitUntil(() => readings().length >= 3 && devices().size === 1, 'first readings');
    sim.pauseReadings(ANNA);
    await moreAnswers([EMAIL], 2, 'answers after the pause');
    sim.unfollow(EMAIL, ANNA);
    await moreAnswers([EMAIL], ABSENCE_ANSWERS, 'answers without Anna');
    clock.advance(ABSENCE_MS + 60_000);
    await waitUntil(() => devices().size === 0, 'entities removed');
    const before = readings();
    sim.follow(EMAIL, ANNA);
    await waitUntil(() => devices().size === 1, 'entities back');
    await moreAnswers([EMAIL], 3, 'answers after the return');
    expect(readings(), 'an already published reading again').toEqual(before);
    expect(events('low')).toHaveLength(1);
    // Readings flow again; the ones missed while she was away are a gap the bridge holds its newer
    // readings for (waiting on the graph) at most MAX_GAP_HOLD_MS: jump past it.
    sim.resumeReadings(ANNA);
    await moreAnswers([EMAIL], 2, 'answers after resuming');
    clock.advance(MAX_GAP_HOLD_MS);
    await waitUntil(() => readings().length >= before.length + 2, 'new readings after the return');
    expectOnceInOrder(stream(), sim);
  });

  it('(f) a restart with both state files holding the person: one record, nothing published again', async (ctx) => {
    const { sim, stream, restart, readings, events, devices, removals, moreAnswers } = await setup(ctx, [
      EMAIL,
      EMAIL_B,
    ]);
    await waitUntil(() => readings().length >= 3, 'first readings');
    sim.pauseReadings(ANNA);
    await moreAnswers([EMAIL, EMAIL_B], 2, 'answers after the pause');
    const before = readings();
    const again = await restart();
    await moreAnswers([EMAIL, EMAIL_B], 3, 'answers after the restart');
    expect(readings(), 'an already published reading again').toEqual(before);
    expect(events('low')).toHaveLength(1);
    sim.resumeReadings(ANNA);
    await waitUntil(() => readings().length >= before.length + 3, 'readings after the restart');
    expectOnceInOrder(stream(), sim);
    expect(devices()).toEqual(new Set([patientNode(ANNA)]));
    expect(removals()).toBe(0);
    expect(again.logs.text()).not.toContain('following a new patient');
  });

  it('(g) one account fails (password changed): the other keeps the person updated, each reading once', async (ctx) => {
    const { sim, stream, readings, events, removals, moreAnswers } = await setup(ctx, [EMAIL, EMAIL_B]);
    await waitUntil(() => readings().length >= 3, 'first readings');
    sim.setPassword(EMAIL, `${PASSWORD}-changed`);
    sim.revokeTokens(EMAIL);
    await waitUntil(
      () => sim.requests.some((r) => r.email === EMAIL && r.outcome === 'bad_credentials'),
      'the first account failing',
    );
    const seen = readings().length;
    await moreAnswers([EMAIL_B], 4, 'answers of the other account');
    await waitUntil(() => readings().length >= seen + 3, 'readings through the other account');
    expect(removals()).toBe(0);
    expectOnceInOrder(stream(), sim);
    expect(events('low')).toHaveLength(1);
  });
});
