import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { configFrom } from '../../src/config/from-partial.js';
import { parseConfig } from '../../src/config/load.js';

const account = { email: 'follower@example.com', password: 'pw-123' };

describe('configFrom', () => {
  it('fills in exactly the defaults the loader fills in for a file', () => {
    const fromFile = parseConfig(
      'accounts:\n  - email: follower@example.com\n    password: pw-123\n    patients:\n      - id: p1\n' +
        '        target_low: 3.9 mmol/L\npoll:\n  interval: 30\n',
      {},
    );
    const config = configFrom({
      accounts: [{ ...account, patients: [{ id: 'p1', target_low: '3.9 mmol/L' }] }],
      poll: { interval: 30 },
    });
    expect(config).toEqual(fromFile);
    expect(config.mqtt.client_id).toBe('librelinkup2mqtt');
    expect(config.poll).toEqual({ interval: 30, min_interval: 10, timeout: 20, freshness: 'balanced' });
    expect(config.accounts[0]!.patients![0]!.target_low).toEqual({ mgdl: 70.2, text: '3.9 mmol/L' });
  });

  it('refuses what the loader refuses, naming the key', () => {
    const refuse = () => configFrom({ accounts: [account], poll: { interval: 5, min_interval: 10 } });
    expect(refuse).toThrow(ConfigError);
    expect(refuse).toThrow(/poll\.min_interval/);
    expect(() => configFrom({ accounts: [{ ...account, region: 'mars' as 'eu' }] })).toThrow(
      /accounts\[0\]\.region: must be one of: auto, us/,
    );
  });

  it('leaves its input alone and hands back a copy the caller may change', () => {
    const partial = { accounts: [account], mqtt: { base_topic: 'glucose' } };
    const config = configFrom(partial);
    expect(partial).toEqual({ accounts: [account], mqtt: { base_topic: 'glucose' } });
    config.accounts[0]!.patients = [{ id: 'p2' }];
    expect(config.accounts[0]!.patients).toEqual([{ id: 'p2' }]);
    expect(configFrom(partial)).not.toBe(configFrom(partial));
  });
});
