// The demo's timing, end to end (simulator, embedded broker, real bridge and status page): at real
// timing the 24 h figures are known from the first poll and equal those of the simulator's readings;
// under compressed time every window shrinks alike, so the rate of change agrees with the arrow and a
// reading turns stale after 15 simulated minutes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, startApp } from '../../src/app.js';
import { dailyFigures, gmiPercent } from '../../src/bridge/stats.js';
import { type Demo, startDemo } from '../../src/demo.js';
import type { StatusBody } from '../../src/http/status.js';
import type { Reading } from '../../src/librelinkup/model.js';
import { silentLogger } from '../../src/log.js';
import { DEMO_MGDL_PATIENT, DEMO_MMOL_PATIENT } from '../../src/simulator/demo-world.js';
import { call } from '../helpers/http.js';
import { Collector } from './collector.js';

const BASE = 'librelinkup2mqtt';
const MIN = 60_000;

/**
 * Polls `probe` until it returns a value, with a limit in REAL milliseconds: under compressed time
 * Date.now runs ahead, so the limit is measured with performance.now.
 */
async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, realMs = 30_000) {
  const deadline = performance.now() + realMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline)
      throw new Error(`timed out after ${realMs} real ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function status(url: string): Promise<StatusBody> {
  return JSON.parse((await call(url, '/status.json')).body) as StatusBody;
}

let running: { demo: Demo; app: App | null } | null = null;
afterEach(async () => {
  await running?.app?.stop();
  await running?.demo.close();
  running = null;
});

async function start(speed: number) {
  const demo = await startDemo({
    brokerPort: 0,
    httpPort: 0,
    env: {},
    dataDir: mkdtempSync(join(tmpdir(), 'llu-demo-timing-')),
    speed,
  });
  running = { demo, app: null };
  running.app = await startApp(demo.config, { logger: silentLogger(), version: '0.0.0-demo' });
  return { demo, app: running.app };
}

describe('demo at real timing', () => {
  it('knows time in range, average and GMI from the first poll, equal to the simulator truth', async () => {
    const { demo, app } = await start(1);
    expect(demo.config.poll.interval).toBe(60);
    const url = app.httpUrl!;
    const body = await until(async () => {
      const s = await status(url);
      return s.patients.length === 2 && s.patients.every((p) => p.value !== null) ? s : undefined;
    }, 'both demo patients');
    const now = Date.parse(body.generated_at);
    for (const [slug, id] of [
      ['alex_demo', DEMO_MGDL_PATIENT],
      ['sam_demo', DEMO_MMOL_PATIENT],
    ] as const) {
      const p = body.patients.find((x) => x.slug === slug)!;
      // What the simulator served over the last 24 h: the bridge has seen all of it at once, from
      // the history it found in data_dir and its first poll (LibreLinkUp's graph alone is 12 h).
      const truth = demo.sim
        .readingsOf(id, now)
        .map((r) => ({ timestamp: r.timestamp, mgdl: r.mgdl }) as Reading);
      const low = p.unit === 'mmol/L' ? Math.round(p.target_low * 18) : p.target_low;
      const high = p.unit === 'mmol/L' ? Math.round(p.target_high * 18) : p.target_high;
      const day = dailyFigures(truth, { targetLowMgdl: low, targetHighMgdl: high, urgentLowMgdl: 54 }, now);
      expect(day.coveredMs, `${slug}: the simulator has a full day`).toBeGreaterThan(23.9 * 60 * MIN);
      expect(p.time_in_range, slug).not.toBeNull();
      expect(p.time_in_range!).toBeCloseTo((day.inRangeMs / day.coveredMs) * 100, 0);
      const mean = p.unit === 'mmol/L' ? day.meanMgdl! / 18 : day.meanMgdl!;
      expect(Math.abs(p.average! - mean), `${slug} average`).toBeLessThan(p.unit === 'mmol/L' ? 0.1 : 1);
      expect(Math.abs(p.gmi! - gmiPercent(day.meanMgdl!)), `${slug} GMI`).toBeLessThanOrEqual(0.1);
      // The chart is filled over its whole 12 h from the start.
      expect(p.chart.points[0]!.time - p.chart.from).toBeLessThan(10 * MIN);
      expect(p.chart.points.length).toBeGreaterThan(12 * 60 * 0.9);
      expect(p.rate).not.toBeNull();
    }
  }, 60_000);
});

describe('demo --fast (compressed time)', () => {
  it('rate agrees with the arrow rising and falling; stale after 15 simulated minutes', async () => {
    const realStart = performance.now();
    const { demo, app } = await start(120);
    const states: Array<{ trend: string | null; rate: number | null; stale: boolean; timestamp: string }> =
      [];
    const collector = await Collector.connect(app.brokerUrl, [`${BASE}/alex_demo/state`]);
    try {
      const seen = () => collector.on(`${BASE}/alex_demo/state`).map((m) => JSON.parse(m.payload));
      // A rising and a falling stretch of Alex's curve (a few simulated minutes each).
      await until(() => {
        const all = seen();
        const rising = all.filter((s) => s.trend === 'rising' || s.trend === 'rising_quickly');
        const falling = all.filter((s) => s.trend === 'falling' || s.trend === 'falling_quickly');
        return rising.length >= 3 && falling.length >= 3 ? true : undefined;
      }, 'rising and falling readings');
      states.push(...seen());
      for (const s of states) {
        const at = `${s.trend} at ${s.timestamp}`;
        if (s.trend === 'rising' || s.trend === 'rising_quickly') expect(s.rate!, at).toBeGreaterThan(0);
        if (s.trend === 'falling' || s.trend === 'falling_quickly') expect(s.rate!, at).toBeLessThan(0);
        expect(s.stale, at).toBe(false);
      }

      // The phone goes offline: no new reading after the last one upstream has now.
      demo.sim.pauseReadings(DEMO_MGDL_PATIENT);
      const last = demo.sim.readingsOf(DEMO_MGDL_PATIENT).at(-1)!.timestamp;
      const stale = await until(() => {
        const s = seen().at(-1);
        return s?.stale === true ? { state: s, at: Date.now() } : undefined;
      }, 'the stale state');
      expect(Date.parse(stale.state.timestamp)).toBe(last);
      // Not before 15 simulated minutes, and not long after (a poll or two at one a minute).
      expect(stale.at - last).toBeGreaterThanOrEqual(15 * MIN);
      expect(stale.at - last).toBeLessThan(20 * MIN);
      // The page's ages come from the bridge's (compressed) clock too.
      const page = (await status(app.httpUrl!)).patients.find((p) => p.slug === 'alex_demo')!;
      expect(page.stale).toBe(true);
      expect(page.age_text).toMatch(/^1[5-9] min ago$/);
      // All of it took far less than 15 real minutes.
      expect(performance.now() - realStart).toBeLessThan(5 * MIN);
    } finally {
      await collector.close();
    }
    await running!.app!.stop();
    await demo.close();
    running = null;
    // The real clock is back once the demo has stopped (new Date() reads the wall clock directly).
    // biome-ignore lint/complexity/useDateNow: comparing the two clocks is the point
    expect(Math.abs(Date.now() - new Date().getTime())).toBeLessThan(1_000);
  }, 120_000);
});
