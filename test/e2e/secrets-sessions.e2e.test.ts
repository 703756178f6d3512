// Secrets, sessions, our own errors and instance identity, end to end: the real app against the
// fake LibreLinkUp server and an in-process broker.
//  - an upstream error echoing the password, e-mail and token reaches no MQTT topic, status.json or
//    /health, and what does reach them is cut short;
//  - a ticket whose `expires` is already past is used until refused (one login, not one per poll);
//  - a refreshed token that cannot be a header is ignored; a login answering one is malformed;
//  - a bug of ours is the kind `internal`, with its stack in the log, and polling goes on;
//  - two bridges with different base_topic on one broker keep their own bridge and account entities.

import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { type App, defaultClientFactory, startApp } from '../../src/app.js';
import { accountKey, type ClientFactory } from '../../src/bridge/bridge.js';
import type { Config } from '../../src/config/types.js';
import { UPSTREAM_TEXT_MAX_CHARS } from '../../src/librelinkup/limits.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import type { FakeLibreLinkUpServer, SimFault } from '../../src/simulator/types.js';
import { captureLogs, type LogCapture } from '../helpers/logs.js';
import { sitOutBackoff } from './backoff.js';
import { Collector, waitUntil } from './collector.js';
import { configFor, startSim } from './harness.js';
import { EMAIL, movableClock, PASSWORD, twoPatients } from './world.js';

const BASE = 'librelinkup2mqtt';
const DAY = 86_400_000;

interface AccountState {
  ok: boolean;
  error_kind: string | null;
  message: string;
}

interface World {
  sim: FakeLibreLinkUpServer;
  collector: Collector;
  brokerUrl: string;
  config: Config;
  start(overrides?: { config?: Partial<Config>; makeClient?: ClientFactory }): Promise<Running>;
  accountStates(base?: string): AccountState[];
  readings(): unknown[];
  loginsOk(): number;
  /** shared by the fake server and every bridge started here */
  clock: ReturnType<typeof movableClock>;
}

interface Running {
  app: App;
  logs: LogCapture;
}

/** Each test owns its world (tests run concurrently: they mostly wait). */
async function withWorld(fn: (w: World) => Promise<void>): Promise<void> {
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const clock = movableClock();
    const world = twoPatients(clock.now);
    const sim = await startSim(world);
    cleanups.push(() => sim.close());
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    cleanups.push(() => broker.close());
    const collector = await Collector.connect(broker.url, ['#']);
    cleanups.push(() => collector.close());
    const config = configFor(
      sim,
      broker.url,
      { poll: { interval: 1, min_interval: 0.25, timeout: 3 }, http: { host: '127.0.0.1', port: 0 } },
      world,
    );
    await fn({
      sim,
      collector,
      brokerUrl: broker.url,
      config,
      start: async (overrides = {}) => {
        const { capture, destination } = captureLogs();
        const logger = createLogger({ level: 'debug', destination });
        const app = await startApp(
          { ...config, ...overrides.config },
          {
            logger,
            version: '0.0.0-test',
            now: clock.now,
            ...(overrides.makeClient ? { makeClient: overrides.makeClient } : {}),
          },
        );
        cleanups.push(() => app.stop());
        return { app, logs: capture };
      },
      accountStates: (base = BASE) =>
        collector.messages
          .filter((m) => new RegExp(`^${base}/bridge/acct_[0-9a-f]{8}/state$`).test(m.topic))
          .map((m) => JSON.parse(m.payload) as AccountState),
      readings: () => collector.on(`${BASE}/anna_smith/reading`),
      loginsOk: () => sim.requests.filter((r) => r.endpoint === 'login' && r.outcome === 'ok').length,
      clock,
    });
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}

async function getJson(url: string): Promise<{ text: string; json: unknown }> {
  const res = await fetch(url);
  const text = await res.text();
  return { text, json: JSON.parse(text) };
}

describe.concurrent('secrets, sessions, own errors, instance identity end to end', () => {
  it.each([
    ['a login step type', 'login', 'step', 'terms'],
    ['a login redirect region', 'login', 'region', 'redirect'],
    ['a minimumVersion on connections', 'connections', 'version', 'version'],
  ] as const)(
    'an error echoing the secrets in %s reaches no topic, status.json or /health',
    async (_name, endpoint, as, kind) => {
      await withWorld(async ({ sim, collector, start, accountStates }) => {
        const fault: SimFault = { kind: 'echo_secrets', as, length: 5_000 };
        sim.addFault({ endpoint, fault, times: Number.POSITIVE_INFINITY });
        const { app, logs } = await start();
        await waitUntil(() => accountStates().some((s) => s.error_kind === kind), `${kind} state`);
        const echoed = sim.requests.find((r) => r.outcome === 'echo_secrets')!;
        const token = /^Bearer\s+(.+)$/.exec(echoed.headers.authorization ?? '')?.[1];
        const secrets = [PASSWORD, EMAIL, ...(token ? [token] : [])];

        const health = await getJson(`${app.httpUrl}/health`);
        const status = await getJson(`${app.httpUrl}/status.json`);
        const state = accountStates().find((s) => s.error_kind === kind)!;
        const texts = [
          ...collector.messages.map((m) => `${m.topic} ${m.payload}`),
          health.text,
          status.text,
          logs.text(),
        ];
        for (const text of texts) {
          for (const secret of secrets) expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
        }
        // Every message shown is cut short, not the 5000 characters upstream sent.
        const shown = [
          state.message,
          ...(health.json as { accounts: Array<{ message: string }>; reasons: string[] }).accounts.map(
            (a) => a.message,
          ),
          ...(health.json as { reasons: string[] }).reasons,
          ...(status.json as { health: { accounts: Array<{ state_text: string }> } }).health.accounts.map(
            (a) => a.state_text,
          ),
        ];
        for (const text of shown)
          expect(Array.from(text).length).toBeLessThanOrEqual(UPSTREAM_TEXT_MAX_CHARS + 40);
        expect(Array.from(state.message).length).toBeLessThanOrEqual(UPSTREAM_TEXT_MAX_CHARS);
      });
    },
  );

  it('a ticket whose expires is already past: one login for many polls, and one clock warning', async () => {
    await withWorld(async ({ sim, start, readings, loginsOk }) => {
      // Every ticket (login and refreshed) announces an expiry 200 days ago; the token itself is valid.
      sim.addFault({
        endpoint: 'any',
        fault: { kind: 'ticket', expiresShiftMs: -200 * DAY - 180 * DAY },
        times: Number.POSITIVE_INFINITY,
      });
      const { logs } = await start();
      const polls = () =>
        sim.requests.filter((r) => r.endpoint === 'connections' && r.outcome === 'ok').length;
      await waitUntil(() => polls() >= 6 && readings().length >= 3, 'six polls');
      expect(loginsOk()).toBe(1);
      // The fake server sends a Date header: the warning measures against LibreLinkUp's clock.
      const warnings = logs.lines.filter((l) => l.includes('issued a session that expired'));
      expect(warnings).toHaveLength(1);
    });
  });

  it('a refreshed token that cannot be a header is ignored: the bridge keeps working on its token', async () => {
    await withWorld(async ({ sim, start, accountStates, readings, loginsOk }) => {
      sim.addFault({
        endpoint: 'connections',
        fault: { kind: 'ticket', token: 'renewed\r\nX-Injected: 1' },
        times: Number.POSITIVE_INFINITY,
      });
      const { logs } = await start();
      const polls = () =>
        sim.requests.filter((r) => r.endpoint === 'connections' && r.outcome === 'ok').length;
      await waitUntil(() => polls() >= 5 && readings().length >= 3, 'five polls');
      expect(accountStates().every((s) => s.error_kind === null)).toBe(true);
      expect(accountStates().at(-1)?.ok).toBe(true);
      expect(loginsOk()).toBe(1);
      expect(logs.lines.filter((l) => l.includes('cannot be sent as an HTTP header'))).toHaveLength(1);
    });
  });

  it('a login answering a token that cannot be a header is malformed, then one fresh login works', async () => {
    await withWorld(async ({ sim, start, accountStates, readings, loginsOk, clock }) => {
      // Two: the global host's redirect and the regional login answer.
      sim.addFault({ endpoint: 'login', fault: { kind: 'ticket', token: 'tök\u0001en' }, times: 2 });
      const bridge = await start();
      await waitUntil(() => accountStates().some((s) => s.error_kind === 'malformed'), 'malformed state');
      const state = accountStates().find((s) => s.error_kind === 'malformed')!;
      expect(state.message).toMatch(/on login/);
      expect(sim.requests.filter((r) => r.endpoint === 'connections')).toHaveLength(0);
      await sitOutBackoff(bridge, clock);
      await waitUntil(
        () => readings().length >= 1 && accountStates().at(-1)?.ok === true,
        'recovery',
        40_000,
      );
      expect(loginsOk()).toBe(2);
      expect(accountStates().some((s) => s.error_kind === 'network')).toBe(false);
    });
  }, 60_000);

  it('a bug of ours is `internal` with its stack in the log, never "unreachable", and polling goes on', async () => {
    await withWorld(async ({ start, accountStates, readings, clock }) => {
      let calls = 0;
      const makeClient: ClientFactory = (input) => {
        const real = defaultClientFactory(input);
        return {
          get stats() {
            return real.stats;
          },
          graph: (id) => real.graph(id),
          connections: async () => {
            calls += 1;
            if (calls === 1) {
              const broken = undefined as unknown as { latest: unknown };
              return [broken.latest] as never;
            }
            return real.connections();
          },
        };
      };
      const bridge = await start({ makeClient });
      const { logs } = bridge;
      await waitUntil(() => accountStates().some((s) => s.error_kind === 'internal'), 'internal state');
      const state = accountStates().find((s) => s.error_kind === 'internal')!;
      expect(state.message).toMatch(
        /^A bug in librelinkup2mqtt \(TypeError: .+\), not a LibreLinkUp problem: please report it with the log/,
      );
      expect(state.message).not.toMatch(/unreachable|network/i);
      const line = logs.lines.find((l) => l.includes('"kind":"internal"'))!;
      const parsed = JSON.parse(line) as { level: string; err: { type: string; stack: string } };
      expect(parsed.level).toBe('error');
      expect(parsed.err.type).toBe('TypeError');
      expect(parsed.err.stack).toMatch(/secrets-sessions\.e2e\.test\.ts/);
      // Backed off, not stopped: the next poll delivers.
      await sitOutBackoff(bridge, clock);
      await waitUntil(
        () => readings().length >= 1 && accountStates().at(-1)?.ok === true,
        'next poll',
        30_000,
      );
      expect(calls).toBeGreaterThanOrEqual(2);
    });
  }, 45_000);

  it('two bridges with different base_topic on one broker keep their own bridge and account entities', async () => {
    await withWorld(async ({ brokerUrl, start, accountStates }) => {
      await start();
      await start({
        config: { mqtt: { ...baseMqtt(brokerUrl), base_topic: 'upstairs', client_id: 'second' } },
      });
      await waitUntil(
        () => accountStates(BASE).length > 0 && accountStates('upstairs').length > 0,
        'both bridges',
      );
      // What a Home Assistant starting now would read: the retained discovery.
      const reader = await Collector.connect(brokerUrl, ['homeassistant/#']);
      try {
        const bridgeConfigs = () =>
          [...reader.last.entries()]
            .filter(
              ([topic, payload]) =>
                payload !== '' && /\/(connectivity|poll_now|problem|last_error)\/config$/.test(topic),
            )
            .map(([topic, payload]) => ({ topic, payload: JSON.parse(payload) as Record<string, unknown> }));
        await waitUntil(() => bridgeConfigs().length >= 8, 'both bridges’ discovery retained');
        const configs = bridgeConfigs();
        expect(configs).toHaveLength(8);
        const uniqueIds = configs.map((c) => c.payload.unique_id as string);
        expect(new Set(uniqueIds).size).toBe(8);
        const byBase = (base: string) =>
          configs.filter(
            (c) => (c.payload.availability as Array<{ topic: string }>)[0]!.topic === `${base}/bridge/state`,
          );
        const first = byBase(BASE);
        const second = byBase('upstairs');
        expect(first).toHaveLength(4);
        expect(second).toHaveLength(4);
        // The default instance keeps today's ids.
        const key = accountKey(EMAIL);
        expect(first.map((c) => c.payload.unique_id).sort()).toEqual(
          [
            'librelinkup2mqtt_bridge_connectivity',
            'librelinkup2mqtt_bridge_poll_now',
            `librelinkup2mqtt_${key}_problem`,
            `librelinkup2mqtt_${key}_last_error`,
          ].sort(),
        );
        expect(first.map((c) => c.topic).sort()).toEqual(
          [
            'homeassistant/binary_sensor/librelinkup2mqtt_bridge/connectivity/config',
            'homeassistant/button/librelinkup2mqtt_bridge/poll_now/config',
            `homeassistant/binary_sensor/librelinkup2mqtt_${key}/problem/config`,
            `homeassistant/sensor/librelinkup2mqtt_${key}/last_error/config`,
          ].sort(),
        );
        for (const c of second) expect(first.map((f) => f.topic)).not.toContain(c.topic);
        const devices = (list: typeof configs) =>
          new Set(list.map((c) => (c.payload.device as { identifiers: string[] }).identifiers[0]));
        expect(devices(first)).toEqual(new Set(['librelinkup2mqtt_bridge']));
        expect(devices(second).size).toBe(1);
        expect(devices(second).has('librelinkup2mqtt_bridge')).toBe(false);
      } finally {
        await reader.close();
      }
    });
  });

  it('an instance with its own base_topic removes its old (unscoped) discovery, never another bridge’s', async () => {
    await withWorld(async ({ brokerUrl, start, accountStates }) => {
      const key = accountKey(EMAIL);
      const config = (base: string) =>
        JSON.stringify({ name: 'old', unique_id: 'old', availability: [{ topic: `${base}/bridge/state` }] });
      const ours = [
        'homeassistant/binary_sensor/librelinkup2mqtt_bridge/connectivity/config',
        `homeassistant/sensor/librelinkup2mqtt_${key}/last_error/config`,
      ];
      const theirs = 'homeassistant/button/librelinkup2mqtt_bridge/poll_now/config';
      const writer = await mqtt.connectAsync(brokerUrl);
      for (const topic of ours)
        await writer.publishAsync(topic, config('upstairs'), { retain: true, qos: 1 });
      await writer.publishAsync(theirs, config(BASE), { retain: true, qos: 1 });
      await writer.endAsync();

      await start({ config: { mqtt: { ...baseMqtt(brokerUrl), base_topic: 'upstairs' } } });
      await waitUntil(() => accountStates('upstairs').length > 0, 'the bridge running');
      const reader = await Collector.connect(brokerUrl, ['homeassistant/#']);
      try {
        await waitUntil(
          () => ours.every((t) => (reader.last.get(t) ?? '') === '') && reader.last.has(theirs),
          'our old configs gone, theirs kept',
        );
        expect(reader.last.get(theirs)).toBe(config(BASE));
      } finally {
        await reader.close();
      }
    });
  });
});

function baseMqtt(url: string): Config['mqtt'] {
  return {
    url,
    client_id: 'first',
    base_topic: BASE,
    discovery: true,
    discovery_prefix: 'homeassistant',
    embedded: { host: '127.0.0.1', port: 0 },
  };
}
