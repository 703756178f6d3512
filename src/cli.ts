#!/usr/bin/env node
// The command line: parses arguments, loads the config, wires the app, handles signals and maps
// failures to exit codes (0 after SIGTERM/SIGINT, 2 for a bad config or bad arguments, 1 for any
// other fatal error). The only caller of process.exit.

import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ADDON_PAGES_ALLOW_FROM } from './addon/options.js';
import { type App, type AppOptions, startApp } from './app.js';
import { configWarnings, loadConfigFile, parseConfigObject } from './config/load.js';
import type { Config } from './config/types.js';
import { EXIT_FATAL, EXIT_OK, EXIT_USAGE, exitFor, UsageError } from './exit-codes.js';
import { createLogger, type LogFormatSetting, type Logger, resolveLogFormat, scrubString } from './log.js';
import { packageVersion } from './version.js';

export { EXIT_FATAL, EXIT_OK, EXIT_USAGE } from './exit-codes.js';

const HELP = `librelinkup2mqtt ${'{version}'} — FreeStyle Libre glucose from LibreLinkUp to MQTT and Home Assistant.
Not a medical device: never base treatment decisions on it.

Usage:
  librelinkup2mqtt [run] [--config PATH]   run the bridge (default config: ./config.yaml)
  librelinkup2mqtt demo [--port N] [--fast]
                                           no account needed: built-in LibreLinkUp simulator + embedded broker
  librelinkup2mqtt check-config [--config PATH]
                                           validate a config file and exit (0 valid, 2 invalid)
  librelinkup2mqtt addon                   Home Assistant add-on entry point (reads /data/options.json)
  librelinkup2mqtt start                   run ./config.yaml if it exists, else the demo (used by npm start)

Options:
  -c, --config PATH   config file (YAML); \${VAR} is replaced from the environment
  -p, --port N        demo: port of the embedded MQTT broker (default 1883)
      --http-port N   demo: port of the status page / health endpoint (default 8099, or a free port)
      --fast          demo: time runs 12x faster (a reading every 5 s); every window (stale after 15
                      min, rate of change, 24 h figures, chart) shrinks alike. Without it the demo
                      keeps real timing: a reading a minute, with the last 24 h already there
  -v, --version       print the version
  -h, --help          print this help

Exit codes: 0 stopped by SIGTERM/SIGINT, 2 invalid config or arguments, 1 any other fatal error.
`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** resolves when the process is asked to stop (SIGTERM/SIGINT) */
  stopSignal: Promise<string>;
  /** the logger to use; default pino on stdout at the config's level and format */
  makeLogger?: (level: string) => Logger;
  /** whether stdout is a terminal (pretty log lines by default) */
  isTTY?: boolean;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        'http-port': { type: 'string' },
        fast: { type: 'boolean' },
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function portOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${name} must be a port number from 0 to 65535, got "${value}"`);
  }
  return port;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    io.stderr(`librelinkup2mqtt: ${(error as Error).message}\nRun "librelinkup2mqtt --help" for usage.\n`);
    return EXIT_USAGE;
  }
  const { values, positionals } = args;
  if (values.help) {
    io.stdout(HELP.replace('{version}', packageVersion()));
    return EXIT_OK;
  }
  if (values.version) {
    io.stdout(`${packageVersion()}\n`);
    return EXIT_OK;
  }
  const [command = 'run', ...rest] = positionals;
  if (rest.length > 0) {
    io.stderr(
      `librelinkup2mqtt: unexpected argument "${rest[0]}"\nRun "librelinkup2mqtt --help" for usage.\n`,
    );
    return EXIT_USAGE;
  }
  const configPath = resolve(io.cwd, values.config ?? 'config.yaml');
  const demoOptions = () => ({
    brokerPort: portOption(values.port, '--port'),
    httpPort: portOption(values['http-port'], '--http-port'),
    fast: values.fast === true,
  });
  try {
    // Compressed time is for the simulator only: never for a real account.
    const runsDemo =
      command === 'demo' || (command === 'start' && values.config === undefined && !existsSync(configPath));
    if (values.fast && !runsDemo) {
      throw new UsageError('--fast only applies to the demo');
    }
    switch (command) {
      case 'run':
        return await runWith(() => loadConfigFile(configPath, io.env), io);
      case 'check-config': {
        const config = loadConfigFile(configPath, io.env);
        for (const w of configWarnings(config)) io.stderr(`warning: ${w}\n`);
        io.stdout(`${configPath}: valid (${config.accounts.length} account(s))\n`);
        return EXIT_OK;
      }
      case 'demo':
        return await runDemo(io, demoOptions());
      case 'start':
        if (values.config !== undefined || existsSync(configPath)) {
          return await runWith(() => loadConfigFile(configPath, io.env), io);
        }
        io.stdout(`No ${configPath} found: starting the demo (simulated patients, no account needed).\n`);
        io.stdout('Copy config.example.yaml to config.yaml to bridge your own LibreLinkUp account.\n');
        return await runDemo(io, demoOptions());
      case 'addon':
        return await runAddon(io);
      default:
        io.stderr(
          `librelinkup2mqtt: unknown command "${command}"\nRun "librelinkup2mqtt --help" for usage.\n`,
        );
        return EXIT_USAGE;
    }
  } catch (error) {
    const exit = exitFor(error);
    io.stderr(exit.text);
    return exit.code;
  }
}

function loggerFor(io: CliIo, level: string, format?: LogFormatSetting): Logger {
  if (io.makeLogger) return io.makeLogger(level);
  const where = {
    isTTY: io.isTTY === true,
    addon: (io.env.SUPERVISOR_TOKEN ?? io.env.HASSIO_TOKEN) !== undefined,
  };
  return createLogger({ level, format: resolveLogFormat(format, where), colorize: where.isTTY });
}

/** Runs the app until a stop signal; a failure to start is fatal (exit 1) after logging its kind. */
async function runWith(
  load: () => Config,
  io: CliIo,
  after?: (app: App, logger: Logger) => void,
  extra: Partial<AppOptions> = {},
): Promise<number> {
  const config = load();
  const logger = loggerFor(io, config.log_level, config.log_format);
  for (const w of configWarnings(config)) logger.warn(w);
  let app: App;
  try {
    app = await startApp(config, { ...extra, logger, version: packageVersion() });
  } catch (error) {
    logger.fatal({ err: error, kind: (error as { kind?: string }).kind ?? 'startup' }, 'could not start');
    return EXIT_FATAL;
  }
  after?.(app, logger);
  const signal = await io.stopSignal;
  logger.info({ signal }, 'stopping');
  await app.stop();
  logger.info('stopped');
  return EXIT_OK;
}

async function runDemo(
  io: CliIo,
  options: { brokerPort: number | undefined; httpPort: number | undefined; fast: boolean },
): Promise<number> {
  const { DEMO_FAST_FACTOR, startDemo } = await import('./demo.js');
  const demo = await startDemo({
    brokerPort: options.brokerPort ?? 1883,
    httpPort: options.httpPort,
    env: io.env,
    speed: options.fast ? DEMO_FAST_FACTOR : 1,
  });
  try {
    return await runWith(
      () => demo.config,
      io,
      (app) => {
        io.stdout(demo.banner(app));
      },
    );
  } finally {
    await demo.close();
  }
}

async function runAddon(io: CliIo): Promise<number> {
  const { addonConfig } = await import('./addon/main.js');
  const bootLogger = loggerFor(io, 'info');
  const { config } = await addonConfig({ env: io.env, logger: bootLogger });
  // The listener is on all interfaces for ingress; the glucose page is for the ingress proxy only,
  // not for every container on the add-on network. /health stays open for the HEALTHCHECK.
  return runWith(() => parseConfigObject(config, io.env, '/data/options.json'), io, undefined, {
    pagesAllowFrom: ADDON_PAGES_ALLOW_FROM,
  });
}

function processIo(): CliIo {
  const stopSignal = new Promise<string>((resolveStop) => {
    const onSignal = (signal: NodeJS.Signals) => {
      // A second signal forces the exit, in case stopping hangs.
      process.once(signal, () => process.exit(EXIT_FATAL));
      resolveStop(signal);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    stopSignal,
  };
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.on('uncaughtException', (error) => {
    process.stderr.write(
      `librelinkup2mqtt: uncaught error (${(error as { kind?: string }).kind ?? error.name}): ${scrubString(String(error.stack))}\n`,
    );
    process.exit(EXIT_FATAL);
  });
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(
      `librelinkup2mqtt: unhandled rejection: ${scrubString(String((reason as Error)?.stack ?? reason))}\n`,
    );
    process.exit(EXIT_FATAL);
  });
  main(process.argv.slice(2), processIo()).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`librelinkup2mqtt: fatal: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(EXIT_FATAL);
    },
  );
}
