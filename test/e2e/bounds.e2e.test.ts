// Bounded everything, end to end (real bridge, in-process broker, fake LibreLinkUp): a huge patient
// name, patientIds with separators and wildcards, a person named "Bridge", and a compressed bomb.

import mqtt from 'mqtt';
import { describe, expect, it, type TestContext } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import type { SimOptions, SimPatientSpec } from '../../src/simulator/types.js';
import { sitOutBackoff } from './backoff.js';
import { cleanupFor } from './cleanup.js';
import { Collector, waitUntil } from './collector.js';
import { configFor, type RunningBridge, runBridge, startSim } from './harness.js';
import { EMAIL, MGDL_PATIENT, MMOL_PATIENT, movableClock, PASSWORD, twoPatients, USER_ID } from './world.js';

const BASE = 'librelinkup2mqtt';
const ACCOUNT_STATE = /^librelinkup2mqtt\/bridge\/acct_[0-9a-f]{8}\/state$/;
/** Far below MQTT's 65535 bytes and what Home Assistant handles comfortably. */
const TOPIC_MAX_BYTES = 256;

function world(patients: Array<Partial<SimPatientSpec> & { patientId: string }>): SimOptions {
  const start = Date.now() - 10 * 60_000;
  return {
    now: Date.now,
    accounts: [
      {
        email: EMAIL,
        password: PASSWORD,
        userId: USER_ID,
        region: 'eu2',
        patients: patients.map((p) => p.patientId),
      },
    ],
    patients: patients.map((p, i) => ({
      firstName: `Person${i}`,
      lastName: 'Test',
      unit: 'mg/dL' as const,
      periodMs: 1_000,
      firstReadingAt: start,
      curve: (t: number) => 120 + 40 * Math.sin(t / 20_000 + i),
      ...p,
    })),
  };
}

describe.concurrent('bounds end to end', () => {
  async function setup(
    ctx: TestContext,
    w: SimOptions,
    poll = { interval: 1, min_interval: 0.25, timeout: 3 },
    now?: () => number,
  ) {
    const defer = cleanupFor(ctx);
    const sim = await startSim(w);
    defer(() => sim.close());
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    defer(() => broker.close());
    const collector = await Collector.connect(broker.url, [`${BASE}/#`, 'homeassistant/#']);
    defer(() => collector.close());
    const config = configFor(sim, broker.url, { poll }, w);
    const bridge: RunningBridge = await runBridge(config, now);
    defer(() => bridge.stop());
    const readingTopics = () =>
      [...collector.last.keys()].filter((t) => t.startsWith(`${BASE}/`) && t.endsWith('/reading'));
    const glucoseConfigs = () =>
      [...collector.last.entries()]
        .filter(
          ([t, p]) => t.startsWith('homeassistant/sensor/') && t.endsWith('/glucose/config') && p !== '',
        )
        .map(([topic, p]) => ({
          topic,
          payload: JSON.parse(p) as { unique_id: string; state_topic: string },
        }));
    const press = async () => {
      const client = await mqtt.connectAsync(broker.url);
      await client.publishAsync(`${BASE}/bridge/request/poll`, 'PRESS', { qos: 1 });
      await client.endAsync();
    };
    return { sim, collector, bridge, readingTopics, glucoseConfigs, press };
  }

  it("huge names (5000 chars, and 70000: past MQTT's topic limit, which crashed the bridge): it runs, topics bounded, entities discoverable", async (ctx) => {
    const longName = 'Maximiliane'.repeat(455).slice(0, 5000);
    const { collector, bridge, readingTopics, glucoseConfigs } = await setup(
      ctx,
      world([
        { patientId: MGDL_PATIENT, firstName: longName, lastName: 'X'.repeat(5000) },
        { patientId: MMOL_PATIENT, firstName: 'Y'.repeat(70_000), lastName: '' },
      ]),
    );
    await waitUntil(
      () => readingTopics().length === 2 && glucoseConfigs().length === 2,
      'readings and discovery of both',
    );
    expect(readingTopics().sort()).toEqual([
      `${BASE}/${'maximiliane'.repeat(4).slice(0, 40)}/reading`,
      `${BASE}/${'y'.repeat(40)}/reading`,
    ]);
    for (const m of collector.messages)
      expect(Buffer.byteLength(m.topic)).toBeLessThanOrEqual(TOPIC_MAX_BYTES);
    expect(
      glucoseConfigs()
        .map((c) => c.payload.unique_id)
        .sort(),
    ).toEqual([`librelinkup2mqtt_${MGDL_PATIENT}_glucose`, `librelinkup2mqtt_${MMOL_PATIENT}_glucose`]);
    expect(collector.last.get(`${BASE}/bridge/state`)).toBe('online');
    expect(bridge.logs.text()).not.toMatch(/"level":"fatal"/);
  });

  it('patientIds a/b, a+b, a#b and "..": distinct unique_ids and topics, graph asked at the right path', async (ctx) => {
    const ids = ['a/b', 'a+b', 'a#b', '..'];
    const { sim, bridge, readingTopics, glucoseConfigs } = await setup(
      ctx,
      world(ids.map((patientId, i) => ({ patientId, firstName: 'Same', lastName: `Name${i}` }))),
    );
    await waitUntil(() => readingTopics().length === 4 && glucoseConfigs().length === 4, 'four patients');
    const configs = glucoseConfigs();
    expect(new Set(configs.map((c) => c.payload.unique_id)).size).toBe(4);
    expect(new Set(configs.map((c) => c.topic)).size).toBe(4);
    expect(new Set(configs.map((c) => c.payload.state_topic)).size).toBe(4);
    for (const c of configs) expect(c.topic.split('/')).toHaveLength(5);
    // The fake server received each id encoded as one segment, and answered for that patient.
    await waitUntil(() => sim.requests.filter((r) => r.endpoint === 'graph').length >= 3, 'graph requests');
    const graphs = sim.requests.filter((r) => r.endpoint === 'graph');
    for (const encoded of ['a%2Fb', 'a%2Bb', 'a%23b']) {
      expect(graphs.find((r) => r.path === `/llu/connections/${encoded}/graph`)?.outcome).toBe('ok');
    }
    // ".." would climb out of /llu/connections/: it is never sent, and nothing else is hit instead.
    expect(sim.requests.filter((r) => r.endpoint === 'other')).toEqual([]);
    // The ".." patient's seed is refused before any request; its log line may follow the others' graphs.
    await waitUntil(
      () => bridge.logs.text().includes('could not read the graph to seed the history'),
      'the refused seed of ".." logged',
    );
  });

  it('a person named "Bridge" does not take <base>/bridge/state', async (ctx) => {
    const { collector, readingTopics } = await setup(
      ctx,
      world([{ patientId: MGDL_PATIENT, firstName: 'Bridge', lastName: '' }]),
    );
    await waitUntil(() => readingTopics().length === 1, 'a reading');
    expect(readingTopics()).toEqual([`${BASE}/bridge_a1b2c3d4/reading`]);
    const bridgeStates = collector.on(`${BASE}/bridge/state`).map((m) => m.payload);
    expect(bridgeStates.length).toBeGreaterThan(0);
    for (const p of bridgeStates) expect(['online', 'offline']).toContain(p);
  });

  it('a compressed bomb: refused as malformed without inflating it, the bridge keeps running and recovers', async (ctx) => {
    const clock = movableClock();
    const { sim, collector, bridge } = await setup(ctx, twoPatients(clock.now), undefined, clock.now);
    const readings = () => collector.on(`${BASE}/anna_smith/reading`);
    const states = () =>
      collector.messages
        .filter((m) => ACCOUNT_STATE.test(m.topic))
        .map((m) => JSON.parse(m.payload) as { ok: boolean; error_kind: string | null; message: string });
    await waitUntil(() => readings().length >= 1, 'first reading');
    sim.addFault({ endpoint: 'connections', fault: { kind: 'bomb', inflatedMb: 512 } });
    await waitUntil(() => states().some((s) => s.error_kind === 'malformed'), 'malformed state');
    expect(bridge.logs.text()).toContain('LibreLinkUp answered more than 4 MB on connections');
    const seen = readings().length;
    // Back-off (5-10 s), then the next poll succeeds.
    await sitOutBackoff(bridge, clock);
    await waitUntil(() => readings().length > seen && states().at(-1)?.ok === true, 'recovery', 40_000);
    expect(sim.requests.filter((r) => r.outcome === 'bomb')).toHaveLength(1);
  }, 60_000);

  it('an interval past 2^31 ms that reaches the poller anyway waits instead of polling in a loop', async (ctx) => {
    // The schema refuses this (see test/config/duration-bounds.test.ts); the config object here
    // bypasses it, as a future key or another entry point could.
    // Upstream an hour behind: no reading is due soon, so `interval` alone decides the next poll.
    const { sim, collector, press } = await setup(
      ctx,
      twoPatients(() => Date.now() - 3_600_000),
      {
        interval: 3_000_000,
        min_interval: 0.25,
        timeout: 3,
      },
    );
    const polls = () => sim.requests.filter((r) => r.endpoint === 'connections').length;
    await waitUntil(
      () => collector.messages.some((m) => ACCOUNT_STATE.test(m.topic) && JSON.parse(m.payload).ok === true),
      'the first poll',
    );
    // "Poll now" is the only way to a second poll: when it has arrived, no other poll may have.
    await press();
    await waitUntil(() => polls() >= 2, 'the poll asked for');
    expect(polls()).toBe(2);
  });
});
