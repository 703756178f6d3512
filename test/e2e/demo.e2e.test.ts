// `librelinkup2mqtt demo` and `start` (no config.yaml) through the CLI entry point: the simulator,
// the embedded broker and the real bridge, as a first-time user meets them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, EXIT_OK, main } from '../../src/cli.js';
import type { StatusBody } from '../../src/http/status.js';
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

/**
 * status.json once both patients have a reading (their 24 h figures must be known by then). Limits in
 * real time (performance.now): under --fast, Date.now runs ahead.
 */
async function figuresAtStart(page: string) {
  const deadline = performance.now() + 20_000;
  for (;;) {
    const body = (await (await fetch(`${page}/status.json`)).json()) as StatusBody;
    if (body.patients.length === 2 && body.patients.every((p) => p.value !== null)) {
      for (const p of body.patients) {
        expect([p.time_in_range, p.average, p.gmi], `${p.slug} 24 h figures`).not.toContain(null);
      }
      return body.patients;
    }
    if (performance.now() > deadline) throw new Error('timed out waiting for both demo patients');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits in real time for `pattern` in what the CLI printed. */
async function printed(cli: { text: () => string }, pattern: RegExp): Promise<RegExpExecArray> {
  const deadline = performance.now() + 20_000;
  for (;;) {
    const match = pattern.exec(cli.text());
    if (match !== null) return match;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${pattern}`);
    await new Promise((r) => setTimeout(r, 25));
  }
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
      // Real timing with yesterday already in the history: the 24 h figures are known at start.
      expect(cli.text()).toContain('a reading a minute, with the last 24 h already in the history');
      const figures = await figuresAtStart(page!);
      expect(figures.map((p) => p.slug).sort()).toEqual(['alex_demo', 'sam_demo']);
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

      // Both people's discovery (each config once, retained): awaited, as the subscriber may have
      // joined while the first configs were on their way.
      await waitUntil(
        () =>
          collector.messages.filter((m) => m.topic.endsWith('/glucose/config') && m.payload !== '').length >=
          2,
        'both glucose configs',
        20_000,
      );
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

  it('`demo --fast` compresses time with the figures known at start, and gives the clock back on exit', async () => {
    const cli = cliIo();
    const exit = main(['demo', '--fast', '--port', '0', '--http-port', '0'], cli.io);
    try {
      await printed(cli, /time runs 12x faster \(a reading every 5 s, stale after 75 s\)/);
      const page = (await printed(cli, /Status page: +(http:\/\/127\.0\.0\.1:\d+)\//))[1]!;
      const [first] = await figuresAtStart(page);
      // The bridge's clock runs ahead of the real one while the demo runs.
      // biome-ignore lint/complexity/useDateNow: new Date() reads the wall clock the warp never touches
      await printed({ text: () => (Date.now() - new Date().getTime() > 5_000 ? 'ahead' : '') }, /ahead/);
      expect(first!.chart.points.length).toBeGreaterThan(600);
    } finally {
      cli.stop('SIGTERM');
      expect(await exit).toBe(EXIT_OK);
    }
    // biome-ignore lint/complexity/useDateNow: new Date() reads the wall clock the warp never touches
    expect(Math.abs(Date.now() - new Date().getTime())).toBeLessThan(1_000);
  });
});
