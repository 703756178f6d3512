// `npm run bench [-- --quick | --full]`: every figure of issue 7 in one run, printed as tables plus a
// JSON blob and written to bench/results/. See bench/README.md for what each figure measures and how.
//
// Processes: this one hosts the MQTT broker (aedes) and the subscriber that stands in for Home
// Assistant; a child runs the fake LibreLinkUp server in real time; the bridge under test is the real
// CLI in a child of its own, with app-probe.js preloaded to read its RSS, CPU time and event-loop
// delay, so neither the fake nor the broker is counted against it. Figures 1-3 run in one more child
// with a compressed clock (side-by-side.ts).

import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { silentLogger } from '../src/log.js';
import { startEmbeddedBroker } from '../src/mqtt/broker.js';
import { ReadingCollector } from './collector.js';
import { type FrontierRow, frontierRows, renderFrontier } from './frontier-report.js';
import { type IpcMessage, IpcPeer } from './ipc.js';
import { economy, freshness, type RequestEntry, round3, type Truth } from './metrics.js';
import { type BenchResult, type Figure, renderJsonSummary, renderMarkdown } from './report.js';
import type { SideBySideOptions } from './side-by-side.js';
import type { SideBySideResult } from './side-by-side-run.js';
import { type AccountDesc, group, MINUTE, merge, PASSWORD, slugOf, type WorkloadDesc } from './workload.js';

type Mode = 'quick' | 'default' | 'full';

interface ScalePlan {
  label: string;
  prefix: string;
  accounts: number;
  /** real ms the bridge runs */
  durationMs: number;
  /** CPU, event-loop delay and peak RSS are measured from here (after the start-up burst) */
  markAtMs: number;
  /** readings that became available from here ... */
  judgeFromMs: number;
  /** ... until this long before the end are judged delivered or not */
  graceMs: number;
  goal: boolean;
}

interface Plan {
  sbs: Omit<SideBySideOptions, 'logFile' | 'seed'>;
  idleMs: number;
  scale: ScalePlan[];
}

const PLANS: Record<Mode, Plan> = {
  quick: {
    sbs: {
      factor: 30,
      realDurationMs: 16_000,
      warmupMs: 4 * MINUTE,
      graceMs: MINUTE,
      oursGraceMs: MINUTE,
      accountSizes: [1, 1, 1, 1, 2, 3, 1, 3],
    },
    idleMs: 15_000,
    scale: [
      {
        label: '50 x 3 (smoke)',
        prefix: 'squick',
        accounts: 50,
        durationMs: 18_000,
        markAtMs: 5_000,
        judgeFromMs: 2_000,
        graceMs: 9_000,
        goal: false,
      },
    ],
  },
  default: {
    sbs: {
      factor: 20,
      realDurationMs: 120_000,
      warmupMs: 6 * MINUTE,
      graceMs: 21 * MINUTE,
      oursGraceMs: MINUTE,
      accountSizes: [1, 1, 1, 1, 2, 3, 1, 3, 1, 1, 1, 1, 2, 3, 1, 3],
    },
    idleMs: 60_000,
    scale: [
      {
        label: '200 x 3',
        prefix: 'smid',
        accounts: 200,
        durationMs: 75_000,
        markAtMs: 20_000,
        judgeFromMs: 10_000,
        graceMs: 30_000,
        goal: true,
      },
      {
        label: '1000 x 3',
        prefix: 'sbig',
        accounts: 1000,
        durationMs: 75_000,
        markAtMs: 40_000,
        judgeFromMs: 10_000,
        graceMs: 30_000,
        goal: false,
      },
    ],
  },
  full: {
    sbs: {
      factor: 12,
      realDurationMs: 450_000,
      warmupMs: 6 * MINUTE,
      graceMs: 21 * MINUTE,
      oursGraceMs: MINUTE,
      accountSizes: [1, 1, 1, 1, 2, 3, 1, 3, 1, 1, 1, 1, 2, 3, 1, 3],
    },
    idleMs: 300_000,
    scale: [
      {
        label: '200 x 3',
        prefix: 'smid',
        accounts: 200,
        durationMs: 420_000,
        markAtMs: 300_000,
        judgeFromMs: 10_000,
        graceMs: 30_000,
        goal: true,
      },
      {
        label: '1000 x 3',
        prefix: 'sbig',
        accounts: 1000,
        durationMs: 420_000,
        markAtMs: 300_000,
        judgeFromMs: 10_000,
        graceMs: 30_000,
        goal: false,
      },
    ],
  },
};

const HERE = dirname(fileURLToPath(import.meta.url));
/** the repository root: dist-bench/bench/run.js → ../.. */
const ROOT = resolve(HERE, '..', '..');
const CLI = resolve(HERE, '..', 'src', 'cli.js');
const PROBE = pathToFileURL(join(HERE, 'app-probe.js')).href;
const SEED = 7;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;

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
        '  --frontier only the freshness-frontier table (simulated clock, seconds), bench/results/frontier.md\n',
    );
    process.exit(0);
  }
  PROFILE = argv.includes('--profile');
  const unknown = argv.filter((a) => !['--quick', '--full', '--profile', '--frontier'].includes(a));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')} (try --help)`);
  if (argv.includes('--quick') && argv.includes('--full')) throw new Error('--quick or --full, not both');
  return argv.includes('--quick') ? 'quick' : argv.includes('--full') ? 'full' : 'default';
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** The CLI reads its JSON schema next to the compiled config module; tsc does not copy it. */
function prepareAssets(): void {
  const from = join(ROOT, 'src', 'config', 'schema.json');
  const to = resolve(HERE, '..', 'src', 'config', 'schema.json');
  if (existsSync(from)) copyFileSync(from, to);
}

function forkChild(script: string, args: string[], logFile: string, execArgv: string[] = []): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = fork(script, args, { execArgv, stdio: ['ignore', fd, fd, 'ipc'] });
  closeSync(fd);
  return child;
}

async function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

interface Fake {
  peer: IpcPeer;
  apiUrl: string;
  regionUrl: string;
  truth(patients: string[], from: number, to: number): Promise<Truth>;
  requests(from: number, to: number): Promise<RequestEntry[]>;
  /** the fake's process CPU time so far, ms */
  cpu(): Promise<number>;
}

async function startFake(world: WorkloadDesc, logDir: string): Promise<Fake> {
  const child = forkChild(join(HERE, 'fake-server-process.js'), [], join(logDir, 'fake-server.log'));
  const peer = new IpcPeer(child);
  const ready = await peer.call<IpcMessage & { apiUrl: string; regionUrl: string }>({
    type: 'start',
    workload: world,
  });
  return {
    peer,
    apiUrl: ready.apiUrl,
    regionUrl: ready.regionUrl,
    truth: async (patients, from, to) =>
      (await peer.call<IpcMessage & { truth: Truth }>({ type: 'truth', patients, from, to })).truth,
    requests: async (from, to) =>
      (await peer.call<IpcMessage & { requests: RequestEntry[] }>({ type: 'requests', from, to })).requests,
    cpu: async () => {
      const m = await peer.call<IpcMessage & { cpu: { user: number; system: number } }>({ type: 'cpu' });
      return (m.cpu.user + m.cpu.system) / 1000;
    },
  };
}

interface ProbeReport extends IpcMessage {
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  rss: number;
  rssMax: number;
  heapUsed: number;
  eld: { p50Ms: number; p99Ms: number; maxMs: number; meanMs: number };
}

interface RunningCli {
  child: ChildProcess;
  peer: IpcPeer;
  spawnAt: number;
  probeReadyAt: number;
  dataDir: string;
}

/** The real CLI with a YAML config, as a user would run it, with the probe preloaded. */
async function startCli(
  name: string,
  accounts: AccountDesc[],
  fake: Fake,
  mqtt: { url: string } | { embedded: true },
  logDir: string,
): Promise<RunningCli> {
  const dataDir = mkdtempSync(join(os.tmpdir(), `llu-bench-${name}-`));
  const config = {
    accounts: accounts.map((a) => ({
      email: a.email,
      password: PASSWORD,
      region: 'auto',
      api_url: fake.apiUrl,
      region_url: fake.regionUrl,
    })),
    mqtt: 'url' in mqtt ? { url: mqtt.url } : { embedded: { host: '127.0.0.1', port: 0 } },
    data_dir: dataDir,
    log_level: 'info',
  };
  const configFile = join(logDir, `${name}.yaml`);
  writeFileSync(configFile, stringify(config), { mode: 0o600 });
  const spawnAt = Date.now();
  const child = forkChild(CLI, ['--config', configFile], join(logDir, `${name}.log`), ['--import', PROBE]);
  const peer = new IpcPeer(child);
  const ready = await peer.event<IpcMessage & { at: number }>('probe-ready', 30_000).catch(() => {
    throw new Error(`the bridge did not start; see ${join(logDir, `${name}.log`)}`);
  });
  return { child, peer, spawnAt, probeReadyAt: ready.at, dataDir };
}

async function finishCli(cli: RunningCli): Promise<void> {
  await stopChild(cli.child);
  rmSync(cli.dataDir, { recursive: true, force: true });
}

function cpuPercent(r: ProbeReport): number {
  return Math.round(((r.cpuUserMs + r.cpuSystemMs) / r.wallMs) * 1000) / 10;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------

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

interface IdleOutcome {
  windowS: number;
  external: { rssMB: number; rssPeakMB: number; heapUsedMB: number; cpuPercent: number };
  embedded: { rssMB: number; rssPeakMB: number; heapUsedMB: number; cpuPercent: number };
  firstPublish: {
    /** process spawn → first reading on MQTT */
    spawnToPublishS: number | null;
    /** process spawn → node started and the probe loaded (node start-up itself) */
    spawnToNodeReadyS: number;
    /** the fake answered the first connections request → reading on MQTT */
    upstreamAnswerToPublishS: number | null;
    /** process spawn → first connections answer (node start, imports, config, broker connect, login) */
    spawnToUpstreamAnswerS: number | null;
  };
}

async function runIdle(
  plan: Plan,
  fake: Fake,
  brokerUrl: string,
  collector: ReadingCollector,
  idle: WorkloadDesc,
  logDir: string,
  afterFirstPublish: () => void,
): Promise<IdleOutcome> {
  const [extAccount, embAccount] = idle.accounts as [AccountDesc, AccountDesc];
  const extSlug = slugOf(idle.patients.find((p) => p.patientId === extAccount.patients[0])!);
  const ext = await startCli('idle-external', [extAccount], fake, { url: brokerUrl }, logDir);
  const published = await waitFor(
    () => collector.firstAt.has(extSlug) || ext.child.exitCode !== null,
    30_000,
  );
  if (ext.child.exitCode !== null)
    throw new Error(`the bridge exited early; see ${logDir}/idle-external.log`);
  const emb = await startCli('idle-embedded', [embAccount], fake, { embedded: true }, logDir);
  afterFirstPublish();
  const requests = await fake.requests(ext.spawnAt, Date.now());
  const answer = requests.find(
    (r) => r.email === extAccount.email && r.endpoint === 'connections' && r.outcome === 'ok',
  );
  const publishAt = collector.firstAt.get(extSlug);
  const firstPublish = {
    spawnToPublishS: published && publishAt !== undefined ? (publishAt - ext.spawnAt) / 1000 : null,
    spawnToNodeReadyS: (ext.probeReadyAt - ext.spawnAt) / 1000,
    upstreamAnswerToPublishS:
      answer !== undefined && publishAt !== undefined ? (publishAt - answer.at) / 1000 : null,
    spawnToUpstreamAnswerS: answer !== undefined ? (answer.at - ext.spawnAt) / 1000 : null,
  };
  // Both measured over the same real window after their start (no compressed time here).
  await sleep(Math.max(0, ext.spawnAt + plan.idleMs - Date.now()));
  const r1 = await ext.peer.call<ProbeReport>({ type: 'report' });
  await sleep(Math.max(0, emb.spawnAt + plan.idleMs - Date.now()));
  const r2 = await emb.peer.call<ProbeReport>({ type: 'report' });
  await Promise.all([finishCli(ext), finishCli(emb)]);
  const view = (r: ProbeReport) => ({
    rssMB: mb(r.rss),
    rssPeakMB: mb(r.rssMax),
    heapUsedMB: mb(r.heapUsed),
    cpuPercent: cpuPercent(r),
  });
  return { windowS: plan.idleMs / 1000, external: view(r1), embedded: view(r2), firstPublish };
}

export interface ScaleOutcome {
  label: string;
  accounts: number;
  patients: number;
  durationS: number;
  measuredFromS: number;
  /** readings that became available in the last graceS seconds are not judged */
  graceS: number;
  goal: boolean;
  readings: number;
  delivered: number;
  fraction: number;
  freshnessMedianS: number | null;
  freshnessP95S: number | null;
  /** the same readings as first seen on the retained state topic */
  stateTopic: { fraction: number; medianS: number | null; p95S: number | null };
  cpuPercent: number;
  rssMB: number;
  rssPeakMB: number;
  heapUsedMB: number;
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  /** spawn → every patient's first reading on MQTT (null: some never published) */
  allFirstPublishedS: number | null;
  requestsPerMinute: number;
  requestsPerReading: number | null;
  loginsInWindow: number;
  upstreamErrors: number;
  /** the fake LibreLinkUp server's process over the same window (not counted above) */
  fakeCpuPercent: number;
  /** this process (MQTT broker + subscriber) over the same window (not counted above) */
  brokerCpuPercent: number;
}

async function runScale(
  s: ScalePlan,
  world: WorkloadDesc,
  fake: Fake,
  brokerUrl: string,
  collector: ReadingCollector,
  logDir: string,
): Promise<ScaleOutcome> {
  const cli = await startCli(`scale-${s.prefix}`, world.accounts, fake, { url: brokerUrl }, logDir);
  await sleep(Math.max(0, cli.spawnAt + s.markAtMs - Date.now()));
  const markAt = Date.now();
  const fakeCpu0 = await fake.cpu();
  const ownCpu0 = process.cpuUsage();
  await cli.peer.call({ type: 'mark' });
  if (PROFILE) await cli.peer.call({ type: 'profile-start' });
  await sleep(Math.max(0, cli.spawnAt + s.durationMs - Date.now()));
  const report = await cli.peer.call<ProbeReport>({ type: 'report' });
  const end = Date.now();
  const percentOf = (cpuMs: number) => Math.round((cpuMs / (end - markAt)) * 1000) / 10;
  const fakeCpuPercent = percentOf((await fake.cpu()) - fakeCpu0);
  const own = process.cpuUsage(ownCpu0);
  const brokerCpuPercent = percentOf((own.user + own.system) / 1000);
  if (PROFILE) {
    await cli.peer.call({ type: 'profile-stop', file: join(logDir, `scale-${s.prefix}.cpuprofile`) });
    await cli.peer.call({ type: 'heap-snapshot', file: join(logDir, `scale-${s.prefix}.heapsnapshot`) });
  }
  await finishCli(cli);
  const patients = world.patients.map((p) => p.patientId);
  const truth = await fake.truth(patients, cli.spawnAt, end);
  // A reading that was superseded upstream before its account's first poll cannot be expected; the
  // start-up time is reported separately. So each patient is judged from its first publish on.
  const firstOf = new Map(world.patients.map((p) => [p.patientId, collector.firstAt.get(slugOf(p))]));
  const fresh = freshness(truth, collector.seen, cli.spawnAt + s.judgeFromMs, end - s.graceMs, (pid) =>
    firstOf.get(pid),
  );
  const onState = freshness(
    truth,
    collector.seenOnState,
    cli.spawnAt + s.judgeFromMs,
    end - s.graceMs,
    (pid) => firstOf.get(pid),
  );
  const firsts = [...firstOf.values()];
  const allFirst = firsts.every((x) => x !== undefined)
    ? (Math.max(...(firsts as number[])) - cli.spawnAt) / 1000
    : null;
  const requests = await fake.requests(markAt, end);
  const eco = economy(world.accounts, requests, truth, markAt, end);
  const total = eco.accounts.reduce((n, a) => n + a.requests, 0);
  return {
    label: s.label,
    accounts: world.accounts.length,
    patients: world.patients.length,
    durationS: s.durationMs / 1000,
    measuredFromS: s.markAtMs / 1000,
    graceS: s.graceMs / 1000,
    goal: s.goal,
    readings: fresh.readings,
    delivered: fresh.delivered,
    fraction: fresh.fraction,
    freshnessMedianS: fresh.medianS,
    freshnessP95S: fresh.p95S,
    stateTopic: { fraction: onState.fraction, medianS: onState.medianS, p95S: onState.p95S },
    cpuPercent: cpuPercent(report),
    rssMB: mb(report.rss),
    rssPeakMB: mb(report.rssMax),
    heapUsedMB: mb(report.heapUsed),
    eldP50Ms: Math.round(report.eld.p50Ms * 10) / 10,
    eldP99Ms: Math.round(report.eld.p99Ms * 10) / 10,
    eldMaxMs: Math.round(report.eld.maxMs * 10) / 10,
    allFirstPublishedS: allFirst,
    requestsPerMinute: Math.round((total / ((end - markAt) / MINUTE)) * 10) / 10,
    requestsPerReading: eco.pooledRequestsPerReading,
    loginsInWindow: eco.accounts.reduce((n, a) => n + a.logins, 0),
    upstreamErrors: eco.errors,
    fakeCpuPercent,
    brokerCpuPercent,
  };
}

// ---------------------------------------------------------------------------------------------------

function figures(sbs: SideBySideResult, scale: ScaleOutcome[], idle: IdleOutcome): Figure[] {
  const f: Figure[] = [];
  const ours = sbs.oursFreshness;
  const le = (v: number | null, goal: number) => (v === null ? false : v <= goal);
  f.push({
    id: '1a',
    name: 'Freshness median, availability upstream → MQTT',
    value: ours.medianS,
    unit: 's',
    goal: '<= 3 s',
    met: le(ours.medianS, 3),
  });
  f.push({
    id: '1b',
    name: 'Freshness p95',
    value: ours.p95S,
    unit: 's',
    goal: '<= 10 s',
    met: le(ours.p95S, 10),
  });
  f.push({
    id: '2a',
    name: 'Requests per new reading (worst account, steady state)',
    value: sbs.oursEconomy.maxRequestsPerReading,
    unit: '',
    goal: '<= 1.2',
    met: le(sbs.oursEconomy.maxRequestsPerReading, 1.2),
  });
  f.push({
    id: '2b',
    name: 'Logins per hour (steady state)',
    value: sbs.oursEconomy.maxLoginsPerHour,
    unit: '/h',
    goal: '0',
    met: sbs.oursEconomy.maxLoginsPerHour === 0,
  });
  for (const s of scale) {
    const goal = s.goal;
    f.push({
      id: '4',
      name: `${s.label}: readings delivered`,
      value: Math.round(s.fraction * 10000) / 100,
      unit: '%',
      goal: goal ? '100 %' : '-',
      met: goal ? s.readings > 0 && s.delivered === s.readings : null,
    });
    f.push({
      id: '4',
      name: `${s.label}: CPU of one core`,
      value: s.cpuPercent,
      unit: '%',
      goal: goal ? '<= 25 %' : '-',
      met: goal ? s.cpuPercent <= 25 : null,
    });
    f.push({
      id: '4',
      name: `${s.label}: RSS (peak in window)`,
      value: s.rssPeakMB,
      unit: 'MB',
      goal: goal ? '<= 200 MB' : '-',
      met: goal ? s.rssPeakMB <= 200 : null,
    });
    f.push({
      id: '4',
      name: `${s.label}: event-loop delay p99`,
      value: s.eldP99Ms,
      unit: 'ms',
      goal: '-',
      met: null,
    });
  }
  f.push({
    id: '5a',
    name: `Idle RSS, one account, after ${idle.windowS} s (embedded broker / external broker)`,
    value: idle.embedded.rssMB,
    unit: 'MB',
    goal: '<= 80 MB',
    met: idle.embedded.rssMB <= 80 && idle.external.rssMB <= 80,
    detail: `${idle.embedded.rssMB} / ${idle.external.rssMB} MB`,
  });
  f.push({
    id: '5b',
    name: 'Start → first publish (process spawn → reading on MQTT)',
    value: idle.firstPublish.spawnToPublishS,
    unit: 's',
    goal: '<= 1.5 s',
    met: le(idle.firstPublish.spawnToPublishS, 1.5),
  });
  return f;
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
    scale.push(await runScale(s, scaleWorlds[i]!, fake, broker.url, collector, logDir));
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
