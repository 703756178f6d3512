// The processes a bench run drives: the fake LibreLinkUp server in a child, and the real CLI in a
// child of its own with app-probe.js preloaded (RSS, CPU time, event-loop delay read from inside).

import { type ChildProcess, fork } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { type IpcMessage, IpcPeer } from './ipc.js';
import type { RequestEntry, Truth } from './metrics.js';
import { type AccountDesc, PASSWORD, type WorkloadDesc } from './workload.js';

export const HERE = dirname(fileURLToPath(import.meta.url));
/** the repository root: dist-bench/bench/run.js → ../.. */
export const ROOT = resolve(HERE, '..', '..');
const CLI = resolve(HERE, '..', 'src', 'cli.js');
const PROBE = pathToFileURL(join(HERE, 'app-probe.js')).href;
export const SEED = 7;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;

export function machine() {
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
export function prepareAssets(): void {
  const from = join(ROOT, 'src', 'config', 'schema.json');
  const to = resolve(HERE, '..', 'src', 'config', 'schema.json');
  if (existsSync(from)) copyFileSync(from, to);
}

export function forkChild(
  script: string,
  args: string[],
  logFile: string,
  execArgv: string[] = [],
): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = fork(script, args, { execArgv, stdio: ['ignore', fd, fd, 'ipc'] });
  closeSync(fd);
  return child;
}

export async function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export interface Fake {
  peer: IpcPeer;
  apiUrl: string;
  regionUrl: string;
  truth(patients: string[], from: number, to: number): Promise<Truth>;
  requests(from: number, to: number): Promise<RequestEntry[]>;
  /** the fake's process CPU time so far, ms */
  cpu(): Promise<number>;
}

export async function startFake(world: WorkloadDesc, logDir: string): Promise<Fake> {
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

export interface ProbeReport extends IpcMessage {
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  rss: number;
  rssMax: number;
  heapUsed: number;
  eld: { p50Ms: number; p99Ms: number; maxMs: number; meanMs: number };
}

export interface RunningCli {
  child: ChildProcess;
  peer: IpcPeer;
  spawnAt: number;
  probeReadyAt: number;
  dataDir: string;
}

/** The real CLI with a YAML config, as a user would run it, with the probe preloaded. */
export async function startCli(
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

export async function finishCli(cli: RunningCli): Promise<void> {
  await stopChild(cli.child);
  rmSync(cli.dataDir, { recursive: true, force: true });
}

export function cpuPercent(r: ProbeReport): number {
  return Math.round(((r.cpuUserMs + r.cpuSystemMs) / r.wallMs) * 1000) / 10;
}

export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}
