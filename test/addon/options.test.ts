import { describe, expect, it } from 'vitest';
import {
  AddonError,
  type AddonOptions,
  optionsToConfig,
  readAddonOptions,
  redactUrl,
} from '../../src/addon/options.js';
import type { SupervisorMqtt } from '../../src/addon/supervisor.js';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfigObject } from '../../src/config/load.js';
import { REGION_CHOICES } from '../../src/config/regions.js';

const MOSQUITTO: SupervisorMqtt = {
  addon: 'core_mosquitto',
  host: 'core-mosquitto',
  port: 1883,
  ssl: false,
  username: 'addons',
  password: 'supervisor-pw',
  protocol: '3.1.1',
};

const base: AddonOptions = {
  accounts: [{ email: 'me@example.com', password: 'llu-pw', region: 'auto' }],
};

function mqttOf(config: Record<string, unknown>) {
  return config.mqtt as Record<string, unknown>;
}

describe('optionsToConfig: broker precedence', () => {
  it("uses the user's mqtt.url over the Supervisor's broker", () => {
    const { config, brokerSource } = optionsToConfig(
      { ...base, mqtt: { url: 'mqtt://192.168.1.10:1883', username: 'me', password: 'mine' } },
      MOSQUITTO,
    );
    expect(brokerSource).toBe('options');
    expect(mqttOf(config)).toEqual({ url: 'mqtt://192.168.1.10:1883', username: 'me', password: 'mine' });
  });

  it('reads a URL typed without a scheme as plain MQTT', () => {
    const { config } = optionsToConfig({ ...base, mqtt: { url: '192.168.1.10:1884' } }, null);
    expect(mqttOf(config).url).toBe('mqtt://192.168.1.10:1884');
  });

  it("uses the Supervisor's broker, with its credentials, when the MQTT options are empty", () => {
    const { config, brokerSource } = optionsToConfig({ ...base, mqtt: {} }, MOSQUITTO);
    expect(brokerSource).toBe('supervisor');
    expect(mqttOf(config)).toEqual({
      url: 'mqtt://core-mosquitto:1883',
      username: 'addons',
      password: 'supervisor-pw',
    });
  });

  it('uses mqtts:// when the Supervisor says ssl, and brackets an IPv6 host', () => {
    const { config } = optionsToConfig(base, { host: 'fd00::1', port: 8883, ssl: true, protocol: '3.1.1' });
    expect(mqttOf(config).url).toBe('mqtts://[fd00::1]:8883');
  });

  it('works when the Supervisor gives no username or password', () => {
    const { config } = optionsToConfig(base, {
      host: 'core-mosquitto',
      port: 1883,
      ssl: false,
      protocol: '3.1.1',
    });
    expect(mqttOf(config)).toEqual({ url: 'mqtt://core-mosquitto:1883' });
  });

  it("prefers the user's credentials over the Supervisor's on the Supervisor's broker", () => {
    const { config, brokerSource } = optionsToConfig(
      { ...base, mqtt: { username: 'ha-user', password: 'ha-pw', base_topic: 'glucose' } },
      MOSQUITTO,
    );
    expect(brokerSource).toBe('supervisor');
    expect(mqttOf(config)).toEqual({
      url: 'mqtt://core-mosquitto:1883',
      username: 'ha-user',
      password: 'ha-pw',
      base_topic: 'glucose',
    });
  });

  it('falls back to a loopback-only embedded broker without a Supervisor broker or MQTT credentials', () => {
    const { config, brokerSource } = optionsToConfig({ ...base, mqtt: { discovery_prefix: 'ha' } }, null);
    expect(brokerSource).toBe('embedded');
    expect(mqttOf(config)).toEqual({ embedded: { host: '127.0.0.1', port: 1883 }, discovery_prefix: 'ha' });
  });

  it("opens the embedded broker to the network only when it can require the user's credentials", () => {
    const { config } = optionsToConfig({ ...base, mqtt: { username: 'ha', password: 'pw' } }, null);
    expect(mqttOf(config)).toEqual({
      embedded: { host: '0.0.0.0', port: 1883 },
      username: 'ha',
      password: 'pw',
    });
  });
});

describe('optionsToConfig: the rest of the config', () => {
  it('maps accounts, patients, poll interval and log level; data in /data; HTTP on 8099 for ingress', () => {
    const { config } = optionsToConfig(
      {
        accounts: [
          {
            email: 'me@example.com',
            password: 'llu-pw',
            region: 'eu',
            accept_terms: true,
            patients: [
              { match: 'Anna Smith', name: 'Mum', target_low: '3.9 mmol/L', urgent_low: '55 mg/dL' },
            ],
          },
          { email: 'two@example.com', password: 'pw2', region: 'auto', patients: [] },
        ],
        poll_interval: 120,
        log_level: 'debug',
      },
      null,
    );
    expect(config).toEqual({
      accounts: [
        {
          email: 'me@example.com',
          password: 'llu-pw',
          region: 'eu',
          accept_terms: true,
          patients: [{ match: 'Anna Smith', name: 'Mum', target_low: '3.9 mmol/L', urgent_low: '55 mg/dL' }],
        },
        { email: 'two@example.com', password: 'pw2', region: 'auto' },
      ],
      mqtt: { embedded: { host: '127.0.0.1', port: 1883 } },
      poll: { interval: 120 },
      http: { host: '0.0.0.0', port: 8099 },
      data_dir: '/data',
      log_level: 'debug',
    });
  });
});

describe('readAddonOptions', () => {
  it('reads what the Supervisor writes, dropping blank optional values and empty patients', () => {
    const options = readAddonOptions({
      accounts: [
        {
          email: ' me@example.com ',
          password: ' spaced pw ',
          region: 'de',
          patients: [{ id: 'p-1', name: '' }, { name: '   ' }],
        },
      ],
      mqtt: { url: '', username: 'u', password: '' },
      poll_interval: 60,
      log_level: 'info',
    });
    expect(options).toEqual({
      accounts: [
        { email: 'me@example.com', password: ' spaced pw ', region: 'de', patients: [{ id: 'p-1' }] },
      ],
      mqtt: { username: 'u' },
      poll_interval: 60,
      log_level: 'info',
    });
  });

  it('passes a patient sensor_days to the config, where the normal schema checks it', async () => {
    const options = readAddonOptions({
      accounts: [{ email: 'a@b.c', password: 'pw', patients: [{ match: 'Anna Smith', sensor_days: 15 }] }],
    });
    const { config } = optionsToConfig(options, null);
    const accounts = config.accounts as Array<{ patients: Array<Record<string, unknown>> }>;
    expect(accounts[0]?.patients[0]).toEqual({ match: 'Anna Smith', sensor_days: 15 });
    const valid = parseConfigObject(config, {});
    expect(valid.accounts[0]?.patients?.[0]?.sensor_days).toBe(15);
  });

  it("leaves a missing region to the config schema's default, auto", () => {
    const options = readAddonOptions({ accounts: [{ email: 'a@b.c', password: 'pw' }] });
    expect(options.accounts[0]?.region).toBeUndefined();
    expect(parseConfigObject(optionsToConfig(options, null).config, {}).accounts[0]?.region).toBe('auto');
  });

  it.each([
    [null, /not a JSON object/],
    [{}, /accounts is empty/],
    [{ accounts: [] }, /accounts is empty/],
    [{ accounts: [{ email: '', password: 'x' }] }, /accounts\[0\]\.email is empty/],
    [{ accounts: [{ email: 'a@b.c', password: '' }] }, /accounts\[0\]\.password is empty/],
    [{ accounts: [{ email: 'a@b.c', password: 'x', patients: 'all' }] }, /patients must be a list/],
    [{ accounts: [{ email: 'a@b.c', password: 'x' }], mqtt: 'x' }, /mqtt must be a group/],
    [{ accounts: [{ email: 'a@b.c', password: 'x' }], poll_interval: -1 }, /poll_interval/],
    [
      { accounts: [{ email: 'a@b.c', password: 'x', patients: [{ match: 'A B', sensor_days: 0.5 }] }] },
      /patients\[0\]\.sensor_days must be a whole number/,
    ],
  ])('refuses %j with a message naming the option', (value, message) => {
    expect(() => readAddonOptions(value)).toThrow(AddonError);
    expect(() => readAddonOptions(value)).toThrow(message);
  });

  it('never puts a password into an error message', () => {
    expect(() => readAddonOptions({ accounts: [{ email: '', password: 'topsecret-pw' }] })).toThrow(
      AddonError,
    );
    try {
      readAddonOptions({ accounts: [{ email: '', password: 'topsecret-pw' }] });
    } catch (error) {
      expect((error as Error).message).not.toContain('topsecret-pw');
    }
    const refused = addonProblems({
      accounts: [{ email: 'a@b.c', password: 'topsecret-pw', region: 'nowhere' }],
    });
    expect(refused).toMatch(/accounts\[0\]\.region/);
    expect(refused).not.toContain('topsecret-pw');
  });
});

/** What the user sees for options the add-on passes on: the config schema's message, or none. */
function addonProblems(value: unknown): string | null {
  const { config } = optionsToConfig(readAddonOptions(value), null);
  try {
    parseConfigObject(config, {}, '/data/options.json');
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
}

describe('add-on options the config schema checks', () => {
  const account = { email: 'a@b.c', password: 'pw' };

  it.each([
    [{ accounts: [{ ...account, region: 'mars' }] }, /accounts\[0\]\.region: must be one of: auto, us, eu/],
    [{ accounts: [{ ...account, region: 'EU' }] }, /accounts\[0\]\.region: must be one of/],
    [{ accounts: [{ ...account, accept_terms: 'yes' }] }, /accounts\[0\]\.accept_terms: must be/],
    [{ accounts: [account], log_level: 'loud' }, /log_level: must be one of: fatal, error/],
    [
      { accounts: [{ ...account, patients: [{ match: 'A B', target_low: '70' }] }] },
      /accounts\[0\]\.patients\[0\]\.target_low/,
    ],
  ])('refuses %j naming the option', (value, message) => {
    expect(addonProblems(value)).toMatch(message);
  });

  it('accepts every region the add-on form offers', () => {
    for (const region of REGION_CHOICES)
      expect(addonProblems({ accounts: [{ ...account, region }] })).toBeNull();
  });
});

describe('redactUrl', () => {
  it('removes credentials from a broker URL for the log', () => {
    expect(redactUrl('mqtt://user:pw@host:1883')).toBe('mqtt://***@host:1883');
    expect(redactUrl('mqtts://host:8883')).toBe('mqtts://host:8883');
  });
});
