import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, EXIT_OK, EXIT_USAGE, main } from '../src/cli.js';
import { packageVersion } from '../src/version.js';

const SECRET = 'S3cr3t-Pa55!';

function io(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env,
    cwd,
    stopSignal: new Promise(() => {}),
  };
  return { value, out: () => out.join(''), err: () => err.join('') };
}

function dirWith(config?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'llu-cli-'));
  if (config !== undefined) writeFileSync(join(dir, 'config.yaml'), config);
  return dir;
}

const valid = `accounts:\n  - email: a@example.com\n    password: "${SECRET}"\n`;

describe('cli', () => {
  it('prints the version and help', async () => {
    const a = io(dirWith());
    expect(await main(['--version'], a.value)).toBe(EXIT_OK);
    expect(a.out().trim()).toBe(packageVersion());
    const b = io(dirWith());
    expect(await main(['--help'], b.value)).toBe(EXIT_OK);
    expect(b.out()).toContain('Not a medical device');
    expect(b.out()).toContain('--config');
  });

  it('exits 2 on unknown options and commands', async () => {
    const a = io(dirWith());
    expect(await main(['--bogus'], a.value)).toBe(EXIT_USAGE);
    expect(a.err()).toContain('--bogus');
    const b = io(dirWith());
    expect(await main(['frobnicate'], b.value)).toBe(EXIT_USAGE);
    expect(b.err()).toContain('unknown command "frobnicate"');
    const c = io(dirWith());
    expect(await main(['demo', '--port', 'abc'], c.value)).toBe(EXIT_USAGE);
    expect(c.err()).toContain('--port');
  });

  it('documents --fast and refuses it for anything but the demo (a real account keeps real time)', async () => {
    const help = io(dirWith());
    expect(await main(['--help'], help.value)).toBe(EXIT_OK);
    expect(help.out()).toMatch(/--fast +demo: time runs 12x faster/);
    for (const args of [
      ['run', '--fast'],
      ['check-config', '--fast'],
      ['start', '--fast'],
      ['addon', '--fast'],
    ]) {
      const a = io(dirWith(valid));
      expect(await main(args, a.value), args.join(' ')).toBe(EXIT_USAGE);
      expect(a.err()).toContain('--fast only applies to the demo');
    }
    expect(Math.abs(Date.now() - performance.timeOrigin - performance.now())).toBeLessThan(1_000);
  });

  it('validates a config with check-config', async () => {
    const a = io(dirWith(valid));
    expect(await main(['check-config'], a.value)).toBe(EXIT_OK);
    expect(a.out()).toContain('valid');
    expect(a.out() + a.err()).not.toContain(SECRET);
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['missing accounts', 'mqtt:\n  base_topic: x\n', /accounts/],
    ['empty accounts', 'accounts: []\n', /accounts/],
    ['email wrong type', `accounts:\n  - email: 42\n    password: "${SECRET}"\n`, /accounts\[0\]\.email/],
    ['unknown top-level key', `${valid}mqt:\n  url: mqtt://x\n`, /mqt/],
    ['unknown nested key', `accounts:\n  - email: a@example.com\n    pasword: "${SECRET}"\n`, /pasword/],
    ['negative interval', `${valid}poll:\n  interval: -5\n`, /poll\.interval/],
    ['bad MQTT URL', `${valid}mqtt:\n  url: localhost:1883\n`, /mqtt\.url/],
    ['invalid YAML', 'accounts:\n  - email: [unclosed\n', /line/i],
    [
      'bare-number threshold',
      `${valid}    patients:\n      - match: Anna Smith\n        target_low: 70\n`,
      /target_low/,
    ],
    [
      'missing environment variable',
      'accounts:\n  - email: a@example.com\n    password: ${LLU_NOPE}\n',
      /LLU_NOPE/,
    ],
  ];

  it.each(invalid)(
    'exits 2 for %s, naming the problem and never the password',
    async (_name, text, pattern) => {
      const a = io(dirWith(text));
      expect(await main(['--config', 'config.yaml'], a.value)).toBe(EXIT_USAGE);
      expect(a.err()).toMatch(pattern);
      expect(a.err()).not.toContain(SECRET);
    },
  );

  it('exits 2 naming the path when the config file is missing', async () => {
    const dir = dirWith();
    const a = io(dir);
    expect(await main(['--config', 'nope.yaml'], a.value)).toBe(EXIT_USAGE);
    expect(a.err()).toContain(join(dir, 'nope.yaml'));
  });
});
