// `librelinkup2mqtt demo`: the real bridge against the built-in LibreLinkUp simulator and the
// embedded broker, so anyone can see it work without an Abbott account. Readings come every
// 5 seconds (not every minute) so the curves cross low and high within a couple of minutes.

import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFrom } from './config/from-partial.js';
import type { Config } from './config/types.js';
import { DEMO_EMAIL, DEMO_PASSWORD, demoWorld } from './simulator/demo-world.js';
import { startFakeLibreLinkUp } from './simulator/server.js';

export const DEMO_PERIOD_MS = 5_000;
/** The status page's port in the demo, as in the add-on; a free one when something else has it. */
export const DEMO_HTTP_PORT = 8099;

/** `preferred` when it can be bound on `host` now, else 0 (the OS picks a free port). */
export function portOrFree(host: string, preferred: number): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen({ host, port: preferred, exclusive: true }, () => probe.close(() => resolve(preferred)));
  });
}

export interface Demo {
  config: Config;
  /** What to print once the app runs: its real broker and page addresses (port 0 picks one). */
  banner(running: { brokerUrl: string; httpUrl: string | null }): string;
  close(): Promise<void>;
}

export async function startDemo(options: {
  brokerPort: number;
  httpPort?: number | undefined;
  env: NodeJS.ProcessEnv;
  dataDir?: string;
}): Promise<Demo> {
  const sim = await startFakeLibreLinkUp(demoWorld(Date.now(), { periodMs: DEMO_PERIOD_MS }));
  const brokerPort = options.brokerPort;
  // The demo always shows its status page: it is the quickest look at what the bridge publishes.
  const httpPort = options.httpPort ?? (await portOrFree('127.0.0.1', DEMO_HTTP_PORT));
  const config: Config = {
    ...configFrom({
      accounts: [
        { email: DEMO_EMAIL, password: DEMO_PASSWORD, api_url: sim.apiUrl, region_url: sim.regionUrl },
      ],
      mqtt: { client_id: 'librelinkup2mqtt-demo', embedded: { host: '127.0.0.1', port: brokerPort } },
      // interval = the demo's reading period, as 60 s is for the real upstream.
      poll: { interval: DEMO_PERIOD_MS / 1000, min_interval: 1, timeout: 10 },
      data_dir: options.dataDir ?? mkdtempSync(join(tmpdir(), 'librelinkup2mqtt-demo-')),
      log_level: (options.env.LOG_LEVEL as Config['log_level'] | undefined) ?? 'info',
    }),
    // Port 0 (any free port, when 8099 is taken) is not a setting users get: the schema refuses it.
    http: { host: '127.0.0.1', port: httpPort },
  };
  return {
    config,
    banner: ({ brokerUrl, httpUrl }) => {
      const port = new URL(brokerUrl).port;
      return [
        '',
        'librelinkup2mqtt demo: two simulated patients (mg/dL and mmol/L), a reading every 5 s.',
        `  MQTT broker:    ${brokerUrl}  (watch it: mosquitto_sub -h 127.0.0.1 -p ${port} -t 'librelinkup2mqtt/#' -v)`,
        `  Home Assistant: on this machine, add the MQTT integration with broker 127.0.0.1, port ${port}.`,
        '                  The demo broker listens on 127.0.0.1 only; to feed another Home Assistant, write a',
        '                  config.yaml with mqtt.url pointing at its broker (see config.example.yaml).',
        httpUrl !== null ? `  Status page:    ${httpUrl}/` : '',
        '  Stop with Ctrl+C. Not a medical device.',
        '',
      ]
        .filter((l) => l !== '')
        .join('\n')
        .concat('\n');
    },
    close: () => sim.close(),
  };
}
