import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigError } from '../../src/config/errors.js';
import { loadConfigFile, parseConfig, parseConfigObject } from '../../src/config/load.js';
import { parseThreshold } from '../../src/config/thresholds.js';
import { ENV, SECRET, withAccount } from './helpers.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'config.example.yaml');

describe('config.example.yaml', () => {
  it('loads with LLU_PASSWORD set', () => {
    const config = loadConfigFile(EXAMPLE, { LLU_PASSWORD: SECRET });
    expect(config.accounts).toHaveLength(1);
    expect(config.accounts[0]).toMatchObject({
      email: 'follower@example.com',
      password: SECRET,
      region: 'auto',
    });
    expect(config.mqtt.url).toBeUndefined();
    expect(config.mqtt.embedded).toEqual({ host: '127.0.0.1', port: 1883 });
    expect(config.http.port).toBeUndefined();
  });

  it('states every default the schema applies (so the example never disagrees with it)', () => {
    const fromExample = loadConfigFile(EXAMPLE, { LLU_PASSWORD: SECRET });
    const minimal = parseConfig(withAccount(), ENV);
    expect({ ...fromExample, accounts: [{ ...fromExample.accounts[0], email: '' }] }).toEqual({
      ...minimal,
      accounts: [{ ...minimal.accounts[0], email: '', password: SECRET }],
    });
  });

  it('also loads with its commented-out keys enabled', () => {
    const text = readFileSync(EXAMPLE, 'utf8')
      .replace(/^(\s*)# (patients:|url:|username:|password:|port: 8099)/gm, '$1$2')
      .replace(/^(\s*)#( {3}- \w+:| {5}\w+: )/gm, '$1$2');
    const config = parseConfig(text, { LLU_PASSWORD: SECRET, MQTT_PASSWORD: 'mqtt-pw' });
    expect(config.mqtt.url).toBe('mqtt://localhost:1883');
    expect(config.mqtt.password).toBe('mqtt-pw');
    expect(config.http.port).toBe(8099);
    expect(config.accounts[0]!.patients).toEqual([
      {
        match: 'Anna Smith',
        name: 'Mum',
        target_low: { mgdl: 70, text: '70 mg/dL' },
        target_high: { mgdl: 180, text: '10 mmol/L' },
        urgent_low: { mgdl: 54, text: '54 mg/dL' },
        sensor_days: 15,
      },
      { id: '0d1f6c5e-8a3b-11ee-b9d1-0242ac120002', name: 'Dad', urgent_low: { mgdl: 54, text: '54 mg/dL' } },
    ]);
  });
});

describe('defaults', () => {
  it('fills every default into a minimal file', () => {
    const config = parseConfig(withAccount(), ENV);
    expect(config).toEqual({
      accounts: [
        {
          email: 'follower@example.com',
          password: SECRET,
          region: 'auto',
          api_url: 'https://api.libreview.io',
          region_url: 'https://api-{region}.libreview.io',
          accept_terms: false,
          version: '4.16.0',
        },
      ],
      mqtt: {
        client_id: 'librelinkup2mqtt',
        base_topic: 'librelinkup2mqtt',
        discovery: true,
        discovery_prefix: 'homeassistant',
        embedded: { host: '127.0.0.1', port: 1883 },
      },
      poll: { interval: 60, min_interval: 10, timeout: 20, freshness: 'balanced' },
      http: { host: '127.0.0.1' },
      data_dir: './data',
      log_level: 'info',
      log_format: 'auto',
    });
  });

  it('fills defaults inside groups that are given partly, and tls.reject_unauthorized', () => {
    const config = parseConfig(
      withAccount('mqtt:\n  url: mqtts://broker:8883\n  tls: { ca: ca.pem }\npoll:\n  interval: 120\n'),
      ENV,
    );
    expect(config.mqtt.tls).toEqual({ ca: 'ca.pem', reject_unauthorized: true });
    expect(config.poll).toEqual({ interval: 120, min_interval: 10, timeout: 20, freshness: 'balanced' });
  });

  it('gives each listed patient urgent_low 54 mg/dL', () => {
    const config = parseConfig(withAccount('', '    patients:\n      - id: p1\n'), ENV);
    expect(config.accounts[0]!.patients).toEqual([{ id: 'p1', urgent_low: { mgdl: 54, text: '54 mg/dL' } }]);
  });

  it('accepts fractions of seconds and an OS-assigned embedded port (tests, simulator)', () => {
    const config = parseConfig(
      withAccount(
        'poll: { interval: 0.5, min_interval: 0.05, timeout: 0.2 }\nmqtt: { embedded: { port: 0 } }\n',
      ),
      ENV,
    );
    expect(config.poll).toEqual({ interval: 0.5, min_interval: 0.05, timeout: 0.2, freshness: 'balanced' });
    expect(config.mqtt.embedded.port).toBe(0);
  });

  it('returns a deeply frozen config', () => {
    const config = parseConfig(withAccount('', '    patients:\n      - id: p1\n'), ENV);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.accounts[0]!.patients![0]!.urgent_low)).toBe(true);
    expect(() => {
      (config.poll as { interval: number }).interval = 1;
    }).toThrow(TypeError);
  });
});

describe('${VAR} substitution', () => {
  it('replaces variables in any string value, whole or inside text', () => {
    const text = [
      'accounts:',
      '  - email: ${LLU_EMAIL}',
      '    password: "${LLU_PASSWORD}"',
      'mqtt:',
      "  url: 'mqtt://${MQTT_HOST}:1883'",
      '  base_topic: ${BASE:-glucose}',
      'data_dir: ${DATA_DIR:-./data}',
    ].join('\n');
    const config = parseConfig(text, {
      LLU_EMAIL: 'me@example.com',
      LLU_PASSWORD: SECRET,
      MQTT_HOST: 'nas',
      DATA_DIR: '',
    });
    expect(config.accounts[0]!.email).toBe('me@example.com');
    expect(config.accounts[0]!.password).toBe(SECRET);
    expect(config.mqtt.url).toBe('mqtt://nas:1883');
    expect(config.mqtt.base_topic).toBe('glucose');
    expect(config.data_dir).toBe('./data');
  });

  it('does not re-read substituted values as YAML and keeps $${ literal', () => {
    const config = parseConfig(withAccount('mqtt: { client_id: "a$${B}c" }\n').replace(SECRET, '${PW}'), {
      PW: 'x: [not yaml ${OTHER}',
    });
    expect(config.accounts[0]!.password).toBe('x: [not yaml ${OTHER}');
    expect(config.mqtt.client_id).toBe('a${B}c');
  });

  it('converts a whole-value variable at a number or boolean key', () => {
    const config = parseConfig(
      withAccount(
        'http:\n  port: ${HTTP_PORT}\nmqtt:\n  discovery: ${DISCOVERY}\npoll:\n  interval: ${POLL:-30}\n',
      ),
      { HTTP_PORT: '8099', DISCOVERY: 'false' },
    );
    expect(config.http.port).toBe(8099);
    expect(config.mqtt.discovery).toBe(false);
    expect(config.poll.interval).toBe(30);
  });

  it('keeps a numeric-looking password text', () => {
    const config = parseConfig(withAccount().replace(SECRET, '${PW}'), { PW: '0123456' });
    expect(config.accounts[0]!.password).toBe('0123456');
  });
});

describe('thresholds', () => {
  it('parse to mg/dL with the unit normalised', () => {
    expect(parseThreshold('70 mg/dL')).toEqual({ mgdl: 70, text: '70 mg/dL' });
    expect(parseThreshold('3.9 mmol/L')).toEqual({ mgdl: 70.2, text: '3.9 mmol/L' });
    expect(parseThreshold('10 mmol/L')).toEqual({ mgdl: 180, text: '10 mmol/L' });
    expect(parseThreshold('180mg/dl')).toEqual({ mgdl: 180, text: '180 mg/dL' });
    expect(parseThreshold(' 5.5  MMOL/L ')).toEqual({ mgdl: 99, text: '5.5 mmol/L' });
    expect(parseThreshold('70')).toBeNull();
    expect(parseThreshold('70 mg')).toBeNull();
  });

  it('arrive in the Config as {mgdl, text}', () => {
    const config = parseConfig(
      withAccount(
        '',
        '    patients:\n      - match: Anna Smith\n        target_low: 3.9 mmol/L\n        target_high: 10 mmol/l\n        urgent_low: 54 mg/dl\n',
      ),
      ENV,
    );
    expect(config.accounts[0]!.patients![0]).toEqual({
      match: 'Anna Smith',
      target_low: { mgdl: 70.2, text: '3.9 mmol/L' },
      target_high: { mgdl: 180, text: '10 mmol/L' },
      urgent_low: { mgdl: 54, text: '54 mg/dL' },
    });
  });
});

describe('parseConfigObject', () => {
  it('validates an object (the add-on options) like a file, without touching the input', () => {
    const input = {
      accounts: [{ email: 'me@example.com', password: '${PW}' }],
      mqtt: { embedded: { port: 0 } },
    };
    const config = parseConfigObject(input, { PW: SECRET }, '/data/options.json');
    expect(config.accounts[0]!.password).toBe(SECRET);
    expect(config.mqtt.embedded).toEqual({ host: '127.0.0.1', port: 0 });
    expect(input).toEqual({
      accounts: [{ email: 'me@example.com', password: '${PW}' }],
      mqtt: { embedded: { port: 0 } },
    });
  });

  it('reports problems naming the source', () => {
    const error = (() => {
      try {
        parseConfigObject({ accounts: [] }, {}, '/data/options.json');
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('no error');
    })();
    expect(error.message.split('\n')[0]).toBe('Invalid configuration in /data/options.json:');
  });
});

describe('loadConfigFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llu-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and names it in errors', () => {
    const path = join(dir, 'config.yaml');
    writeFileSync(path, withAccount('poll: { interval: 0 }\n'));
    expect(() => loadConfigFile(path, ENV)).toThrow(`Invalid configuration in ${path}:`);
    writeFileSync(path, withAccount());
    expect(loadConfigFile(path, ENV).accounts[0]!.email).toBe('follower@example.com');
  });
});
