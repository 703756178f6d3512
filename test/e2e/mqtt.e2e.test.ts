// The real app over a real MQTT broker, with an injected upstream (no HTTP): what Home Assistant and
// MQTT subscribers see across birth messages, staleness, removal, commands and broker outages.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { type App, startApp } from '../../src/app.js';
import { ABSENCE_ANSWERS, ABSENCE_MS } from '../../src/bridge/presence.js';
import { createLogger } from '../../src/log.js';
import { FakeUpstream } from '../bridge/fake-upstream.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { captureLogs } from '../helpers/logs.js';
import { checkDiscovery } from '../homeassistant/ha-checklist.js';
import { cleanupFor, type Defer } from './cleanup.js';
import { Collector, waitUntil } from './collector.js';
import { injectedUpstreamConfig } from './harness.js';
import { movableClock } from './world.js';

const BASE = 'librelinkup2mqtt';

describe.concurrent('MQTT and Home Assistant end to end', () => {
  async function run(
    defer: Defer,
    broker: TestBroker,
    upstream: FakeUpstream,
    dataDir = mkdtempSync(join(tmpdir(), 'llu-mqtt-')),
    now?: () => number,
  ) {
    const { capture, destination } = captureLogs();
    const app: App = await startApp(injectedUpstreamConfig(broker.url, dataDir), {
      logger: createLogger({ level: 'debug', destination }),
      version: '0.0.0-test',
      makeClient: () => upstream,
      ...(now ? { now } : {}),
    });
    defer(() => app.stop());
    return { app, logs: capture, dataDir };
  }

  async function setup(ctx: TestContext, periodMs = 200) {
    const defer = cleanupFor(ctx);
    const broker = await startTestBroker();
    defer(() => broker.close());
    const upstream = new FakeUpstream(Date.now() - 2_000, periodMs, 0);
    const collector = await Collector.connect(broker.url, [`${BASE}/#`, 'homeassistant/#']);
    defer(() => collector.close());
    return { broker, upstream, collector, defer };
  }

  it('publishes valid, retained discovery for every entity, then states, and the bridge online', async (ctx) => {
    const { broker, upstream, collector, defer } = await setup(ctx);
    await run(defer, broker, upstream);
    await waitUntil(() => collector.json(`${BASE}/anna_smith/state`) !== undefined, 'state');
    await waitUntil(
      () => collector.last.has('homeassistant/sensor/librelinkup2mqtt_p-1/glucose/config'),
      'discovery',
    );
    const configs = collector.messages.filter(
      (m) => m.topic.startsWith('homeassistant/') && m.payload !== '',
    );
    expect(configs.length).toBeGreaterThanOrEqual(15);
    for (const m of configs)
      expect(checkDiscovery('homeassistant', m.topic, JSON.parse(m.payload)), m.topic).toEqual([]);
    expect(collector.last.get(`${BASE}/bridge/state`)).toBe('online');
    expect(collector.last.get(`${BASE}/anna_smith/availability`)).toBe('online');
    // A late subscriber (Home Assistant after a restart) gets configs and state as retained messages.
    const late = await Collector.connect(broker.url, [`${BASE}/#`, 'homeassistant/#']);
    defer(() => late.close());
    await waitUntil(() => late.json(`${BASE}/anna_smith/state`) !== undefined, 'retained state');
    // Retained messages come filter by filter: the configs may follow the states.
    await waitUntil(() => late.messages.some((m) => m.topic.endsWith('/glucose/config')), 'retained config');
    expect(late.messages.find((m) => m.topic.endsWith('/glucose/config'))?.retain).toBe(true);
  });

  it('re-sends discovery and states within 5 s of Home Assistant announcing itself online', async (ctx) => {
    const { broker, upstream, collector, defer } = await setup(ctx, 60_000);
    await run(defer, broker, upstream);
    const topic = 'homeassistant/sensor/librelinkup2mqtt_p-1/glucose/config';
    await waitUntil(() => collector.on(topic).length === 1, 'first discovery');
    // Unchanged configs are not re-sent: two more polls (a second apart) and still one config.
    const polls = () => upstream.calls.filter((c) => c === 'connections').length;
    const from = polls();
    await waitUntil(() => polls() >= from + 2, 'two more polls');
    expect(collector.on(topic)).toHaveLength(1);
    const ha = await Collector.connect(broker.url, ['none/#']);
    defer(() => ha.close());
    const t0 = Date.now();
    await (
      ha as unknown as { client: { publishAsync: (t: string, p: string) => Promise<unknown> } }
    ).client.publishAsync('homeassistant/status', 'online');
    await waitUntil(() => collector.on(topic).length === 2, 'discovery re-sent', 10_000);
    expect(Date.now() - t0).toBeLessThan(5_000 + 2_000);
    await waitUntil(() => collector.on(`${BASE}/anna_smith/state`).length >= 2, 'state re-sent');
  });

  it('removes a vanished patient with empty retained configs', async (ctx) => {
    const { broker, collector, defer } = await setup(ctx);
    const clock = movableClock();
    const upstream = new FakeUpstream(clock.now() - 2_000, 200, 0, clock.now);
    await run(defer, broker, upstream, undefined, clock.now);
    await waitUntil(() => collector.json(`${BASE}/anna_smith/state`) !== undefined, 'state');
    upstream.present = false;
    // Removal waits for the absence to be confirmed: several answers, then several minutes.
    const answers = () => upstream.calls.filter((c) => c === 'connections').length;
    const from = answers();
    await waitUntil(() => answers() >= from + ABSENCE_ANSWERS, 'answers without the patient');
    expect(collector.json(`${BASE}/anna_smith/state`)).toBeDefined();
    clock.advance(ABSENCE_MS);
    const topic = 'homeassistant/sensor/librelinkup2mqtt_p-1/glucose/config';
    await waitUntil(() => collector.last.get(topic) === '', 'removal');
    // The retained state is cleared too (it may follow the configs).
    await waitUntil(() => collector.last.get(`${BASE}/anna_smith/state`) === '', 'state cleared');
    expect(collector.last.get(`${BASE}/anna_smith/state`)).toBe('');
  });

  it('polls on the button, ignores a retained or unknown command, rate-limits presses', async (ctx) => {
    const { broker, upstream, collector, defer } = await setup(ctx, 60_000);
    const { logs } = await run(defer, broker, upstream);
    await waitUntil(() => collector.json(`${BASE}/anna_smith/state`) !== undefined, 'state');
    const pub = (await Collector.connect(broker.url, ['none/#'])) as unknown as {
      client: { publishAsync: (t: string, p: string, o?: object) => Promise<unknown> };
      close(): Promise<void>;
    };
    defer(() => pub.close());
    await pub.client.publishAsync(`${BASE}/bridge/request/poll`, 'PRESS');
    await waitUntil(() => logs.text().includes('poll now requested'), 'press handled');
    await pub.client.publishAsync(`${BASE}/bridge/request/poll`, 'PRESS');
    await pub.client.publishAsync(`${BASE}/bridge/request/poll`, 'hello');
    await waitUntil(() => logs.text().includes('send PRESS to poll now'), 'unknown payload named');
    await waitUntil(() => logs.text().includes('pressed less than 10 s ago'), 'rate limit');
    expect(logs.text().match(/poll now requested/g)).toHaveLength(1);
  });

  it('delivers every reading once, in order, to a persistent QoS 1 subscriber across an 8 s broker outage', async (ctx) => {
    const defer = cleanupFor(ctx);
    let admitBridge = true;
    const admit = (id: string) => id !== 'bridge-under-test' || admitBridge;
    let broker = await startTestBroker({ admit });
    const port = broker.port;
    const upstream = new FakeUpstream(Date.now() - 1_000, 500, 0);
    const sub = await Collector.connect(broker.url, [`${BASE}/anna_smith/reading`], {
      clientId: 'persistent',
      clean: false,
    });
    defer(() => sub.close());
    const { logs } = await run(defer, broker, upstream);
    await waitUntil(() => sub.messages.length >= 3, 'readings before the outage');
    await broker.close();
    const outageStart = Date.now();
    await new Promise((r) => setTimeout(r, 8_000));
    const outageEnd = Date.now();
    admitBridge = false;
    broker = await startTestBroker({ port, admit });
    defer(() => broker.close());
    // Let the subscriber re-subscribe first (the restarted broker lost its session), then the bridge.
    await waitUntil(() => broker.broker.connectedClients >= 1, 'subscriber back', 20_000);
    await new Promise((r) => setTimeout(r, 300));
    admitBridge = true;
    // What the bridge took from upstream ("new reading" log lines) is what must arrive: a loaded
    // machine may make the bridge miss an upstream reading, which is not what this test is about.
    const seen = () =>
      logs.lines
        .map((l) => JSON.parse(l) as { msg?: string; at?: string })
        .filter((l) => l.msg === 'new reading')
        .map((l) => l.at!);
    await waitUntil(
      () => sub.messages.length >= seen().length && seen().length > 0,
      'backlog delivered',
      30_000,
    );
    const got = sub.messages.map((m) => JSON.parse(m.payload).timestamp as string);
    expect(new Set(got).size).toBe(got.length);
    const bridgeSaw = seen();
    const first = bridgeSaw.indexOf(got[0]!);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(got).toEqual(bridgeSaw.slice(first, first + got.length));
    const duringOutage = got.filter((t) => {
      const ms = Date.parse(t);
      return ms > outageStart + 1_000 && ms < outageEnd - 1_000;
    });
    expect(duringOutage.length).toBeGreaterThanOrEqual(5);
    // Upstream truth for the same span: the bridge kept up with it apart from a rare miss under load.
    const truth = upstream.readingsUntil(Date.now()).map((r) => new Date(r.timestamp).toISOString());
    const span = truth.slice(truth.indexOf(got[0]!), truth.indexOf(got.at(-1)!) + 1);
    expect(got.length).toBeGreaterThanOrEqual(span.length * 0.8);
  }, 60_000);
});
