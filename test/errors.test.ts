import { describe, expect, it } from 'vitest';
import { AddonError } from '../src/addon/options.js';
import { ConfigError, isConfigError } from '../src/config/errors.js';
import { AppError, isAppError } from '../src/errors.js';
import { UsageError } from '../src/exit-codes.js';
import { HttpListenError } from '../src/http/server.js';
import { isLluError, LluError } from '../src/librelinkup/errors.js';
import { BrokerError } from '../src/mqtt/broker.js';
import { MqttRefusedError } from '../src/mqtt/client.js';

describe('one error base', () => {
  const cause = new Error('ECONNRESET');
  const all: [AppError, string, string][] = [
    [new LluError('network', 'm', { cause }), 'LluError', 'network'],
    [new ConfigError('file', [], { source: 'c.yaml', cause }), 'ConfigError', 'file'],
    [new AddonError('options_invalid', 'm', { cause }), 'AddonError', 'options_invalid'],
    [new BrokerError('m', { cause }), 'BrokerError', 'broker'],
    [new HttpListenError('m', { cause }), 'HttpListenError', 'http_listen'],
    [new MqttRefusedError('m', 5), 'MqttRefusedError', 'mqtt_refused'],
    [new UsageError('m'), 'UsageError', 'usage'],
  ];

  it('every error class extends AppError with its name, kind and cause', () => {
    for (const [e, name, kind] of all) {
      expect(e, name).toBeInstanceOf(AppError);
      expect(isAppError(e), name).toBe(true);
      expect(e.name).toBe(name);
      expect(e.kind, name).toBe(kind);
      if (name !== 'MqttRefusedError' && name !== 'UsageError') expect(e.cause, name).toBe(cause);
      expect(e.stack, name).toContain(name);
    }
  });

  it('no cause given: no cause property', () => {
    expect('cause' in new LluError('server', 'm')).toBe(false);
  });

  it('isLluError and isConfigError recognise errors from another copy of the module by name', () => {
    const llu = Object.assign(new Error('m'), { name: 'LluError', kind: 'server' });
    const config = Object.assign(new Error('m'), { name: 'ConfigError', kind: 'invalid' });
    expect(isLluError(llu)).toBe(true);
    expect(isConfigError(config)).toBe(true);
    expect(isAppError(llu)).toBe(true);
    expect(isLluError(config)).toBe(false);
    expect(isConfigError(llu)).toBe(false);
    expect(isAppError(new Error('plain'))).toBe(false);
  });
});
