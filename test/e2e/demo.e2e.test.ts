// `librelinkup2mqtt demo` and `start` (no config.yaml) through the CLI entry point: the simulator,
// the embedded broker and the real bridge, as a first-time user meets them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, EXIT_OK, main } from '../../src/cli.js';
import { checkDiscovery } from '../homeassistant/ha-checklist.js';
import { Collector, waitUntil } from './collector.js';

const BASE = 'librelinkup2mqtt';

function cliIo() {
  const out: string[] = [];
  let stop: (signal: string) => void = () => {};
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => out.push(t),
    env: { LOG_LEVEL: 'warn' },
    cwd: mkdtempSync(join(tmpdir(), 'llu-demo-')),
    stopSignal: new Promise<string>((resolve) => {
      stop = resolve;
    }),
  };
  return { io, text: () => out.join(''), stop: (s: string) => stop(s) };
}

async function runUntilPublishing(args: string[]) {
  const cli = cliIo();
  const exit = main(args, cli.io);
  await waitUntil(() => /MQTT broker: +mqtt:\/\/127\.0\.0\.1:\d+/.test(cli.text()), 'the banner', 20_000);
  const url = /MQTT broker: +(mqtt:\/\/127\.0\.0\.1:\d+)/.exec(cli.text())![1]!;
  const collector = await Collector.connect(url, [`${BASE}/#`, 'homeassistant/#']);
  return { cli, exit, url, collector };
}

describe('demo', () => {
  it('publishes discovery and states for an mg/dL and an mmol/L patient, then exits 0 on SIGTERM', async () => {
    const { cli, exit, url, collector } = await runUntilPublishing(['demo', '--port', '0']);
    try {
      expect(url).not.toMatch(/:0$/);
      expect(cli.text()).toContain('Not a medical device');
      // The demo shows its status page without being asked, on 8099 or a free port when that is taken.
      const page = /Status page: +(http:\/\/127\.0\.0\.1:\d+)\//.exec(cli.text())?.[1];
      expect(page, 'status page URL in the banner').toBeDefined();
      const answer = await fetch(`${page}/`);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain('<html');
      await waitUntil(
        () =>
          collector.json(`${BASE}/alex_demo/state`) !== undefined &&
          collector.json(`${BASE}/sam_demo/state`) !== undefined,
        'both demo patients',
        20_000,
      );
      const alex = collector.json<{ unit: string; glucose: number; glucose_mgdl: number }>(
        `${BASE}/alex_demo/state`,
      )!;
      const sam = collector.json<{ unit: string; glucose: number; glucose_mgdl: number }>(
        `${BASE}/sam_demo/state`,
      )!;
      expect(alex.unit).toBe('mg/dL');
      expect(alex.glucose).toBe(alex.glucose_mgdl);
      expect(sam.unit).toBe('mmol/L');
      expect(sam.glucose).toBe(Math.round((sam.glucose_mgdl / 18) * 10) / 10);

      const configs = collector.messages.filter(
        (m) => m.topic.startsWith('homeassistant/') && m.payload !== '',
      );
      const glucose = configs
        .filter((m) => m.topic.endsWith('/glucose/config'))
        .map((m) => JSON.parse(m.payload) as { unit_of_measurement: string; unique_id: string });
      expect(glucose.map((g) => g.unit_of_measurement).sort()).toEqual(['mg/dL', 'mmol/L']);
      for (const m of configs) {
        expect(checkDiscovery('homeassistant', m.topic, JSON.parse(m.payload)), m.topic).toEqual([]);
      }
      // Home Assistant restarting later finds every config retained on the broker.
      const late = await Collector.connect(url, ['homeassistant/#']);
      await waitUntil(() => late.messages.length >= configs.length, 'retained configs', 10_000);
      expect(late.messages.every((m) => m.retain)).toBe(true);
      await late.close();
      expect(collector.last.get(`${BASE}/bridge/state`)).toBe('online');
    } finally {
      cli.stop('SIGTERM');
      expect(await exit).toBe(EXIT_OK);
      await waitUntil(
        () => collector.last.get(`${BASE}/bridge/state`) === 'offline',
        'offline',
        10_000,
      ).catch(() => {});
      await collector.close();
    }
  });

  it('`start` without a config.yaml runs the demo and says so', async () => {
    const { cli, exit, collector } = await runUntilPublishing(['start', '--port', '0']);
    try {
      expect(cli.text()).toMatch(/No .*config.yaml found: starting the demo/);
      await waitUntil(() => collector.json(`${BASE}/alex_demo/state`) !== undefined, 'demo state', 20_000);
    } finally {
      cli.stop('SIGTERM');
      expect(await exit).toBe(EXIT_OK);
      await collector.close();
    }
  });
});
