import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createLogger,
  ROTATING_SECRETS_KEPT,
  registerSecret,
  resolveLogFormat,
  scrubString,
} from '../src/log.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'trace', destination }) };
}

describe('logger redaction', () => {
  it('keeps passwords for ever but only the most recently used rotating tokens', () => {
    registerSecret('password-kept-forever');
    registerSecret('token-in-use-xyz', { rotating: true });
    for (let i = 0; i <= ROTATING_SECRETS_KEPT; i++) {
      registerSecret(`token-number-${i}-xyz`, { rotating: true });
      // A client re-registers its current token with every request: it never falls out.
      if (i % 1000 === 0) registerSecret('token-in-use-xyz', { rotating: true });
    }
    expect(scrubString('password-kept-forever')).toBe('[redacted]');
    expect(scrubString('token-in-use-xyz')).toBe('[redacted]');
    expect(scrubString(`token-number-${ROTATING_SECRETS_KEPT}-xyz`)).toBe('[redacted]');
    expect(scrubString('token-number-9-xyz')).toBe('[redacted]');
    // The least recently used token fell out of the bounded set.
    expect(scrubString('token-number-0-xyz')).toBe('token-number-0-xyz');
  });

  it('logs a DOMException (getter-only message) without throwing', () => {
    const { lines, logger } = capture();
    expect(() =>
      logger.warn({ err: new DOMException('The operation timed out.', 'TimeoutError') }, 'x'),
    ).not.toThrow();
    expect(lines[0]).toContain('The operation timed out.');
    expect(lines[0]).toContain('TimeoutError');
  });

  it('keeps the error class name while scrubbing its message and extra fields', () => {
    registerSecret('pw-in-error-77');
    class UpstreamFailure extends Error {
      override readonly name = 'UpstreamFailure';
      readonly kind = 'server';
      readonly password = 'field-secret';
    }
    const { lines, logger } = capture();
    logger.error({ err: new UpstreamFailure('failed with pw-in-error-77') }, 'poll failed');
    const line = JSON.parse(lines[0]!) as {
      err: { type: string; message: string; kind: string; password: string };
    };
    expect(line.err.type).toBe('UpstreamFailure');
    expect(line.err.kind).toBe('server');
    expect(line.err.message).not.toContain('pw-in-error-77');
    expect(line.err.password).toBe('[redacted]');
    expect(lines[0]).not.toContain('field-secret');
  });

  it('redacts secret keys anywhere in logged objects', () => {
    const { lines, logger } = capture();
    logger.debug(
      {
        password: 'hunter2-pw',
        nested: {
          token: 'tok-123456',
          headers: { authorization: 'Bearer abc.def.ghi', 'account-id': 'f00dbabe' },
        },
      },
      'request',
    );
    const text = lines.join('\n');
    for (const secret of ['hunter2-pw', 'tok-123456', 'abc.def.ghi', 'f00dbabe'])
      expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('scrubs registered secret values from messages, strings and errors', () => {
    registerSecret('S3cr3t-Pa55!');
    registerSecret('eyJ.token.value');
    const { lines, logger } = capture();
    logger.info('login with S3cr3t-Pa55! failed');
    logger.warn({ detail: 'token eyJ.token.value expired' }, 'x');
    logger.error({ err: new Error('server echoed S3cr3t-Pa55!') }, 'boom');
    logger.info('Authorization: Bearer unknown.jwt.value');
    const text = lines.join('\n');
    expect(text).not.toContain('S3cr3t-Pa55!');
    expect(text).not.toContain('eyJ.token.value');
    expect(text).not.toContain('unknown.jwt.value');
    expect(lines).toHaveLength(4);
  });

  it('leaves ordinary text alone', () => {
    expect(scrubString('new reading 112 mg/dL')).toBe('new reading 112 mg/dL');
  });
});

describe('pretty log lines', () => {
  function prettyCapture() {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination, format: 'pretty' });
    return { lines, logger };
  }

  it('writes one line per event: time, level, account and person first, then the message and fields', () => {
    const { lines, logger } = prettyCapture();
    logger
      .child({ account: 'm***@example.com' })
      .info({ patient: 'mum', mgdl: 104, trend: 'stable' }, 'new reading');
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    expect(line).toMatch(
      /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{3})?\] INFO: \[m\*\*\*@example\.com\] mum: new reading/,
    );
    expect(line).toContain('"mgdl":104');
    // Each key once: the account and the person are not repeated among the fields.
    expect(line.split('m***@example.com')).toHaveLength(2);
    expect(line).not.toContain('"patient"');
  });

  it('redacts secrets exactly as the JSON lines do', () => {
    const { lines, logger } = prettyCapture();
    registerSecret('pretty-secret-password-123');
    logger.warn(
      { password: 'x-y-z-1', token: 'abc.def.ghi', err: new Error('echo pretty-secret-password-123') },
      'login failed for pretty-secret-password-123',
    );
    const text = lines.join('\n');
    expect(text).not.toContain('pretty-secret-password-123');
    expect(text).not.toContain('x-y-z-1');
    expect(text).not.toContain('abc.def.ghi');
    expect(text).toContain('[redacted]');
  });
});

describe('resolveLogFormat', () => {
  it.each([
    ['auto', { isTTY: true, addon: false }, 'pretty'],
    ['auto', { isTTY: false, addon: true }, 'pretty'],
    ['auto', { isTTY: false, addon: false }, 'json'],
    [undefined, { isTTY: false, addon: false }, 'json'],
    ['json', { isTTY: true, addon: true }, 'json'],
    ['pretty', { isTTY: false, addon: false }, 'pretty'],
  ] as const)('%s on %j → %s', (setting, where, expected) => {
    expect(resolveLogFormat(setting, where)).toBe(expected);
  });
});
