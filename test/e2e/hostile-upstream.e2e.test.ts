// Hostile and odd upstream data end to end: the fake LibreLinkUp server serves it (hostile fault,
// clock offset), the real bridge runs against an in-process broker. A future-dated reading, one
// patient's bad field, a clock difference or a timeline that moves backwards must never hide a
// real reading.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import type { Config } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { startEmbeddedBroker } from '../../src/mqtt/broker.js';
import type { SimOptions } from '../../src/simulator/types.js';
import { cleanupFor } from './cleanup.js';
import { Collector, waitUntil } from './collector.js';
import { configFor, type RunningBridge, runBridge, startSim } from './harness.js';
import { MGDL_PATIENT, MMOL_PATIENT, movableClock, twoPatients } from './world.js';

const BASE = 'librelinkup2mqtt';
const ACCOUNT_STATE = /^librelinkup2mqtt\/bridge\/acct_[0-9a-f]{8}\/state$/;
const HOUR = 3_600_000;

interface Published {
  timestamp: string;
  glucose_mgdl: number;
  range?: string;
}

describe.concurrent('hostile upstream end to end', () => {
  async function setup(ctx: TestContext, world: SimOptions = twoPatients(Date.now)) {
    const defer = cleanupFor(ctx);
    const sim = await startSim(world);
    defer(() => sim.close());
    const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    defer(() => broker.close());
    const collector = await Collector.connect(broker.url, [`${BASE}/#`]);
    defer(() => collector.close());
    const config: Config = configFor(
      sim,
      broker.url,
      { poll: { interval: 1, min_interval: 0.25, timeout: 3 } },
      world,
    );
    const start = async (now?: () => number): Promise<RunningBridge> => {
      const bridge = await runBridge(config, now);
      defer(() => bridge.stop());
      return bridge;
    };
    const published = (slug: string, kind: 'reading' | 'state') =>
      collector
        .on(`${BASE}/${slug}/${kind}`)
        .filter((m) => m.payload !== '')
        .map((m) => JSON.parse(m.payload) as Published);
    const accountStates = () =>
      collector.messages
        .filter((m) => ACCOUNT_STATE.test(m.topic))
        .map((m) => JSON.parse(m.payload) as { ok: boolean; error_kind: string | null });
    const served = (outcome: string) => sim.requests.filter((r) => r.outcome === outcome).length;
    return { sim, collector, config, start, published, accountStates, served };
  }

  it('a reading 2 h in the future is never published nor stored, and the next real readings (an urgent low) flow, also after a restart', async (ctx) => {
    let lowFrom = Number.POSITIVE_INFINITY;
    const world = twoPatients(Date.now);
    world.patients[0]!.curve = (t) => (t >= lowFrom ? 45 : 120);
    const { sim, config, start, published, served } = await setup(ctx, world);
    let bridge = await start();
    await waitUntil(() => published('anna_smith', 'reading').length >= 2, 'first readings');
    sim.addFault({
      endpoint: 'connections',
      fault: { kind: 'hostile', patientId: MGDL_PATIENT, readingOffsetMs: 2 * HOUR },
      times: 2,
    });
    await waitUntil(() => served('ok+hostile') >= 2, 'the future reading served');
    lowFrom = Date.now();
    await waitUntil(
      () => published('anna_smith', 'reading').some((r) => r.glucose_mgdl === 45),
      'the urgent low published',
    );
    await waitUntil(
      () => published('anna_smith', 'state').some((s) => s.range === 'urgent_low'),
      'the urgent low on state',
    );
    const limit = () => Date.now() + 5 * 60_000;
    for (const kind of ['reading', 'state'] as const)
      for (const r of published('anna_smith', kind))
        expect(Date.parse(r.timestamp), kind).toBeLessThan(limit());
    expect(bridge.logs.text()).toMatch(
      /refused a reading of anna_smith dated 2 h ahead of LibreLinkUp's clock/,
    );
    expect(bridge.logs.lines.filter((l) => l.includes('refused a reading'))).toHaveLength(1);
    await bridge.stop();
    // Nothing from the future reached data_dir.
    for (const file of readdirSync(config.data_dir).filter((f) => f.endsWith('.json'))) {
      const text = readFileSync(join(config.data_dir, file), 'utf8');
      for (const m of text.matchAll(/"timestamp":(\d+)/g)) expect(Number(m[1])).toBeLessThan(limit());
    }
    const before = published('anna_smith', 'reading').length;
    const newestBefore = Math.max(...published('anna_smith', 'reading').map((r) => Date.parse(r.timestamp)));
    bridge = await start();
    await waitUntil(
      () =>
        published('anna_smith', 'reading')
          .slice(before)
          .some((r) => Date.parse(r.timestamp) > newestBefore),
      'readings after the restart',
    );
  }, 60_000);

  it('a future reading stored by an older version is discarded at the first answer; real readings flow', async (ctx) => {
    const { config, start, published } = await setup(ctx);
    let bridge = await start();
    await waitUntil(() => published('anna_smith', 'reading').length >= 2, 'first readings');
    await bridge.stop();
    const file = readdirSync(config.data_dir).find((f) => f.endsWith('.json'))!;
    const state = JSON.parse(readFileSync(join(config.data_dir, file), 'utf8')) as {
      patients: Record<string, { latest: { timestamp: number }; log: { lastPublishedTs: number | null } }>;
    };
    const stored = state.patients[MGDL_PATIENT]!;
    const future = Date.now() + 2 * HOUR;
    stored.latest.timestamp = future;
    stored.log.lastPublishedTs = future;
    writeFileSync(join(config.data_dir, file), JSON.stringify(state));
    const newestBefore = Math.max(...published('anna_smith', 'reading').map((r) => Date.parse(r.timestamp)));
    bridge = await start();
    await waitUntil(
      () => published('anna_smith', 'reading').some((r) => Date.parse(r.timestamp) > newestBefore),
      'real readings after the stored future one',
    );
    expect(bridge.logs.text()).toMatch(
      /discarding the stored reading of anna_smith dated 2 h ahead of LibreLinkUp's clock/,
    );
  }, 30_000);

  const BAD_FIELDS: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'a sensor activated 10 years ahead',
      { 'sensor.a': Math.floor(Date.now() / 1000) + 10 * 365 * 86_400 },
      /data\[\d\]\.sensor\.a/,
    ],
    ['a null first name', { firstName: null }, /data\[\d\]\.firstName/],
    [
      'glucose as a string',
      { 'glucoseMeasurement.ValueInMgPerDl': '120' },
      /data\[\d\]\.glucoseMeasurement\.ValueInMgPerDl/,
    ],
    [
      'an unparsable timestamp',
      { 'glucoseMeasurement.FactoryTimestamp': '13/45/2024 99:99:99 XM' },
      /data\[\d\]\.glucoseMeasurement\.FactoryTimestamp/,
    ],
    [
      'glucose out of range',
      { 'glucoseMeasurement.ValueInMgPerDl': 5000 },
      /data\[\d\]\.glucoseMeasurement\.ValueInMgPerDl/,
    ],
    ['a 10 000 character last name', { lastName: 'x'.repeat(10_000) }, /data\[\d\]\.lastName/],
  ];

  it('one patient with a bad field (future sensor, null name, glucose as string or out of range, unparsable timestamp, huge name): the other patient is still published, the log names patient and path', async (ctx) => {
    // Each case against its own fake server, broker and bridge, side by side.
    await Promise.all(BAD_FIELDS.map(([name, set, path]) => oneBadField(ctx, name, set, path)));
  }, 40_000);

  async function oneBadField(
    ctx: TestContext,
    name: string,
    set: Record<string, unknown>,
    path: RegExp,
  ): Promise<void> {
    const { sim, start, published, accountStates, served } = await setup(ctx);
    const bridge = await start();
    await waitUntil(
      () => published('anna_smith', 'reading').length >= 1 && published('ben_jones', 'reading').length >= 1,
      `${name}: first readings`,
    );
    sim.addFault({
      endpoint: 'connections',
      fault: { kind: 'hostile', patientId: MMOL_PATIENT, set },
      times: Number.POSITIVE_INFINITY,
    });
    await waitUntil(() => served('ok+hostile') >= 1, 'hostile answer served');
    const seen = published('anna_smith', 'reading').length;
    await waitUntil(() => served('ok+hostile') >= 4, 'more hostile answers');
    await waitUntil(() => published('anna_smith', 'reading').length >= seen + 2, 'anna still published');
    expect(
      accountStates().filter((s) => s.error_kind === 'malformed'),
      name,
    ).toEqual([]);
    const lines = bridge.logs.lines.filter((l) => l.includes('LibreLinkUp data for ben_jones at'));
    // Once per patient and field, not once per poll; no long value echoed.
    expect(
      lines.filter((l) => path.test(l)),
      name,
    ).toHaveLength(1);
    expect(bridge.logs.text(), name).not.toContain('x'.repeat(100));
    for (const p of published('ben_jones', 'state')) {
      expect(JSON.stringify(p), name).not.toMatch(/NaN|undefined/);
      expect(Number.isFinite(p.glucose_mgdl), name).toBe(true);
    }
  }

  it('a wrong_types or bad_timestamp body (every entry spoiled once): no malformed error, the fields named, readings resume', async (ctx) => {
    await Promise.all([
      spoiledOnce(ctx, 'wrong_types', /glucoseMeasurement\.ValueInMgPerDl: is the string "HIGH"/),
      spoiledOnce(
        ctx,
        'bad_timestamp',
        /glucoseMeasurement\.FactoryTimestamp: is the string "13\/45\/2024 99:99:99 XM", not a timestamp/,
      ),
    ]);
  }, 30_000);

  async function spoiledOnce(
    ctx: TestContext,
    variant: 'wrong_types' | 'bad_timestamp',
    message: RegExp,
  ): Promise<void> {
    const { sim, start, published, accountStates } = await setup(ctx);
    const bridge = await start();
    await waitUntil(() => published('anna_smith', 'reading').length >= 2, 'first readings');
    sim.addFault({ endpoint: 'connections', fault: { kind: 'malformed', variant } });
    await waitUntil(
      () => sim.requests.some((r) => r.outcome === `malformed_${variant}`),
      'spoiled answer served',
    );
    const seen = published('anna_smith', 'reading').length;
    await waitUntil(() => published('anna_smith', 'reading').length >= seen + 2, 'readings resume');
    expect(accountStates().filter((s) => s.error_kind !== null)).toEqual([]);
    const msgs = bridge.logs.lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    for (const slug of ['anna_smith', 'ben_jones'])
      expect(msgs.some((m) => m.includes(`LibreLinkUp data for ${slug} at`) && message.test(m))).toBe(true);
    await waitUntil(
      () => bridge.logs.text().includes('LibreLinkUp data that was unusable is usable again'),
      'cleared',
    );
  }

  it('a bad graph point: the other points are used, the log names patient and path', async (ctx) => {
    const { sim, start, published } = await setup(ctx);
    sim.addFault({
      endpoint: 'graph',
      fault: { kind: 'hostile', patientId: MGDL_PATIENT, set: { 'graphData.0.FactoryTimestamp': 'soon' } },
    });
    const bridge = await start();
    await waitUntil(() => published('anna_smith', 'reading').length >= 2, 'readings');
    await waitUntil(
      () =>
        bridge.logs.text().includes('LibreLinkUp data for anna_smith at data.graphData[0].FactoryTimestamp'),
      'graph point named',
    );
    const views = bridge.app.bridge.patients();
    expect(views.find((v) => v.snapshot.slug === 'anna_smith')?.history.length ?? 0).toBeGreaterThan(1);
  }, 30_000);

  it('this machine 3 h behind LibreLinkUp: readings are still published and the clock is named', async (ctx) => {
    const { start, published } = await setup(ctx);
    const bridge = await start(() => Date.now() - 3 * HOUR);
    await waitUntil(() => published('anna_smith', 'reading').length >= 3, 'readings with a late clock');
    await waitUntil(
      () => bridge.logs.text().includes("this machine's clock is 3 h behind LibreLinkUp's"),
      'clock warning',
    );
    expect(bridge.logs.lines.filter((l) => l.includes("this machine's clock is"))).toHaveLength(1);
    expect(bridge.logs.text()).not.toMatch(/refused a reading/);
  }, 30_000);

  it('this machine ahead of LibreLinkUp: readings arrive stale for a stretch, and the warning names the clock difference', async (ctx) => {
    const { start, published } = await setup(ctx);
    const clock = movableClock();
    clock.advance(30 * 60_000);
    const bridge = await start(clock.now);
    await waitUntil(() => published('anna_smith', 'reading').length >= 2, 'readings');
    // This machine's clock runs on quickly, so the stretch passes without waiting minutes.
    const ticker = setInterval(() => clock.advance(60_000), 100);
    try {
      await waitUntil(() => bridge.logs.text().includes('readings arrive already stale'), 'stale warning');
    } finally {
      clearInterval(ticker);
    }
    const msgs = bridge.logs.lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    const line = msgs.find((m) => m.includes('readings arrive already stale'))!;
    expect(line).toMatch(/this machine's clock is \d+ min ahead of LibreLinkUp's: set its time \(NTP\)/);
    expect(msgs.filter((m) => m.includes('readings arrive already stale'))).toHaveLength(1);
  }, 30_000);

  it('readings that move 10 min backwards: logged, held once, then LibreLinkUp timeline followed; nothing newer left unpublished', async (ctx) => {
    const { sim, start, published, served } = await setup(ctx);
    const bridge = await start();
    await waitUntil(() => published('anna_smith', 'reading').length >= 2, 'first readings');
    sim.addFault({
      endpoint: 'connections',
      fault: { kind: 'hostile', patientId: MGDL_PATIENT, readingOffsetMs: -10 * 60_000 },
      times: Number.POSITIVE_INFINITY,
    });
    await waitUntil(() => served('ok+hostile') >= 1, 'backwards answer served');
    const ts = () => published('anna_smith', 'reading').map((r) => Date.parse(r.timestamp));
    const newestBefore = Math.max(...ts());
    const seen = ts().length;
    await waitUntil(
      () =>
        ts()
          .slice(seen)
          .filter((t) => t < newestBefore).length >= 3,
      "LibreLinkUp's timeline published",
    );
    const text = bridge.logs.text();
    expect(text).toMatch(
      /LibreLinkUp's newest reading of anna_smith is \d+ min older than the newest one already accepted/,
    );
    expect(text).toMatch(/following LibreLinkUp's timeline from now on/);
    // The adopted timeline moves forward without repeats.
    const adopted = ts().slice(seen);
    expect([...adopted].sort((a, b) => a - b)).toEqual(adopted);
    expect(new Set(adopted).size).toBe(adopted.length);
    // Back to the real timeline: newer readings are newer, so they flow at once.
    sim.clearFaults();
    await waitUntil(() => ts().some((t) => t > newestBefore + 2_000), 'real timeline again');
  }, 40_000);
});
