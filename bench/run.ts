// `npm run bench [-- --quick | --full]`: every figure of issue 7 in one run, printed as tables plus a
// JSON blob and written to bench/results/. See bench/README.md for what each figure measures and how.
//
// Processes: this one hosts the MQTT broker (aedes) and the subscriber that stands in for Home
// Assistant; a child runs the fake LibreLinkUp server in real time; the bridge under test is the real
// CLI in a child of its own, with app-probe.js preloaded to read its RSS, CPU time and event-loop
// delay, so neither the fake nor the broker is counted against it. Figures 1-3 run in one more child
// with a compressed clock (side-by-side.ts).

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/log.js';
import { startEmbeddedBroker } from '../src/mqtt/broker.js';
import { forkChild, HERE, machine, prepareAssets, ROOT, SEED, startFake } from './children.js';
import { ReadingCollector } from './collector.js';
import { figures } from './figures.js';
import { type FrontierRow, frontierRows, renderFrontier } from './frontier-report.js';
import { runIdle } from './idle.js';
import { type IpcMessage, IpcPeer } from './ipc.js';
import { round3 } from './metrics.js';
import { type Mode, PLANS, type Plan } from './plans.js';
import { type BenchResult, renderJsonSummary, renderMarkdown } from './report.js';
import { runScale, type ScaleOutcome } from './scale.js';
import type { SideBySideOptions } from './side-by-side.js';
import type { SideBySideResult } from './side-by-side-run.js';
import { group, MINUTE, merge, slugOf } from './workload.js';

let PROFILE = false;

function parseMode(argv: string[]): Mode {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      'usage: npm run bench [-- --quick | --full]\n' +
        '  (none)   all figures, about 5 minutes\n' +
        '  --quick  smoke run under a minute; figures are indicative only, written to bench/results/quick.*\n' +
        '  --full   longer windows, ~22 minutes: idle RSS after 5 real minutes, scale after learning;\n' +
        '           written to bench/results/full.*\n' +
        '  --profile  also write a CPU profile of each scale window and a heap snapshot at its end (log dir)\n' +
        '  --frontier only the freshness-frontier table (simulated clock, seconds), bench/results/frontier.md\n' +
        '  --scale    only the 200 x 3 scale window of the default run (RSS, CPU, delivery), about 2 minutes\n',
    );
    process.exit(0);
  }
  PROFILE = argv.includes('--profile');
  const unknown = argv.filter(
    (a) => !['--quick', '--full', '--profile', '--frontier', '--scale'].includes(a),
  );
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')} (try --help)`);
  if (argv.includes('--quick') && argv.includes('--full')) throw new Error('--quick or --full, not both');
  return argv.includes('--quick') ? 'quick' : argv.includes('--full') ? 'full' : 'default';
}

async function runSideBySide(plan: Plan, logDir: string): Promise<SideBySideResult> {
  const options: SideBySideOptions = {
    ...plan.sbs,
    logFile: join(logDir, 'side-by-side-app.log'),
    seed: SEED,
  };
  const child = forkChild(
    join(HERE, 'side-by-side.js'),
    [JSON.stringify(options)],
    join(logDir, 'side-by-side.log'),
  );
  const peer = new IpcPeer(child);
  const timeout = plan.sbs.realDurationMs + 120_000;
  const message = await Promise.race([
    peer.event<IpcMessage & { result?: SideBySideResult }>('result', timeout),
    peer.event('failed', timeout).then((m) => {
      throw new Error(`side by side failed: ${String(m.message)}`);
    }),
  ]);
  await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
  return message.result!;
}

/** `--scale`: the 200 x 3 window of the default run alone, for memory and CPU work. */
async function scaleOnly(): Promise<void> {
  PROFILE = process.argv.includes('--profile');
  const plan = PLANS.default.scale.find((s) => s.goal)!;
  const info = machine();
  const logDir = mkdtempSync(join(os.tmpdir(), 'llu-bench-logs-'));
  prepareAssets();
  const world = group(plan.prefix, plan.accounts, [3], Date.now(), 2 * 60 * MINUTE);
  const fake = await startFake(world, logDir);
  const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
  const collector = await ReadingCollector.connect(broker.url);
  for (const p of world.patients) collector.map(slugOf(p), p.patientId);
  process.stdout.write(
    `scale ${plan.label}, ${plan.durationMs / 1000} s real, on ${info.cpu}, ${info.cores} cores, ` +
      `load ${info.loadAverageAtStart.join(' ')}; logs in ${logDir}\n`,
  );
  const r = await runScale(plan, world, fake, broker.url, collector, logDir, PROFILE);
  await fake.peer.call({ type: 'stop' }).catch(() => undefined);
  await collector.close();
  await broker.close();
  process.stdout.write(
    `delivered ${r.delivered}/${r.readings}, freshness median ${r.freshnessMedianS} s, p95 ${r.freshnessP95S} s\n` +
      `CPU ${r.cpuPercent} % of one core, RSS end ${r.rssMB} MB, peak ${r.rssPeakMB} MB (goal <= 200), ` +
      `heap ${r.heapUsedMB} MB, event-loop delay p99 ${r.eldP99Ms} ms\n` +
      `every patient published ${r.allFirstPublishedS ?? 'never'} s after spawn; measured from ${r.measuredFromS} s; ` +
      `${r.requestsPerMinute} requests/min, ${r.loginsInWindow} logins in the window\n`,
  );
}

/** `--frontier`: the frontier table alone, from the simulated scheduler, in seconds. */
function frontierOnly(): void {
  const rows: FrontierRow[] = frontierRows();
  const md = `## Freshness frontier\n\n\`npm run bench -- --frontier\`\n\n${renderFrontier(rows)}\n`;
  process.stdout.write(`${md}\n`);
  const outDir = join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'frontier.md'), md);
  process.stdout.write('written: bench/results/frontier.md\n');
}

async function main(): Promise<void> {
  if (process.argv.includes('--frontier')) return frontierOnly();
  if (process.argv.includes('--scale')) return scaleOnly();
  const mode = parseMode(process.argv.slice(2));
  const plan = PLANS[mode];
  const began = Date.now();
  const info = machine();
  const logDir = mkdtempSync(join(os.tmpdir(), 'llu-bench-logs-'));
  prepareAssets();
  process.stdout.write(
    `librelinkup2mqtt benchmark (${mode}) on ${info.cpu}, ${info.cores} cores, Node ${info.node}; logs in ${logDir}\n`,
  );

  const now = Date.now();
  const idleWorld = group('idle', 2, [1], now, 2 * 60 * MINUTE);
  const scaleWorlds = plan.scale.map((s) => group(s.prefix, s.accounts, [3], now, 2 * 60 * MINUTE));
  const fake = await startFake(merge(idleWorld, ...scaleWorlds), logDir);
  const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
  const collector = await ReadingCollector.connect(broker.url);
  for (const w of [idleWorld, ...scaleWorlds])
    for (const p of w.patients) collector.map(slugOf(p), p.patientId);

  const step = (text: string) =>
    process.stdout.write(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);

  step('freshness frontier: every setting on every lag workload, simulated clock');
  const frontier = frontierRows(mode === 'quick' ? { readings: 1_000, warmup: 200, seed: 7 } : undefined);
  step(`idle: two bridges with one account each, ${plan.idleMs / 1000} s real time`);
  let startSbs: () => void = () => {};
  const sbsGate = new Promise<void>((r) => {
    startSbs = r;
  });
  const idlePromise = runIdle(plan, fake, broker.url, collector, idleWorld, logDir, () => startSbs());
  await Promise.race([sbsGate, idlePromise]);
  step(
    `side by side: ours + 3 strategies, ${plan.sbs.realDurationMs / 1000} s real = ` +
      `${(plan.sbs.realDurationMs * plan.sbs.factor) / MINUTE} min compressed x${plan.sbs.factor}`,
  );
  const sbsPromise = runSideBySide(plan, logDir);
  const [idle, sbs] = await Promise.all([idlePromise, sbsPromise]);
  const scale: ScaleOutcome[] = [];
  for (const [i, s] of plan.scale.entries()) {
    step(`scale: ${s.label}, ${s.durationMs / 1000} s real time`);
    scale.push(await runScale(s, scaleWorlds[i]!, fake, broker.url, collector, logDir, PROFILE));
  }
  await fake.peer.call({ type: 'stop' }).catch(() => undefined);
  await collector.close();
  await broker.close();
  step('done');

  const result: BenchResult = {
    version: 1,
    mode,
    command: `npm run bench${mode === 'default' ? '' : ` -- --${mode}`}`,
    startedAt: new Date(began).toISOString(),
    durationS: Math.round((Date.now() - began) / 1000),
    machine: info,
    workload: {
      readings: 'one per minute per patient',
      uploadLag: '1-20 s, uniform, seeded hash of the reading time',
      graphLag: '15 min, 5-minute points',
      bridgeConfig: 'defaults: poll.interval 60 s, poll.min_interval 10 s, region auto, log_level info',
      sideBySide: {
        compression: `x${sbs.factor}: 1 minute = ${60 / sbs.factor} s real`,
        accounts: sbs.accounts,
        patients: sbs.patients,
        accountSizes: plan.sbs.accountSizes,
        virtualMinutes: sbs.virtualMinutes,
        warmupMinutesExcluded: sbs.warmupMinutes,
        judgedReadingsEndBeforeEndMinutes: sbs.graceMinutes,
      },
    },
    figures: figures(sbs, scale, idle),
    sideBySide: {
      ...sbs,
      ratios: sbs.contenders.map((c) => {
        const ours = sbs.contenders[0]!;
        const ratio = (a: number | null, b: number | null) =>
          a === null || b === null || b === 0 ? null : round3(a / b);
        return {
          name: c.name,
          medianRatio: ratio(c.freshness.medianS, ours.freshness.medianS),
          p95Ratio: ratio(c.freshness.p95S, ours.freshness.p95S),
          requestsRatio: ratio(c.economy.pooledRequestsPerReading, ours.economy.pooledRequestsPerReading),
        };
      }),
    },
    scale,
    idle,
    frontier,
    logDir,
  };
  const md = renderMarkdown(result);
  process.stdout.write(`\n${md}\n`);
  process.stdout.write(`${renderJsonSummary(result)}\n`);
  const outDir = join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const base = mode === 'default' ? 'latest' : mode;
  writeFileSync(join(outDir, `${base}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(outDir, `${base}.md`), md);
  // Formatted as the project's formatter wants it, so `npm run lint` stays clean after a run.
  try {
    execFileSync(
      join(ROOT, 'node_modules', '.bin', 'biome'),
      ['format', '--write', join(outDir, `${base}.json`)],
      {
        stdio: 'ignore',
      },
    );
  } catch {
    // biome is a dev dependency; without it the file is still valid JSON
  }
  process.stdout.write(
    `\nwritten: bench/results/${base}.json, bench/results/${base}.md (${result.durationS} s)\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
