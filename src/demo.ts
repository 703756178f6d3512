// `librelinkup2mqtt demo`: the real bridge against the built-in LibreLinkUp simulator and the
// embedded broker, so anyone can see it work without an Abbott account. It keeps real timing (a
// reading a minute, a poll a minute) with yesterday's history already in data_dir, so every figure
// looks as it will with a real account. `--fast` compresses time as a whole (src/time-warp.ts), so
// the curves cross low and high within minutes and every window shrinks alike.

import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFrom } from './config/from-partial.js';
import type { Config } from './config/types.js';
import { seedHistory } from './demo-history.js';
import { silentLogger } from './log.js';
import { DEMO_EMAIL, DEMO_PASSWORD, demoWorld } from './simulator/demo-world.js';
import { startFakeLibreLinkUp } from './simulator/server.js';
import type { FakeLibreLinkUpServer } from './simulator/types.js';
import { compressTime, type TimeWarp } from './time-warp.js';

/** A reading a minute, as LibreLinkUp has them (in simulated time under --fast). */
export const DEMO_PERIOD_MS = 60_000;
/** `demo --fast`: a simulated minute every 5 s, so stale comes after 75 s and Alex's cycle takes 8 min. */
export const DEMO_FAST_FACTOR = 12;
/** The bridge's per-request timeout, in real seconds whatever the speed. */
const REQUEST_TIMEOUT_S = 10;
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
  /** the simulated LibreLinkUp (tests pause readings through it) */
  sim: FakeLibreLinkUpServer;
  /** how many times faster than real time the demo runs (1: real timing) */
  speed: number;
  /** What to print once the app runs: its real broker and page addresses (port 0 picks one). */
  banner(running: { brokerUrl: string; httpUrl: string | null }): string;
  close(): Promise<void>;
}

export async function startDemo(options: {
  brokerPort: number;
  httpPort?: number | undefined;
  env: NodeJS.ProcessEnv;
  dataDir?: string;
  /** > 1: compress time by this factor until close() (this whole process's clock; see time-warp.ts) */
  speed?: number;
}): Promise<Demo> {
  const speed = options.speed ?? 1;
  // Before anything reads the clock: the simulator's past, the seed and the bridge share one timeline.
  const warp: TimeWarp | null = speed > 1 ? compressTime(speed) : null;
  try {
    return await assemble(options, speed, warp);
  } catch (error) {
    warp?.restore();
    throw error;
  }
}

async function assemble(
  options: Parameters<typeof startDemo>[0],
  speed: number,
  warp: TimeWarp | null,
): Promise<Demo> {
  const startedAt = Date.now();
  const world = demoWorld(startedAt, { periodMs: DEMO_PERIOD_MS });
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'librelinkup2mqtt-demo-'));
  seedHistory(dataDir, world, startedAt, startedAt, silentLogger());
  const sim = await startFakeLibreLinkUp(world);
  const brokerPort = options.brokerPort;
  // The demo always shows its status page: it is the quickest look at what the bridge publishes.
  const httpPort = options.httpPort ?? (await portOrFree('127.0.0.1', DEMO_HTTP_PORT));
  const base = configFrom({
    accounts: [
      { email: DEMO_EMAIL, password: DEMO_PASSWORD, api_url: sim.apiUrl, region_url: sim.regionUrl },
    ],
    mqtt: { client_id: 'librelinkup2mqtt-demo', embedded: { host: '127.0.0.1', port: brokerPort } },
    data_dir: dataDir,
    log_level: (options.env.LOG_LEVEL as Config['log_level'] | undefined) ?? 'info',
  });
  // Polling keeps the defaults a real account runs with (a poll a minute, 10 s apart at least).
  const config: Config = {
    ...base,
    // The request timeout is counted on the compressed clock, so it is stretched back to real
    // seconds (a socket is not faster under --fast), past what the schema lets users set.
    poll: { ...base.poll, timeout: REQUEST_TIMEOUT_S * speed },
    // Port 0 (any free port, when 8099 is taken) is not a setting users get: the schema refuses it.
    http: { host: '127.0.0.1', port: httpPort },
  };
  const pace =
    speed > 1
      ? `time runs ${speed}x faster (a reading every ${DEMO_PERIOD_MS / speed / 1000} s, stale after ${(15 * 60) / speed} s)`
      : 'a reading a minute, with the last 24 h already in the history';
  return {
    config,
    sim,
    speed,
    banner: ({ brokerUrl, httpUrl }) => {
      const port = new URL(brokerUrl).port;
      return [
        '',
        `librelinkup2mqtt demo: two simulated patients (mg/dL and mmol/L), ${pace}.`,
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
    close: async () => {
      try {
        await sim.close();
      } finally {
        warp?.restore();
      }
    },
  };
}
