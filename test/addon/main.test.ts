import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { addonConfig } from '../../src/addon/main.js';
import { AddonError } from '../../src/addon/options.js';
import { createLogger, type Logger } from '../../src/log.js';
import { closedPort, type FakeSupervisor, json, MOSQUITTO, startFakeSupervisor } from './fake-supervisor.js';

const ACCOUNT_PW = 'Zq8-account-password-xyz';
const USER_MQTT_PW = 'Uu3-user-mqtt-password';
const TOKEN = 'supervisor-token-0123456789abcdef';

let dir: string;
let lines: string[];
let logger: Logger;
const fakes: FakeSupervisor[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llu-addon-'));
  lines = [];
  logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

function writeOptions(options: unknown): string {
  const path = join(dir, 'options.json');
  writeFileSync(path, typeof options === 'string' ? options : JSON.stringify(options));
  return path;
}

const OPTIONS = {
  accounts: [{ email: 'me@example.com', password: ACCOUNT_PW, region: 'auto', patients: [] }],
  mqtt: {},
};

async function fake(respond: Parameters<typeof startFakeSupervisor>[0]) {
  const f = await startFakeSupervisor(respond);
  fakes.push(f);
  return f;
}

function logs(): Array<Record<string, unknown>> {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

function expectNoSecretsLogged(): void {
  const all = lines.join('\n');
  for (const secret of [ACCOUNT_PW, USER_MQTT_PW, MOSQUITTO.password, TOKEN])
    expect(all).not.toContain(secret);
}

describe('addonConfig', () => {
  it('takes the broker from the Supervisor and logs the choice without the password', async () => {
    const sup = await fake(json(200, { result: 'ok', data: { ...MOSQUITTO, port: '1883' } }));
    const result = await addonConfig({
      optionsPath: writeOptions(OPTIONS),
      env: { SUPERVISOR_TOKEN: TOKEN },
      supervisorUrl: sup.url,
      logger,
    });
    expect(result.brokerSource).toBe('supervisor');
    expect(result.config.mqtt).toEqual({
      url: 'mqtt://core-mosquitto:1883',
      username: 'addons',
      password: MOSQUITTO.password,
    });
    expect(sup.requests[0]?.authorization).toBe(`Bearer ${TOKEN}`);
    const chosen = logs().find((l) => l.broker === 'supervisor');
    expect(chosen).toMatchObject({ level: 'info', url: 'mqtt://core-mosquitto:1883', username: 'addons' });
    expect(String(chosen?.msg)).toContain('core_mosquitto');
    expectNoSecretsLogged();
  });

  it("uses the user's broker without asking the Supervisor", async () => {
    const sup = await fake(json(200, { result: 'ok', data: MOSQUITTO }));
    const result = await addonConfig({
      optionsPath: writeOptions({
        ...OPTIONS,
        mqtt: { url: `mqtt://me:${USER_MQTT_PW}@192.168.1.10:1883`, username: 'me', password: USER_MQTT_PW },
      }),
      env: { SUPERVISOR_TOKEN: TOKEN },
      supervisorUrl: sup.url,
      logger,
    });
    expect(result.brokerSource).toBe('options');
    expect(sup.requests).toEqual([]);
    expect(logs().find((l) => l.broker === 'options')).toMatchObject({ url: 'mqtt://***@192.168.1.10:1883' });
    expectNoSecretsLogged();
  });

  it('falls back to the embedded broker, with a warning, when the Supervisor refuses access', async () => {
    const sup = await fake(json(403, { result: 'error', message: 'No access to mqtt service!' }));
    const result = await addonConfig({
      optionsPath: writeOptions(OPTIONS),
      env: { SUPERVISOR_TOKEN: TOKEN, HOSTNAME: 'local-librelinkup2mqtt' },
      supervisorUrl: sup.url,
      logger,
    });
    expect(result.brokerSource).toBe('embedded');
    // No MQTT credentials: loopback only, never an open broker on the network.
    expect(result.config.mqtt).toEqual({ embedded: { host: '127.0.0.1', port: 1883 } });
    const warnings = logs().filter((l) => l.level === 'warn');
    expect(warnings.map((w) => w.msg).join('\n')).toMatch(/No access to mqtt service!.*mqtt:need/);
    expect(warnings.find((w) => w.broker === 'embedded')?.msg).toContain('local-librelinkup2mqtt');
    expectNoSecretsLogged();
  });

  it('falls back to the embedded broker when the Supervisor is unreachable', async () => {
    const port = await closedPort();
    const result = await addonConfig({
      optionsPath: writeOptions(OPTIONS),
      env: { SUPERVISOR_TOKEN: TOKEN },
      supervisorUrl: `http://127.0.0.1:${port}`,
      logger,
    });
    expect(result.brokerSource).toBe('embedded');
    expect(logs().some((l) => l.kind === 'unreachable')).toBe(true);
  });

  it('uses the embedded broker without a SUPERVISOR_TOKEN', async () => {
    const result = await addonConfig({ optionsPath: writeOptions(OPTIONS), env: {}, logger });
    expect(result.brokerSource).toBe('embedded');
    expect(lines.join('\n')).toMatch(/no SUPERVISOR_TOKEN/);
  });

  it('explains a missing options.json', async () => {
    const error = await addonConfig({ optionsPath: join(dir, 'missing.json'), env: {}, logger }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(AddonError);
    expect(error).toMatchObject({ kind: 'options_missing' });
    expect(error.message).toMatch(/not found.*add-on's entry point.*--config/);
  });

  it('explains an options.json that is not JSON', async () => {
    const error = await addonConfig({ optionsPath: writeOptions('{"accounts": ['), env: {}, logger }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ kind: 'options_invalid' });
    expect(error.message).toMatch(/not valid JSON/);
  });

  it('explains options without an account', async () => {
    const error = await addonConfig({
      optionsPath: writeOptions({ accounts: [], mqtt: {} }),
      env: {},
      logger,
    }).catch((e) => e);
    expect(error).toMatchObject({ kind: 'options_invalid' });
    expect(error.message).toMatch(/Configuration tab/);
  });
});

// The config object must pass the normal config schema (src/config, written in parallel).
const loadModule = fileURLToPath(new URL('../../src/config/load.ts', import.meta.url));
describe.skipIf(!existsSync(loadModule))('addon config against the real config schema', () => {
  it('validates with the normal schema, broker from the Supervisor', async () => {
    const sup = await fake(json(200, { result: 'ok', data: MOSQUITTO }));
    const { config } = await addonConfig({
      optionsPath: writeOptions({
        accounts: [
          {
            email: 'me@example.com',
            password: ACCOUNT_PW,
            region: 'eu',
            accept_terms: true,
            patients: [
              { match: 'Anna Smith', name: 'Mum', target_low: '3.9 mmol/L', target_high: '180 mg/dL' },
            ],
          },
        ],
        mqtt: { base_topic: 'glucose' },
        poll_interval: 120,
        log_level: 'debug',
      }),
      env: { SUPERVISOR_TOKEN: TOKEN },
      supervisorUrl: sup.url,
      logger,
    });
    const load = (await import(loadModule)) as Record<
      string,
      (...args: unknown[]) => Record<string, unknown>
    >;
    const parsed = load.parseConfigObject
      ? load.parseConfigObject(config, {}, '/data/options.json')
      : load.parseConfig!(YAML.stringify(config), {});
    expect(parsed).toMatchObject({
      data_dir: '/data',
      http: { port: 8099, host: '0.0.0.0' },
      mqtt: { url: 'mqtt://core-mosquitto:1883', username: 'addons', base_topic: 'glucose' },
      log_level: 'debug',
    });
  });

  it('validates with the normal schema, embedded broker', async () => {
    const { config } = await addonConfig({ optionsPath: writeOptions(OPTIONS), env: {}, logger });
    const load = (await import(loadModule)) as Record<
      string,
      (...args: unknown[]) => Record<string, unknown>
    >;
    const parsed = load.parseConfigObject
      ? load.parseConfigObject(config, {}, '/data/options.json')
      : load.parseConfig!(YAML.stringify(config), {});
    expect(parsed).toMatchObject({ mqtt: { embedded: { host: '127.0.0.1', port: 1883 } } });
    expect((parsed.mqtt as { url?: string }).url).toBeUndefined();
  });

  it("exposes the embedded broker to the network only with the user's MQTT credentials", async () => {
    const { config } = await addonConfig({
      optionsPath: writeOptions({ ...OPTIONS, mqtt: { username: 'ha', password: 'broker-secret-1' } }),
      env: {},
      logger,
    });
    const load = (await import(loadModule)) as Record<
      string,
      (...args: unknown[]) => Record<string, unknown>
    >;
    const parsed = load.parseConfigObject!(config, {}, '/data/options.json');
    expect(parsed).toMatchObject({ mqtt: { embedded: { host: '0.0.0.0', port: 1883 }, username: 'ha' } });
  });
});
