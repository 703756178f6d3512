import { describe, expect, it } from 'vitest';
import { AddonError } from '../src/addon/options.js';
import { ConfigError } from '../src/config/errors.js';
import { EXIT_BY_KIND, EXIT_FATAL, EXIT_USAGE, exitFor, UsageError } from '../src/exit-codes.js';
import { HttpListenError } from '../src/http/server.js';
import { LluError } from '../src/librelinkup/errors.js';
import { BrokerError } from '../src/mqtt/broker.js';
import { MqttRefusedError } from '../src/mqtt/client.js';

describe('exit code by error kind', () => {
  it('a bad config exits 2 with its message as is (it names the file itself)', () => {
    const e = new ConfigError('invalid', [{ path: 'accounts', message: 'is required', fix: 'add one' }], {
      source: 'c.yaml',
    });
    expect(exitFor(e)).toEqual({ code: EXIT_USAGE, text: `${e.message}\n` });
    expect(exitFor(new ConfigError('file', [], { source: 'x' })).code).toBe(2);
    expect(exitFor(new ConfigError('yaml', [], { source: 'x' })).code).toBe(2);
  });

  it('bad arguments and bad add-on options exit 2 after the program name', () => {
    expect(exitFor(new UsageError('--port must be a port number'))).toEqual({
      code: 2,
      text: 'librelinkup2mqtt: --port must be a port number\n',
    });
    expect(exitFor(new AddonError('options_missing', 'no options.json'))).toEqual({
      code: 2,
      text: 'librelinkup2mqtt: no options.json\n',
    });
    expect(exitFor(new AddonError('options_invalid', 'x')).code).toBe(2);
  });

  it('an add-on error from another copy of the module (no shared class) still exits 2', () => {
    const foreign = Object.assign(new Error('add-on option accounts is empty'), {
      name: 'AddonError',
      kind: 'options_invalid',
    });
    expect(exitFor(foreign)).toEqual({
      code: 2,
      text: 'librelinkup2mqtt: add-on option accounts is empty\n',
    });
  });

  it('broker, MQTT refusal, HTTP listener, LibreLinkUp and plain errors are fatal (1) with the stack', () => {
    const fatal = [
      new BrokerError('port 1883 is in use'),
      new MqttRefusedError('refused', 5),
      new HttpListenError('HTTP listener could not start'),
      new LluError('internal', 'bug'),
      new TypeError('x is undefined'),
    ];
    for (const e of fatal) {
      const exit = exitFor(e);
      expect(exit.code, e.name).toBe(EXIT_FATAL);
      expect(exit.text, e.name).toBe(`librelinkup2mqtt: fatal: ${e.stack}\n`);
    }
    expect(exitFor('a string').code).toBe(EXIT_FATAL);
  });

  it('the table holds only the codes of the help text: 2 for config/arguments, 1 otherwise', () => {
    const codes = new Set(Object.values(EXIT_BY_KIND).map((r) => r.code));
    expect([...codes].sort()).toEqual([1, 2]);
  });
});
