// Idle RSS of the CLI with its embedded broker and one account against the simulator, read from /proc
// after N seconds: `npm run build && node bench/idle-rss.mjs <repository> [seconds]`. A direct check of figure 5a,
// which the full bench reads once at 60 s (when V8 last collected moves it by +-15 MB).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = process.argv[2];
const secs = Number(process.argv[3] ?? 40);
const { startFakeLibreLinkUp } = await import(join(repo, 'dist/simulator/server.js'));
const now = Date.now();
const sim = await startFakeLibreLinkUp({
  accounts: [
    {
      email: 'a@b.invalid',
      password: 'pw-123456',
      userId: '3f1c9a6e-5b2d-4e8f-9a71-0c2d4e6f8a10',
      region: 'eu',
      patients: ['p-1'],
    },
  ],
  patients: [
    {
      patientId: 'p-1',
      firstName: 'A',
      lastName: 'B',
      unit: 'mg/dL',
      targetLow: 70,
      targetHigh: 180,
      periodMs: 60000,
      firstReadingAt: now - 3600000,
      curve: () => 120,
    },
  ],
});
const dir = mkdtempSync(join(tmpdir(), 'idle-'));
const cfg = join(dir, 'c.yaml');
writeFileSync(
  cfg,
  `accounts:\n  - email: a@b.invalid\n    password: pw-123456\n    api_url: ${sim.apiUrl}\n    region_url: ${sim.regionUrl}\nmqtt:\n  embedded:\n    host: 127.0.0.1\n    port: 0\ndata_dir: ${dir}/data\nlog_level: info\n`,
);
const child = spawn(process.execPath, [join(repo, 'dist/cli.js'), '--config', cfg], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, secs * 1000));
const st = readFileSync(`/proc/${child.pid}/status`, 'utf8');
console.log(
  repo,
  (st.match(/VmRSS:\s+(\d+)/)[1] / 1024) | 0,
  'MB rss',
  (st.match(/VmHWM:\s+(\d+)/)[1] / 1024) | 0,
  'MB peak',
);
child.kill('SIGTERM');
await sim.close();
process.exit(0);
