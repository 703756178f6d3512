// A real Eclipse Mosquitto for tests, on a free loopback port. `MOSQUITTO` is null when no binary is
// installed (CI installs Debian's mosquitto package); suites skip themselves then, saying why.

import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';

const READY_LIMIT_MS = 20_000;

export function findExecutable(name: string, extraDirs: string[]): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return null;
}

export const MOSQUITTO = findExecutable('mosquitto', ['/usr/sbin', '/usr/local/sbin']);
export const MOSQUITTO_PASSWD = findExecutable('mosquitto_passwd', [
  '/usr/bin',
  '/usr/sbin',
  '/usr/local/bin',
]);
/** Why a mosquitto suite is skipped, or '' when the binary is there. */
export const MOSQUITTO_MISSING = MOSQUITTO
  ? ''
  : 'mosquitto not found on PATH or in /usr/sbin (apt-get install mosquitto; CI installs it)';

/** A port that was free a moment ago: bind port 0 on 127.0.0.1, read it, close. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface Mosquitto {
  url: string;
  port: number;
  /** everything mosquitto logged (stderr and stdout) */
  output(): string;
  /** stops the process (SIGTERM, then SIGKILL after 5 s) */
  stop(): Promise<void>;
  /** stop(), and removes the config directory when startMosquitto created it */
  close(): Promise<void>;
}

/**
 * Starts mosquitto with `-c <dir>/mosquitto-<port>.conf` on a free loopback port; resolves once it
 * accepts TCP. Without `dir` a temporary directory is made (and removed by `close`). Anonymous
 * clients need `extraConfig: ['allow_anonymous true']` (mosquitto 2 refuses them by default).
 */
export async function startMosquitto(dir?: string, extraConfig: string[] = []): Promise<Mosquitto> {
  if (!MOSQUITTO) throw new Error(MOSQUITTO_MISSING);
  const ownDir = dir === undefined ? mkdtempSync(join(tmpdir(), 'llu-mosquitto-')) : null;
  const configDir = dir ?? ownDir!;
  const removeDir = async () => {
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
  };
  let lastError: Error | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const configFile = join(configDir, `mosquitto-${port}.conf`);
    writeFileSync(
      configFile,
      [
        `listener ${port} 127.0.0.1`,
        'persistence false',
        'log_dest stderr',
        'log_type all',
        'connection_messages true',
        // Only used when running as root (CI containers): do not drop to the `mosquitto` user, which
        // could not read the temporary directory.
        `user ${userInfo().username}`,
        ...extraConfig,
        '',
      ].join('\n'),
    );
    const child: ChildProcess = spawn(MOSQUITTO, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d) => (output += String(d)));
    child.stderr?.on('data', (d) => (output += String(d)));
    let exited = false;
    const exit = new Promise<void>((resolve) =>
      // 'close' also follows a failed spawn, where 'exit' may never come.
      child.once('close', () => {
        exited = true;
        resolve();
      }),
    );
    child.once('error', (error) => (output += `\nspawn error: ${error.message}`));
    // Ready when mosquitto itself says it runs (so the port is not someone else's) and accepts TCP.
    const deadline = Date.now() + READY_LIMIT_MS;
    let ready = false;
    while (!exited && !ready && Date.now() < deadline) {
      ready = / running/.test(output) && (await canConnect(port));
      if (!ready) await new Promise((r) => setTimeout(r, 50));
    }
    const stop = async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(killTimer);
    };
    if (ready && !exited) {
      return {
        url: `mqtt://127.0.0.1:${port}`,
        port,
        output: () => output,
        stop,
        close: async () => {
          await stop();
          await removeDir();
        },
      };
    }
    await stop();
    lastError = new Error(`mosquitto did not start listening on 127.0.0.1:${port}:\n${output}`);
    // Someone else took the port between freePort() and mosquitto binding it: try another one.
    if (!/address already in use/i.test(output)) break;
  }
  await removeDir();
  throw lastError;
}
