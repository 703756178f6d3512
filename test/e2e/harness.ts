// Runs the real app (bridge + Home Assistant publisher + MQTT) against the fake LibreLinkUp server
// and an in-process broker, with a client that reads discovery the way Home Assistant does.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, startApp } from '../../src/app.js';
import { configFrom } from '../../src/config/from-partial.js';
import type { Config } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { startFakeLibreLinkUp } from '../../src/simulator/server.js';
import type { FakeLibreLinkUpServer, SimOptions } from '../../src/simulator/types.js';
import { captureLogs, type LogCapture } from '../helpers/logs.js';

export interface RunningBridge {
  app: App;
  config: Config;
  logs: LogCapture;
  stop(): Promise<void>;
}

export function configFor(
  sim: FakeLibreLinkUpServer,
  brokerUrl: string,
  overrides: Partial<Config> = {},
  sim2?: SimOptions,
): Config {
  const accounts = (sim2 ?? { accounts: [] }).accounts;
  // Overrides replace whole groups, unchecked: tests may use what users cannot (http port 0).
  return {
    ...configFrom({
      accounts: accounts.map((a) => ({
        email: a.email,
        password: a.password,
        api_url: sim.apiUrl,
        region_url: sim.regionUrl,
      })),
      mqtt: { url: brokerUrl, client_id: `bridge-${Math.random().toString(36).slice(2, 8)}` },
      data_dir: mkdtempSync(join(tmpdir(), 'llu-e2e-')),
      log_level: 'debug',
    }),
    ...overrides,
  };
}

/** `now`: the clock the fake server also reads, so a test can move time for both. */
export async function runBridge(config: Config, now?: () => number): Promise<RunningBridge> {
  const { capture, destination } = captureLogs();
  const logger = createLogger({ level: config.log_level, destination });
  const app = await startApp(config, { logger, version: '0.0.0-test', ...(now ? { now } : {}) });
  return { app, config, logs: capture, stop: () => app.stop() };
}

export async function startSim(options: SimOptions): Promise<FakeLibreLinkUpServer> {
  return startFakeLibreLinkUp(options);
}

/**
 * A config for a bridge whose upstream is injected (makeClient): the account's URLs point nowhere
 * (port 9), since no HTTP request may leave the test.
 */
export function injectedUpstreamConfig(
  url: string,
  dataDir: string,
  auth: { username?: string; password?: string } = {},
): Config {
  return configFrom({
    accounts: [
      {
        email: 'follower@example.com',
        password: 'Sup3r-S3cret-PW!',
        api_url: 'http://127.0.0.1:9',
        region_url: 'http://127.0.0.1:9/r/{region}',
      },
    ],
    mqtt: { url, ...auth, client_id: 'bridge-under-test', embedded: { host: '127.0.0.1', port: 0 } },
    poll: { interval: 1, min_interval: 0.1, timeout: 5 },
    data_dir: dataDir,
    log_level: 'debug',
  });
}
