// A broker that restarts without persistence forgets every retained message. After the bridge
// reconnects, a late subscriber (Home Assistant restarting later) must still find every retained
// config, the state, the availability and the bridge online: the handles re-send themselves.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { FakeUpstream } from '../bridge/fake-upstream.js';
import { startTestBroker } from '../helpers/broker.js';
import { Collector, waitUntil } from './collector.js';
import { injectedUpstreamConfig } from './harness.js';

const BASE = 'librelinkup2mqtt';
const ALL = [`${BASE}/#`, 'homeassistant/#'];

describe('broker restart without persistence', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    cleanups.length = 0;
  });

  it('every retained message is back on the fresh broker after the bridge reconnects', async () => {
    let broker = await startTestBroker();
    const port = broker.port;
    const upstream = new FakeUpstream(Date.now() - 2_000, 60_000, 0);
    const app = await startApp(injectedUpstreamConfig(broker.url, mkdtempSync(join(tmpdir(), 'llu-rs-'))), {
      logger: createLogger({ level: 'silent' }),
      version: '0.0.0-test',
      makeClient: () => upstream,
    });
    cleanups.push(() => app.stop());
    const before = await Collector.connect(broker.url, ALL);
    await waitUntil(
      () =>
        before.json(`${BASE}/anna_smith/state`) !== undefined &&
        before.last.has(`${BASE}/bridge/connectivity`),
      'first retained state',
    );
    await before.close();
    // What a late subscriber found: the retained topics to expect again.
    const late1 = await Collector.connect(broker.url, ALL);
    await waitUntil(() => late1.json(`${BASE}/anna_smith/state`) !== undefined, 'retained before restart');
    const expected = new Map(
      late1.messages.filter((m) => m.retain && m.payload !== '').map((m) => [m.topic, m.payload]),
    );
    await late1.close();
    expect([...expected.keys()].filter((t) => t.endsWith('/config')).length).toBeGreaterThanOrEqual(15);

    await broker.close();
    broker = await startTestBroker({ port });
    cleanups.push(() => broker.close());
    const late2 = await Collector.connect(broker.url, ALL);
    cleanups.push(() => late2.close());
    // late2 subscribed before the bridge was back, so it sees what the bridge re-sends.
    await waitUntil(
      () => [...expected.keys()].every((t) => late2.last.has(t)),
      'every retained topic re-sent',
      30_000,
    );
    const late3 = await Collector.connect(broker.url, ALL);
    cleanups.push(() => late3.close());
    await waitUntil(
      () => [...expected.keys()].every((t) => late3.last.has(t)),
      'retained on the fresh broker',
    );
    for (const [topic, payload] of expected) {
      if (topic.endsWith('/config')) expect(late3.last.get(topic), topic).toBe(payload);
    }
    expect(late3.last.get(`${BASE}/bridge/state`)).toBe('online');
    expect(late3.last.get(`${BASE}/anna_smith/availability`)).toBe('online');
  }, 60_000);
});
