import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatProblem } from '../../src/config/errors.js';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import { ENV, failure, problemAt, SECRET, withAccount } from './helpers.js';

describe('invalid configs: one problem each, by path, with a fix', () => {
  it('missing accounts', () => {
    const e = failure('mqtt:\n  base_topic: x\n');
    problemAt(e, 'accounts', 'is required', 'config.example.yaml');
    expect(e.message.split('\n')[0]).toBe('Invalid configuration in /etc/llu/config.yaml:');
  });

  it('empty accounts list', () => {
    problemAt(failure('accounts: []\n'), 'accounts', 'empty list', 'at least one account');
  });

  it('email of the wrong type', () => {
    problemAt(
      failure(withAccount().replace('follower@example.com', '12345')),
      'accounts[0].email',
      'must be text',
      'got a whole number',
    );
  });

  it('unknown key at the top level, with did-you-mean', () => {
    const e = failure(withAccount('mqt:\n  url: mqtt://x\n'));
    problemAt(e, 'mqt', 'unknown key "mqt"', 'did you mean "mqtt"?', 'remove it or fix the spelling');
    expect(e.message).toContain(
      'mqt: unknown key "mqt" — did you mean "mqtt"? (remove it or fix the spelling) [line 4]',
    );
  });

  it('unknown key at depth 2 and 3, with did-you-mean', () => {
    const e = failure(
      withAccount(
        'mqtt:\n  tls:\n    rejectUnauthorized: false\n',
        '    pasword: x\n    patients:\n      - id: p\n        nmae: Mum\n',
      ),
    );
    expect(e.message).toContain(
      'accounts[0].pasword: unknown key "pasword" — did you mean "password"? (remove it or fix the spelling)',
    );
    problemAt(e, 'accounts[0].patients[0].nmae', 'did you mean "name"?');
    problemAt(e, 'mqtt.tls.rejectUnauthorized', 'did you mean "reject_unauthorized"?');
  });

  it('unknown key that belongs elsewhere, or nowhere', () => {
    const e = failure(withAccount('interval: 30\nfoo: 1\n'));
    problemAt(e, 'interval', 'belongs at poll.interval', 'move it there');
    problemAt(
      e,
      'foo',
      'unknown key "foo"',
      'allowed here: accounts, mqtt, poll, http, data_dir, log_level, log_format',
    );
  });

  it('negative interval', () => {
    problemAt(
      failure(withAccount('poll:\n  interval: -5\n')),
      'poll.interval',
      'must be greater than 0',
      'got -5',
      'seconds',
    );
  });

  it('min_interval above interval', () => {
    problemAt(
      failure(withAccount('poll:\n  interval: 30\n  min_interval: 45\n')),
      'poll.min_interval',
      'is 45 s, longer than poll.interval (30 s)',
      'at most interval',
    );
  });

  it('MQTT URL without a scheme', () => {
    problemAt(
      failure(withAccount('mqtt:\n  url: localhost:1883\n')),
      'mqtt.url',
      'must be a broker URL starting with mqtt://',
      'got "localhost:1883"',
      'write it as mqtt://localhost:1883',
    );
  });

  it('MQTT URL with an http scheme', () => {
    problemAt(
      failure(withAccount('mqtt:\n  url: http://x\n')),
      'mqtt.url',
      '"http://", which is not an MQTT scheme',
      'mqtt://',
    );
    problemAt(
      failure(withAccount('mqtt:\n  url: mqtts://\n')),
      'mqtt.url',
      'has no host name',
      'mqtts://host',
    );
  });

  it('MQTT URL that does not parse, without echoing its credentials', () => {
    const e = failure(withAccount(`mqtt:\n  url: mqtt://user:${SECRET}@[bad\n`));
    problemAt(e, 'mqtt.url', 'is not a valid URL', 'mqtt://***@[bad');
  });

  it('invalid YAML, with line and column, without quoting the line', () => {
    const e = failure(`accounts:\n  - email: a@example.com\n    password: ${SECRET}\n   region: [eu\n`);
    expect(e.kind).toBe('yaml');
    expect(e.message).toMatch(/line 4, column \d+/);
    expect(e.message.split('\n')[0]).toBe('Invalid configuration in /etc/llu/config.yaml: not valid YAML:');
  });

  it('invalid YAML on the password line hides the details', () => {
    const e = failure(`accounts:\n  - email: a@example.com\n    password: @${SECRET}\n`);
    expect(e.message).toMatch(/line 3, column \d+: syntax error on a line holding a secret/);
    expect(e.message).toContain('in quotes');
  });

  it('a key written twice is named even on a password line', () => {
    const e = failure(
      `accounts:\n  - email: a@example.com\n    password: ${SECRET}\n    password: other-pw\n`,
    );
    expect(e.message).toContain('line 4, column 5: Map keys must be unique');
  });

  it('a password that YAML reads as an alias is not echoed', () => {
    failure(`accounts:\n  - email: a@example.com\n    password: *${SECRET}\n`);
  });

  it('missing file, naming the path and how to create one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llu-missing-'));
    try {
      const path = join(dir, 'config.yaml');
      let error: unknown;
      try {
        loadConfigFile(path, ENV);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const e = error as ConfigError;
      expect(e.kind).toBe('file');
      expect(e.message).toContain(path);
      expect(e.message).toContain('config.example.yaml');
      expect(e.message).toContain('librelinkup2mqtt demo');
      expect(() => loadConfigFile(dir, ENV)).toThrow(/is a directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('missing environment variable, naming it and the key', () => {
    const e = failure(
      withAccount('mqtt:\n  username: ${MQTT_USER}\n').replace(SECRET, '${LLU_PASSWORD}'),
      {},
    );
    problemAt(e, 'accounts[0].password', 'environment variable LLU_PASSWORD is not set', 'set LLU_PASSWORD');
    problemAt(e, 'mqtt.username', 'environment variable MQTT_USER is not set');
    expect(e.problems).toHaveLength(2);
  });

  it('a broken ${ reference', () => {
    problemAt(
      failure(withAccount('data_dir: ${DATA\n')),
      'data_dir',
      'not a complete ${VARIABLE} reference',
      '$${',
    );
  });

  it('bare-number threshold', () => {
    const e = failure(
      withAccount('', '    patients:\n      - id: p\n        target_low: 70\n        target_high: "10"\n'),
    );
    problemAt(
      e,
      'accounts[0].patients[0].target_low',
      'bare number 70',
      'a unit is required',
      'clinical error',
      'write "70 mg/dL" or "70 mmol/L"',
    );
    problemAt(e, 'accounts[0].patients[0].target_high', '"10" without a unit', '"10 mmol/L"');
  });

  it('threshold with an unknown unit, an implausible value, or inverted', () => {
    const e = failure(
      withAccount(
        '',
        '    patients:\n      - id: p\n        target_low: 70 mg\n      - id: q\n        target_high: 10 mg/dL\n      - id: r\n        target_low: 100 mg/dL\n        target_high: 5 mmol/L\n',
      ),
    );
    problemAt(e, 'accounts[0].patients[0].target_low', 'with its unit', '"70 mg/dL" or "3.9 mmol/L"');
    problemAt(e, 'accounts[0].patients[1].target_high', 'unit mix-up', 'did you mean "10 mmol/L"?');
    problemAt(e, 'accounts[0].patients[2].target_high', 'not above target_low');
  });

  it('unknown region, listing the allowed ones', () => {
    problemAt(
      failure(withAccount('', '    region: mars\n')),
      'accounts[0].region',
      'must be one of: auto, us, eu, eu2, de, fr, jp, ap, au, ae, ca, la, ru, cn',
      'got "mars"',
    );
  });

  it('patients entry with neither id nor match, or both', () => {
    const e = failure(
      withAccount('', '    patients:\n      - name: Mum\n      - id: p\n        match: Anna Smith\n'),
    );
    problemAt(e, 'accounts[0].patients[0]', 'needs id or match', 'match: "First Last"');
    problemAt(e, 'accounts[0].patients[1]', 'has both id and match');
    expect(e.problems).toHaveLength(2);
  });

  it('embedded broker on a non-loopback address without credentials', () => {
    problemAt(
      failure(withAccount('mqtt:\n  embedded:\n    host: 0.0.0.0\n')),
      'mqtt.embedded.host',
      'reachable from other machines',
      'set mqtt.username and mqtt.password',
    );
    expect(() =>
      parseConfig(
        withAccount('mqtt:\n  username: u\n  password: p4ss\n  embedded: { host: 0.0.0.0 }\n'),
        ENV,
      ),
    ).not.toThrow();
    expect(() => parseConfig(withAccount('mqtt:\n  embedded: { host: "::1" }\n'), ENV)).not.toThrow();
    expect(() =>
      parseConfig(withAccount('mqtt:\n  url: mqtt://b\n  embedded: { host: 0.0.0.0 }\n'), ENV),
    ).not.toThrow();
  });

  it('region_url without {region}', () => {
    problemAt(
      failure(withAccount('', '    region_url: https://api-eu.libreview.io\n')),
      'accounts[0].region_url',
      'must contain {region}',
    );
  });

  it('out-of-range ports and wrong booleans', () => {
    const e = failure(
      withAccount('http:\n  port: 0\nmqtt:\n  discovery: "yes"\n  embedded: { port: 70000 }\n'),
    );
    problemAt(e, 'http.port', 'must be at least 1', '1 to 65535');
    problemAt(e, 'mqtt.embedded.port', 'must be at most 65535', 'or 0 for any free port');
    problemAt(e, 'mqtt.discovery', 'must be true or false', 'got text');
    problemAt(
      failure(withAccount('mqtt:\n  username:\n')),
      'mqtt.username',
      'got an empty value',
      'give it a value',
    );
  });

  it('the same account twice', () => {
    problemAt(
      failure(withAccount('', `  - email: Follower@example.com\n    password: ${SECRET}\n`)),
      'accounts[1].email',
      'same account as accounts[0]',
    );
  });

  it('an empty file and a file that is not a mapping', () => {
    expect(failure('').message).toContain('the configuration is empty');
    expect(failure('- a\n- b\n').message).toContain('must be a group of keys');
  });

  it('lists every problem at once, in file order, each with a line', () => {
    const e = failure(withAccount('poll:\n  interval: -1\nlog_level: loud\n', '    region: mars\n'));
    expect(e.problems.map((p) => p.path)).toEqual(['accounts[0].region', 'poll.interval', 'log_level']);
    expect(e.problems.map((p) => p.line)).toEqual([4, 6, 7]);
    expect(e.message).toContain('3 problems.');
    expect(e.message.split('\n').slice(1, 4)).toEqual(e.problems.map((p) => `  - ${formatProblem(p)}`));
  });
});

describe('secrets never appear in errors', () => {
  it('password of the wrong type: a mapping, a number, a list', () => {
    for (const value of [`{ value: "${SECRET}" }`, '123456789', `[ "${SECRET}" ]`]) {
      const e = failure(withAccount().replace(SECRET, value));
      problemAt(e, 'accounts[0].password', 'must be text', 'in quotes');
      expect(e.message).not.toContain('123456789');
    }
  });

  it('an empty password or a secret from the environment at a bad place', () => {
    problemAt(failure(withAccount().replace(SECRET, '""')), 'accounts[0].password', 'must not be empty');
    const e = failure(withAccount('mqtt:\n  url: ${MQTT_PASSWORD}\n'), { MQTT_PASSWORD: SECRET });
    problemAt(e, 'mqtt.url', 'must be a broker URL');
    expect(e.message).not.toContain('got');
  });

  it('mqtt.password with the wrong type or an unknown key holding the password', () => {
    const e = failure(withAccount(`mqtt:\n  password: { a: "${SECRET}" }\n  passwort: "${SECRET}"\n`));
    problemAt(e, 'mqtt.password', 'must be text');
    problemAt(e, 'mqtt.passwort', 'did you mean "password"?');
  });

  it('a URL carrying the password', () => {
    const e = failure(withAccount(`mqtt:\n  url: http://user:${SECRET}@broker\n`));
    problemAt(e, 'mqtt.url', 'http://***@broker');
  });
});
