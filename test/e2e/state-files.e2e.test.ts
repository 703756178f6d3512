// State files in data_dir end to end: whatever a previous run (or a person, or a full disk) left
// there, the real bridge starts, publishes, and says once what it did about it.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { accountKey } from '../../src/bridge/bridge.js';
import type { Config } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import { cleanupFor } from './cleanup.js';
import { Collector, waitUntil } from './collector.js';
import { configFor, type RunningBridge, runBridge, startSim } from './harness.js';
import { EMAIL, MGDL_PATIENT, MMOL_PATIENT, twoPatients } from './world.js';

const BASE = 'librelinkup2mqtt';
type ReadingMsg = { timestamp: string; glucose_mgdl: number };
type Line = { level: string; msg: string; [key: string]: unknown };

describe.concurrent('state files end to end', () => {
  async function setup(ctx: TestContext, overrides: Partial<Config> = {}) {
    const defer = cleanupFor(ctx);
    const world = twoPatients(Date.now);
    const sim = await startSim(world);
    defer(() => sim.close());
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    defer(() => broker.close());
    const poll = { interval: 1, min_interval: 0.25, timeout: 5 };
    const config = configFor(sim, broker.url, { poll, ...overrides }, world);
    const collector = await Collector.connect(broker.url, [`${BASE}/#`]);
    defer(() => collector.close());
    const file = join(config.data_dir, `${accountKey(EMAIL)}.json`);
    const start = async (): Promise<RunningBridge> => {
      const bridge = await runBridge(config);
      defer(() => bridge.stop());
      return bridge;
    };
    const readings = (slug: string) =>
      collector.on(`${BASE}/${slug}/reading`).map((m) => JSON.parse(m.payload) as ReadingMsg);
    const logs = (bridge: RunningBridge, level: string) =>
      bridge.logs.lines.map((l) => JSON.parse(l) as Line).filter((l) => l.level === level);
    return { sim, config, collector, file, start, readings, logs };
  }

  /** A first run that publishes a few readings of both patients and leaves its state file behind. */
  async function firstRun(env: Awaited<ReturnType<typeof setup>>) {
    const first = await env.start();
    await waitUntil(
      () => env.readings('anna_smith').length >= 4 && env.readings('ben_jones').length >= 2,
      'first readings',
    );
    await first.stop();
    return JSON.parse(readFileSync(env.file, 'utf8')) as {
      patients: Record<string, { log: { lastPublishedTs: number }; latest: Record<string, unknown> }>;
    } & Record<string, unknown>;
  }

  function expectNoRepeats(list: ReadingMsg[]) {
    const ts = list.map((r) => Date.parse(r.timestamp));
    expect(new Set(ts).size).toBe(ts.length);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
  }

  it('a state file of valid JSON and the wrong shape: moved aside with one warning, the bridge starts and publishes', async (ctx) => {
    const env = await setup(ctx);
    const saved = await firstRun(env);
    // `patients` as a list of the entries (what a careless edit or another tool might leave).
    writeFileSync(env.file, JSON.stringify({ ...saved, patients: Object.values(saved.patients) }));
    const seen = env.readings('anna_smith').length;
    const bridge = await env.start();
    await waitUntil(() => env.readings('anna_smith').length >= seen + 3, 'readings after the restart');
    const warns = env.logs(bridge, 'warn').filter((l) => l.msg.startsWith('state file'));
    expect(warns).toHaveLength(1);
    expect(warns[0]!.msg).toContain(
      `state file ${env.file} has an unexpected shape at /patients: must be object`,
    );
    const aside = readdirSync(env.config.data_dir).filter((f) => f.includes('.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(warns[0]!.aside).toBe(join(env.config.data_dir, aside[0]!));
    // Topics did not move: both patients keep their slugs.
    expect(env.collector.json(`${BASE}/ben_jones/state`)).toBeDefined();
    expect(JSON.parse(readFileSync(env.file, 'utf8')).patients[MGDL_PATIENT].slug).toBe('anna_smith');
  });

  it('one bad patient entry: the good one keeps its slug and watermark (nothing re-published), the bad one starts afresh', async (ctx) => {
    const env = await setup(ctx);
    const saved = await firstRun(env);
    const annaWatermark = saved.patients[MGDL_PATIENT]!.log.lastPublishedTs;
    delete (saved.patients[MMOL_PATIENT] as Record<string, unknown>).connection;
    writeFileSync(env.file, JSON.stringify(saved));
    const annaBefore = env.readings('anna_smith').length;
    const benBefore = env.readings('ben_jones').length;
    const bridge = await env.start();
    await waitUntil(
      () =>
        env.readings('anna_smith').length >= annaBefore + 4 &&
        env.readings('ben_jones').length >= benBefore + 2,
      'readings of both after the restart',
    );
    const anna = env.readings('anna_smith');
    expectNoRepeats(anna);
    expect(Date.parse(anna[annaBefore]!.timestamp)).toBeGreaterThan(annaWatermark);
    const warns = env.logs(bridge, 'warn').filter((l) => l.msg.startsWith('state file'));
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ patient: `ben_jones (${MMOL_PATIENT.slice(0, 8)}…)` });
    expect(warns[0]!.msg).toContain(
      `/patients/${MMOL_PATIENT.slice(0, 8)}…/connection (is missing); that patient starts afresh`,
    );
    expect(readdirSync(env.config.data_dir).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
    const now = JSON.parse(readFileSync(env.file, 'utf8'));
    expect(now.patients[MMOL_PATIENT].slug).toBe('ben_jones');
    expect(now.patients[MMOL_PATIENT].connection.patientId).toBe(MMOL_PATIENT);
  });

  it('a saved reading with glucose as a string or an impossible timestamp: the start is not fatal, nothing bad is published', async (ctx) => {
    const env = await setup(ctx);
    const saved = await firstRun(env);
    saved.patients[MGDL_PATIENT]!.latest.mgdl = String(saved.patients[MGDL_PATIENT]!.latest.mgdl);
    saved.patients[MMOL_PATIENT]!.latest.timestamp = 1e300;
    writeFileSync(env.file, JSON.stringify(saved));
    const annaBefore = env.readings('anna_smith').length;
    const benBefore = env.readings('ben_jones').length;
    const bridge = await env.start();
    await waitUntil(
      () =>
        env.readings('anna_smith').length >= annaBefore + 3 &&
        env.readings('ben_jones').length >= benBefore + 3,
      'readings of both after the restart',
    );
    for (const slug of ['anna_smith', 'ben_jones']) {
      expectNoRepeats(env.readings(slug));
      for (const m of env.collector.on(`${BASE}/${slug}/state`)) {
        const state = JSON.parse(m.payload) as { glucose_mgdl: unknown; timestamp: unknown };
        if (state.glucose_mgdl === null) continue;
        expect(typeof state.glucose_mgdl).toBe('number');
        expect(Number.isFinite(Date.parse(String(state.timestamp)))).toBe(true);
      }
    }
    const warns = env.logs(bridge, 'warn').filter((l) => l.msg.startsWith('state file'));
    expect(warns.map((w) => [w.path, w.reset])).toEqual([
      [`/patients/${MGDL_PATIENT.slice(0, 8)}…/latest/mgdl`, ['latest reading']],
      [`/patients/${MMOL_PATIENT.slice(0, 8)}…/latest/timestamp`, ['latest reading']],
    ]);
  });

  it('a data_dir that cannot be written: the bridge keeps publishing, with one error line per store', async (ctx) => {
    const env = await setup(ctx);
    // A file where data_dir's parent should be: no directory can be made there, as root either.
    const blocker = join(env.config.data_dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    env.config.data_dir = join(blocker, 'data');
    const bridge = await env.start();
    await waitUntil(
      () => env.readings('anna_smith').length >= 6 && env.readings('ben_jones').length >= 3,
      'readings without a data_dir',
    );
    // One line per store that cannot write (the state file, the history), never one per save.
    const errors = env.logs(bridge, 'error');
    const state = errors.filter((e) => e.msg.startsWith('cannot write the state file'));
    const history = errors.filter((e) => e.msg.startsWith('cannot write the history'));
    expect(state).toHaveLength(1);
    expect(history.length).toBeLessThanOrEqual(1);
    expect(errors).toHaveLength(state.length + history.length);
    expect(state[0]!.msg).toContain(
      `cannot write the state file in data_dir ${env.config.data_dir}: a file is in the way`,
    );
    expectNoRepeats(env.readings('anna_smith'));
  });
});
