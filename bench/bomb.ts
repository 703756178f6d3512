// Peak memory of the bridge while LibreLinkUp answers with a compressed bomb (a gzip that inflates
// to hundreds of MB). The bridge runs as its own process (`cli.js start`); the fake server stays
// here. Peak RSS is the kernel's high-water mark (VmHWM in /proc/<pid>/status, Linux), read before
// and after the bomb.
//
//   npx tsc -p bench/tsconfig.json && node dist-bench/bench/bomb.js [inflated MB, default 1024]

import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeLibreLinkUp } from '../src/simulator/server.js';

const EMAIL = 'bomb@example.com';
const PATIENT = '0b0b0b0b-0000-4000-8000-000000000001';
const MB = 1024 * 1024;

function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

async function until(what: string, condition: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const inflatedMb = Number(process.argv[2] ?? 1024);
  const sim = await startFakeLibreLinkUp({
    accounts: [{ email: EMAIL, password: 'bomb-password', region: 'eu', patients: [PATIENT] }],
    patients: [{ patientId: PATIENT, firstName: 'Bo', lastName: 'Mb', unit: 'mg/dL', periodMs: 1_000 }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'llu-bomb-'));
  const config = [
    'accounts:',
    `  - email: ${EMAIL}`,
    '    password: bomb-password',
    `    api_url: ${sim.apiUrl}`,
    `    region_url: ${sim.regionUrl}`,
    'mqtt:',
    '  embedded:',
    '    port: 0',
    'poll:',
    '  interval: 1',
    '  min_interval: 0.5',
    'log_level: warn',
    `data_dir: ${join(dir, 'data')}`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'config.yaml'), config);
  const cli = join(import.meta.dirname, '..', 'src', 'cli.js');
  // The CLI reads its schema next to the compiled config module; tsc does not copy it.
  const root = join(import.meta.dirname, '..', '..');
  copyFileSync(
    join(root, 'src', 'config', 'schema.json'),
    join(import.meta.dirname, '..', 'src', 'config', 'schema.json'),
  );
  const child = spawn(process.execPath, [cli, 'start', '--config', join(dir, 'config.yaml')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const pid = child.pid!;
  try {
    const graphs = () => sim.requests.filter((r) => r.endpoint === 'graph' && r.outcome === 'ok').length;
    const polls = () => sim.requests.filter((r) => r.endpoint === 'connections' && r.outcome === 'ok').length;
    await until('the bridge to poll', () => polls() >= 3 && graphs() >= 1);
    const before = memory(pid);
    sim.addFault({ endpoint: 'connections', fault: { kind: 'bomb', inflatedMb } });
    await until('the bomb to be served', () => sim.requests.some((r) => r.outcome === 'bomb'));
    const served = polls();
    // Recovery: the next good poll after the back-off (5-10 s).
    await until('the bridge to recover', () => polls() > served, 60_000);
    const after = memory(pid);
    const mb = (n: number) => `${(n / MB).toFixed(0)} MB`;
    console.log(`bomb: gzip inflating to ${inflatedMb} MB on connections; bridge pid ${pid}`);
    console.log(`peak RSS before the bomb: ${mb(before.peak)} (RSS ${mb(before.rss)})`);
    console.log(`peak RSS after the bomb:  ${mb(after.peak)} (RSS ${mb(after.rss)})`);
    console.log(`bridge still running and polling: ${child.exitCode === null && polls() > served}`);
  } finally {
    child.kill('SIGTERM');
    await sim.close();
  }
}

await main();
