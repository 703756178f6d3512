// Config encoding and identity: a file that is not UTF-8 is refused naming the line; accounts are
// the same when e-mail (case-folded) and normalised login URL are; credentials in a URL are refused.
// Property tests: any bytes or text as the config → a Config or a ConfigError, never anything else.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CliIo, EXIT_USAGE, main } from '../../src/cli.js';
import { firstInvalidUtf8 } from '../../src/config/encoding.js';
import { isConfigError } from '../../src/config/errors.js';
import { normaliseUrl } from '../../src/config/identity.js';
import { parseConfig, parseConfigBytes, parseConfigObject } from '../../src/config/load.js';
import { ENV, failure, problemAt, SECRET, withAccount } from './helpers.js';

const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('config encoding', () => {
  it('refuses a file that is not UTF-8, naming line and column of the first bad byte', () => {
    const bytes = Buffer.concat([
      Buffer.from(withAccount()),
      latin1('poll:\n  interval: 60\nmqtt:\n  base_topic: café\n'),
    ]);
    let error: unknown;
    try {
      parseConfigBytes(bytes, ENV, '/etc/llu/config.yaml');
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toBe(
      [
        'Cannot read the configuration file /etc/llu/config.yaml:',
        '  - line 7, column 18: not valid UTF-8 text (byte 0xE9) (save the file as UTF-8 (in most editors: Save with encoding → UTF-8))',
      ].join('\n'),
    );
  });

  it('names UTF-16 files as such, and accepts UTF-8 with a BOM', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(withAccount(), 'utf16le')]);
    expect(() => parseConfigBytes(utf16, ENV)).toThrow(/line 1, column 1: .*looks like UTF-16/);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(withAccount())]);
    expect(parseConfigBytes(bom, ENV).accounts[0]!.email).toBe('follower@example.com');
  });

  it('finds the first invalid byte exactly where a strict decoder fails (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const at = firstInvalidUtf8(bytes);
        let valid = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          valid = false;
        }
        expect(at === -1).toBe(valid);
        if (at > 0)
          expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes.slice(0, at))).not.toThrow();
      }),
      { numRuns: 2_000 },
    );
  });

  it('check-config exits 2 on a Latin-1 file, naming the line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llu-enc-'));
    writeFileSync(
      join(dir, 'config.yaml'),
      latin1('accounts:\n  - email: jose@example.com\n    password: "Señor-pw"\n'),
    );
    const out: string[] = [];
    const io: CliIo = {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
      env: {},
      cwd: dir,
      stopSignal: new Promise(() => {}),
    };
    expect(await main(['check-config'], io)).toBe(EXIT_USAGE);
    expect(out.join('')).toContain('line 3, column 18: not valid UTF-8 text (byte 0xF1)');
    expect(out.join('')).not.toContain('or-pw');
  });
});

describe('account identity', () => {
  const twoAccounts = (a: { email: string; url?: string }, b: { email: string; url?: string }) =>
    [
      'accounts:',
      `  - email: ${JSON.stringify(a.email)}`,
      `    password: ${SECRET}`,
      ...(a.url ? [`    api_url: ${a.url}`] : []),
      `  - email: ${JSON.stringify(b.email)}`,
      `    password: ${SECRET}`,
      ...(b.url ? [`    api_url: ${b.url}`] : []),
      '',
    ].join('\n');

  it.each([
    [{ email: 'Follower@Example.com' }, { email: 'follower@example.com' }],
    [{ email: 'a@example.com' }, { email: 'a@example.com', url: 'https://API.LibreView.io/' }],
    [{ email: 'a@example.com', url: 'https://api.libreview.io:443' }, { email: 'A@EXAMPLE.COM' }],
    [
      { email: 'a@example.com', url: 'http://127.0.0.1:8080/x/' },
      { email: 'a@example.com', url: 'HTTP://127.0.0.1:8080/x' },
    ],
  ])('%o and %o are the same account', (a, b) => {
    problemAt(failure(twoAccounts(a, b)), 'accounts[1].email', 'is the same account as accounts[0]');
  });

  it('different hosts or ports are different accounts', () => {
    expect(() =>
      parseConfig(
        twoAccounts(
          { email: 'a@example.com' },
          { email: 'a@example.com', url: 'https://api.libreview.io:8443' },
        ),
        ENV,
      ),
    ).not.toThrow();
  });

  it('detects every variant that differs only by case or trailing slashes (property)', () => {
    const flipCase = (s: string, mask: boolean[]) =>
      [...s].map((c, i) => (mask[i % mask.length] ? c.toUpperCase() : c.toLowerCase())).join('');
    fc.assert(
      fc.property(
        fc.emailAddress(),
        fc.constantFrom(
          'https://api.libreview.io',
          'https://api-eu.libreview.io',
          'http://127.0.0.1:8080/sim',
        ),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.nat(3),
        (email, url, m1, m2, slashes) => {
          const hostCased = url.replace(/\/\/([^/]+)/, (_, host: string) => `//${flipCase(host, m2)}`);
          const text = twoAccounts(
            { email, url },
            { email: ` ${flipCase(email, m1)}`, url: `${hostCased}${'/'.repeat(slashes)}` },
          );
          const e = failure(text);
          expect(e.problems.map((p) => p.path)).toContain('accounts[1].email');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('normalises URLs: host case, default port and trailing slash', () => {
    expect(normaliseUrl('HTTPS://API.libreview.io:443/')).toBe('https://api.libreview.io');
    expect(normaliseUrl(undefined)).toBe('https://api.libreview.io');
    expect(normaliseUrl('http://h:80/a//')).toBe('http://h/a');
    expect(normaliseUrl('http://h:8080/a')).toBe('http://h:8080/a');
  });
});

describe('credentials in URLs', () => {
  it.each(['api_url', 'region_url'])('refuses user:pass@ in %s by name, without echoing it', (key) => {
    const url =
      key === 'api_url'
        ? 'https://me%40x.com:Hunter2-pw@api.libreview.io'
        : 'https://me:Hunter2-pw@api-{region}.libreview.io';
    const e = failure(withAccount('', `    ${key}: ${url}\n`));
    problemAt(
      e,
      `accounts[0].${key}`,
      'must not contain a user name or password (user:pass@)',
      'email and password keys',
    );
    expect(e.message).not.toContain('Hunter2-pw');
  });

  it('the add-on path gets the same checks', () => {
    expect(() =>
      parseConfigObject(
        {
          accounts: [
            { email: 'a@example.com', password: SECRET, api_url: 'https://u:p4ssw0rd@api.libreview.io' },
          ],
        },
        ENV,
      ),
    ).toThrow(/accounts\[0\]\.api_url: must not contain a user name or password/);
  });
});

describe('any config input (property)', () => {
  const outcome = (fn: () => unknown) => {
    try {
      fn();
      return 'config';
    } catch (e) {
      if (isConfigError(e) && (e as Error).message.length > 0) return 'config error';
      throw e;
    }
  };

  it('arbitrary text → a Config or a ConfigError, never another exception', () => {
    const yamlish = fc.stringMatching(/^[a-z_:\- \n"'{}[\]#&*!|>%@`0-9.$]{0,80}$/);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          yamlish,
          yamlish.map((t) => withAccount(t)),
        ),
        (text) => {
          expect(['config', 'config error']).toContain(outcome(() => parseConfig(text, ENV)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes → a Config or a ConfigError, never another exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.concat([Buffer.from(withAccount()), b])),
        ),
        (bytes) => {
          expect(['config', 'config error']).toContain(outcome(() => parseConfigBytes(bytes, ENV)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('arbitrary values at account keys → a Config or a ConfigError (the add-on path)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('email', 'password', 'api_url', 'region_url', 'region', 'patients'),
          fc.anything(),
        ),
        (account) => {
          expect(['config', 'config error']).toContain(
            outcome(() => parseConfigObject({ accounts: [account] }, ENV)),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
