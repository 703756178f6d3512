// Wires one running instance: embedded broker (when no mqtt.url), MQTT connection, the Home
// Assistant publisher as the bridge's sink, the LibreLinkUp client per account, the bridge, and the
// optional HTTP listener. Start order follows the data flow backwards, so nothing is published
// before there is somewhere to publish it; stop runs it forwards and is bounded in time.

import { Bridge, type ClientFactory } from './bridge/bridge.js';
import type { Config } from './config/types.js';
import { HomeAssistantPublisher } from './homeassistant/publisher.js';
import { healthReport } from './http/health.js';
import { startHttpServer } from './http/server.js';
import { buildStatus } from './http/status.js';
import { statusPages } from './http/status-page.js';
import { LluClient } from './librelinkup/client.js';
import { type Logger, registerSecret } from './log.js';
import { startEmbeddedBroker } from './mqtt/broker.js';
import { MqttConnection } from './mqtt/client.js';

export interface App {
  readonly bridge: Bridge;
  readonly brokerUrl: string;
  readonly httpUrl: string | null;
  stop(): Promise<void>;
}

export interface AppOptions {
  logger: Logger;
  version: string;
  /** tests inject an upstream client factory; default: the real LibreLinkUp client */
  makeClient?: ClientFactory;
  now?: () => number;
  /** how long possibly transient MQTT refusals are retried at start (tests shorten it) */
  mqttStartupGraceMs?: number;
  /**
   * Addresses allowed to read the status page and status.json (the add-on: the ingress proxy and
   * loopback). Absent: anyone who reaches the listener. /health is always answered.
   */
  pagesAllowFrom?: readonly string[];
}

/**
 * Stopping ends within 4 s even if the broker or upstream hangs: the steps' own limits add up to 3 s
 * (1 s for a LibreLinkUp request in flight, 1 s each for the offline message and the disconnect),
 * well inside the 10 s Docker and the Supervisor allow before SIGKILL.
 */
export const STOP_BUDGET_MS = 4_000;

export const defaultClientFactory: ClientFactory = ({
  account,
  session,
  onSessionChange,
  timeoutMs,
  logger,
}) =>
  new LluClient({
    email: account.email,
    password: account.password,
    region: account.region,
    apiUrl: account.api_url,
    regionUrl: account.region_url,
    version: account.version,
    acceptTerms: account.accept_terms,
    timeoutMs,
    logger,
    session,
    onSessionChange,
  });

export async function startApp(config: Config, options: AppOptions): Promise<App> {
  const { logger } = options;
  for (const a of config.accounts) registerSecret(a.password);
  registerSecret(config.mqtt.password);

  const broker = config.mqtt.url
    ? null
    : await startEmbeddedBroker({
        host: config.mqtt.embedded.host,
        port: config.mqtt.embedded.port,
        username: config.mqtt.username,
        password: config.mqtt.password,
        logger: logger.child({ module: 'broker' }),
      });
  const brokerUrl = config.mqtt.url ?? broker!.url;
  const mqtt = new MqttConnection({
    config: { ...config.mqtt, url: brokerUrl },
    logger: logger.child({ module: 'mqtt' }),
    ...(options.mqttStartupGraceMs !== undefined
      ? { startupRefusalGraceMs: options.mqttStartupGraceMs }
      : {}),
  });

  let bridge: Bridge | null = null;
  const publisher = new HomeAssistantPublisher({
    mqtt,
    config: config.mqtt,
    version: options.version,
    logger: logger.child({ module: 'homeassistant' }),
    onPollNow: () => bridge?.pollNow(),
  });
  bridge = new Bridge({
    config,
    sink: publisher,
    makeClient: options.makeClient ?? defaultClientFactory,
    logger: logger.child({ module: 'bridge' }),
    ...(options.now ? { now: options.now } : {}),
  });

  const startedAt = Date.now();
  const httpLogger = logger.child({ module: 'http' });
  const http =
    config.http.port === undefined
      ? null
      : await startHttpServer({
          host: config.http.host,
          port: config.http.port,
          logger: httpLogger,
          health: () =>
            healthReport({
              brokerConnected: mqtt.connected,
              accounts: bridge?.accounts() ?? [],
              now: Date.now(),
              startedAt,
            }),
          pagesAllowFrom: options.pagesAllowFrom,
          pages: statusPages({
            logger: httpLogger,
            status: () =>
              buildStatus({
                now: (options.now ?? Date.now)(),
                startedAt,
                version: options.version,
                brokerConnected: mqtt.connected,
                accounts: bridge?.accounts() ?? [],
                patients: bridge?.patients() ?? [],
              }),
          }),
        });

  try {
    await mqtt.connect();
  } catch (error) {
    await http?.close();
    await broker?.close();
    throw error;
  }
  await publisher.start();
  bridge.start();
  logger.info(
    { broker: broker ? 'embedded' : 'external', accounts: config.accounts.length },
    `librelinkup2mqtt ${options.version} running`,
  );

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const steps = (async () => {
        await bridge.stop();
        await publisher.stop();
        await mqtt.close();
        await http?.close();
        await broker?.close();
      })();
      const budget = new Promise<void>((resolve) => setTimeout(resolve, STOP_BUDGET_MS).unref());
      await Promise.race([steps.catch((e) => logger.warn({ err: e }, 'error while stopping')), budget]);
    })();
    return stopping;
  };

  return { bridge, brokerUrl, httpUrl: http?.url ?? null, stop };
}
