// The real app against a real Eclipse Mosquitto (not our in-process aedes), with an injected
// upstream: retained discovery and state, birth and clean-stop `offline`, username/password auth,
// and the last will when the bridge's connection dies without a DISCONNECT. Skipped when no
// `mosquitto` binary is installed (CI installs Debian's mosquitto package).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, startApp } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { FakeUpstream } from '../bridge/fake-upstream.js';
import { captureLogs } from '../helpers/logs.js';
import { MOSQUITTO, MOSQUITTO_PASSWD, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { checkDiscovery } from '../homeassistant/ha-checklist.js';
import { Collector, waitUntil } from './collector.js';
import { injectedUpstreamConfig } from './harness.js';

const BASE = 'librelinkup2mqtt';
const GLUCOSE_CONFIG = 'homeassistant/sensor/librelinkup2mqtt_p-1/glucose/config';
const STATE = `${BASE}/anna_smith/state`;
const BRIDGE_STATE = `${BASE}/bridge/state`;
const LIMIT_MS = 20_000;
const BROKER_USER = 'bridge';
const BROKER_PASSWORD = 'Br0ker-Pa55word!';

const SKIP_REASON =
  MOSQUITTO && MOSQUITTO_PASSWD
    ? ''
    : ` — SKIPPED: ${MOSQUITTO ? 'mosquitto_passwd' : 'mosquitto'} not found on PATH or in /usr/sbin ` +
      '(apt-get install mosquitto; CI installs it)';

/**
 * A TCP relay in front of the broker, so a test can kill the bridge's connection abruptly (no
 * DISCONNECT packet, like a crash or a pulled cable) and hold off its reconnects.
 */
class Relay {
  /** false: connections are accepted and dropped at once */
  admit = true;
  private readonly pairs = new Set<[Socket, Socket]>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(targetPort: number): Promise<Relay> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const relay = new Relay(server, `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`);
    server.on('connection', (client) => relay.relay(client, targetPort));
    return relay;
  }

  private relay(client: Socket, targetPort: number): void {
    if (!this.admit) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Tears every relayed connection down at once (TCP reset), without any MQTT packet. */
  cut(): void {
    for (const [client, upstream] of this.pairs) {
      upstream.resetAndDestroy();
      client.resetAndDestroy();
    }
    this.pairs.clear();
  }

  close(): Promise<void> {
    this.admit = false;
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe.skipIf(SKIP_REASON !== '')(`the bridge against a real mosquitto${SKIP_REASON}`, () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    cleanups.length = 0;
  });

  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'llu-mosquitto-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async function mosquitto(extraConfig: string[] = []): Promise<Mosquitto> {
    const broker = await startMosquitto(tempDir(), extraConfig);
    cleanups.push(() => broker.stop());
    return broker;
  }

  async function collect(url: string, options: mqtt.IClientOptions = {}): Promise<Collector> {
    const collector = await Collector.connect(url, [`${BASE}/#`, 'homeassistant/#'], options);
    cleanups.push(() => collector.close());
    return collector;
  }

  /** Starts the app; `app.stop()` is registered for cleanup (a second stop is a no-op). */
  async function run(url: string, auth: { username?: string; password?: string } = {}) {
    const { capture, destination } = captureLogs();
    const app: App = await startApp(injectedUpstreamConfig(url, tempDir(), auth), {
      logger: createLogger({ level: 'debug', destination }),
      version: '0.0.0-test',
      makeClient: () => new FakeUpstream(Date.now() - 2_000, 200, 0),
    });
    cleanups.push(() => app.stop());
    return { app, logs: capture };
  }

  it('anonymous listener: retained discovery and state, bridge online, offline (retained) after stop', async () => {
    const broker = await mosquitto(['allow_anonymous true']);
    const live = await collect(broker.url);
    const { app } = await run(broker.url);

    await waitUntil(() => live.json(STATE) !== undefined, 'patient state', LIMIT_MS);
    await waitUntil(() => live.last.has(GLUCOSE_CONFIG), 'glucose discovery', LIMIT_MS);
    await waitUntil(() => live.last.get(BRIDGE_STATE) === 'online', 'bridge online', LIMIT_MS);
    const configs = live.messages.filter((m) => m.topic.startsWith('homeassistant/') && m.payload !== '');
    expect(configs.length).toBeGreaterThanOrEqual(15);
    for (const m of configs) {
      expect(checkDiscovery('homeassistant', m.topic, JSON.parse(m.payload)), m.topic).toEqual([]);
    }

    // What Home Assistant sees after a restart: mosquitto hands a late subscriber the retained
    // messages (retain flag set), which must be every config, the states and availability —
    // and never a reading or an event.
    const late = await collect(broker.url);
    const configTopics = [...new Set(configs.map((m) => m.topic))];
    await waitUntil(
      () => configTopics.every((t) => late.last.has(t)) && late.json(STATE) !== undefined,
      'retained configs and state for a late subscriber',
      LIMIT_MS,
    );
    const retained = new Map(late.messages.filter((m) => m.retain).map((m) => [m.topic, m.payload]));
    for (const t of configTopics) expect(retained.has(t), `${t} retained`).toBe(true);
    expect(retained.get(STATE)).toBeDefined();
    expect(retained.get(`${BASE}/anna_smith/availability`)).toBe('online');
    expect(retained.get(BRIDGE_STATE)).toBe('online');
    for (const t of retained.keys()) expect(t).not.toMatch(/\/(reading|event)$/);
    expect(live.messages.some((m) => m.topic === `${BASE}/anna_smith/reading`)).toBe(true);

    await app.stop();
    await waitUntil(() => live.last.get(BRIDGE_STATE) === 'offline', 'bridge offline after stop', LIMIT_MS);
    const afterStop = await collect(broker.url);
    await waitUntil(() => afterStop.last.has(BRIDGE_STATE), 'retained bridge state after stop', LIMIT_MS);
    expect(afterStop.on(BRIDGE_STATE)).toEqual([{ topic: BRIDGE_STATE, payload: 'offline', retain: true }]);
    // A clean stop: mosquitto saw a DISCONNECT, not a dropped connection.
    await waitUntil(
      () => /Client bridge-under-test disconnected\./.test(broker.output()),
      'mosquitto logging a clean disconnect',
      LIMIT_MS,
    );
  });

  describe('password_file and allow_anonymous false', () => {
    async function authBroker(dir = tempDir()): Promise<Mosquitto> {
      const passwordFile = join(dir, 'passwords');
      execFileSync(MOSQUITTO_PASSWD!, ['-b', '-c', passwordFile, BROKER_USER, BROKER_PASSWORD]);
      return mosquitto(['allow_anonymous false', `password_file ${passwordFile}`]);
    }

    it('connects and publishes with mqtt.username and mqtt.password', async () => {
      const broker = await authBroker();
      // The broker really requires credentials (guards the test's own broker config).
      await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/i);
      const live = await collect(broker.url, { username: BROKER_USER, password: BROKER_PASSWORD });
      const { logs } = await run(broker.url, { username: BROKER_USER, password: BROKER_PASSWORD });
      await waitUntil(() => live.json(STATE) !== undefined, 'patient state', LIMIT_MS);
      await waitUntil(() => live.last.get(BRIDGE_STATE) === 'online', 'bridge online', LIMIT_MS);
      expect(live.last.has(GLUCOSE_CONFIG)).toBe(true);
      expect(logs.text()).toContain(
        `connected to MQTT broker mqtt://127.0.0.1:${broker.port} as ${BROKER_USER}`,
      );
      expect(logs.text()).not.toContain(BROKER_PASSWORD);
    });

    /** Starts the app with a wrong password and waits for the broker's refusal to be logged. */
    async function wrongPassword(mqttStartupGraceMs = 1_500) {
      const broker = await authBroker();
      const wrong = 'Wr0ng-Pa55word!';
      const { capture, destination } = captureLogs();
      const outcome: { settled: 'no' | 'resolved' | 'rejected'; error?: unknown } = { settled: 'no' };
      startApp(injectedUpstreamConfig(broker.url, tempDir(), { username: BROKER_USER, password: wrong }), {
        logger: createLogger({ level: 'debug', destination }),
        version: '0.0.0-test',
        makeClient: () => new FakeUpstream(Date.now() - 2_000, 200, 0),
        // mosquitto answers a wrong password with "not authorized" (5), which a booting broker may
        // also answer: retried for a grace period (2 min by default) before the start fails.
        mqttStartupGraceMs,
      }).then(
        (app) => {
          outcome.settled = 'resolved';
          cleanups.push(() => app.stop());
        },
        (error: unknown) => {
          outcome.settled = 'rejected';
          outcome.error = error;
        },
      );
      await waitUntil(
        () => outcome.settled !== 'no' || /not authori[sz]ed/i.test(capture.text()),
        'startApp to fail or the refusal to be logged',
        LIMIT_MS,
      );
      return { broker, wrong, logs: capture, outcome };
    }

    it('with a wrong password: the refusal is logged at warn level or above, without the password', async () => {
      const { broker, wrong, logs } = await wrongPassword();
      const refusal = logs.lines.find((l) => /Not authori[sz]ed/i.test(l));
      expect(refusal).toBeDefined();
      const line = JSON.parse(refusal!) as { msg: string; level: string };
      expect(line.msg).toMatch(/refused the login with user ".+" \(not authori[sz]ed/i);
      expect(line.msg).toContain('mqtt.password');
      expect(line.level).toMatch(/^(error|fatal)$/);
      expect(logs.text()).not.toContain(wrong);
      expect(logs.text()).not.toContain(BROKER_PASSWORD);
      expect(broker.output()).toMatch(/disconnected, not authori[sz]ed/i);
    });

    // At start a login still refused after the grace period is a configuration problem: startApp
    // rejects (the CLI exits 1) instead of waiting silently.
    it('with a wrong password: startApp rejects after the grace period, naming the broker and the user, not the password', async () => {
      const { broker, wrong, outcome, logs } = await wrongPassword();
      await waitUntil(() => outcome.settled !== 'no', 'startApp to settle after the grace period', 20_000);
      // It retried at least once inside the grace period, saying so.
      expect(logs.text()).toMatch(/Retrying \(the broker may still be starting\)/);
      expect(outcome.settled).toBe('rejected');
      const message = String((outcome.error as Error)?.message);
      expect(message).toContain(`127.0.0.1:${broker.port}`);
      expect(message).toContain(BROKER_USER);
      expect(message).not.toContain(wrong);
    });
  });

  it('last will: a connection dropped without DISCONNECT turns the bridge offline (retained), then online again', async () => {
    const broker = await mosquitto(['allow_anonymous true']);
    const relay = await Relay.start(broker.port);
    cleanups.push(() => relay.close());
    const live = await collect(broker.url);
    const { logs } = await run(relay.url);
    await waitUntil(() => live.json(STATE) !== undefined, 'patient state', LIMIT_MS);
    await waitUntil(() => live.last.get(BRIDGE_STATE) === 'online', 'bridge online', LIMIT_MS);

    relay.admit = false; // hold the bridge's reconnects off while we look at the will
    relay.cut();
    await waitUntil(() => live.last.get(BRIDGE_STATE) === 'offline', 'last will offline', LIMIT_MS);
    const afterCut = await collect(broker.url);
    await waitUntil(() => afterCut.last.has(BRIDGE_STATE), 'retained bridge state', LIMIT_MS);
    expect(afterCut.on(BRIDGE_STATE)[0]).toEqual({ topic: BRIDGE_STATE, payload: 'offline', retain: true });
    expect(broker.output()).toMatch(/Client bridge-under-test closed its connection\./);
    await waitUntil(() => /unreachable/.test(logs.text()), 'the bridge noticing', LIMIT_MS);

    const statesBefore = live.on(STATE).length;
    relay.admit = true;
    await waitUntil(() => live.last.get(BRIDGE_STATE) === 'online', 'bridge online again', 3 * LIMIT_MS);
    await waitUntil(() => live.on(STATE).length > statesBefore, 'states re-sent after reconnect', LIMIT_MS);
    // (On reconnect the bridge currently sends `online` more than once; only the transitions matter.)
    const transitions = live
      .on(BRIDGE_STATE)
      .map((m) => m.payload)
      .filter((p, i, all) => p !== all[i - 1]);
    expect(transitions).toEqual(['online', 'offline', 'online']);
  }, 120_000);
});
