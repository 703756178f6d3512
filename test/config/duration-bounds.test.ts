// Every duration in the config has an upper bound in the schema, so no configured time can
// overflow a timer; check-config and start refuse a larger one with exit 2 naming the key.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, EXIT_USAGE, main } from '../../src/cli.js';
import { genericPath } from '../../src/config/paths.js';
import { schemaEntries } from '../../src/config/schema.js';
import { MAX_TIMER_DELAY_MS } from '../../src/timers.js';

const DURATION = /\b(seconds?|minutes?|hours?|days?)\b/i;
const UNIT_MS: Record<string, number> = { second: 1e3, minute: 6e4, hour: 3.6e6, day: 8.64e7 };

function run(args: string[], config: string) {
  const dir = mkdtempSync(join(tmpdir(), 'llu-bounds-'));
  writeFileSync(join(dir, 'config.yaml'), config);
  const err: string[] = [];
  const out: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
    cwd: dir,
    stopSignal: new Promise(() => {}),
  };
  return { done: main(args, io), text: () => out.join('') + err.join('') };
}

const account = 'accounts:\n  - email: a@example.com\n    password: "pw-123456"\n';

describe('duration bounds', () => {
  const durations = schemaEntries().filter(
    (e) => (e.node.type === 'number' || e.node.type === 'integer') && DURATION.test(e.node.description ?? ''),
  );

  it('finds the durations of the schema', () => {
    expect(durations.map((e) => genericPath(e.segments))).toEqual(
      expect.arrayContaining(['poll.interval', 'poll.min_interval', 'poll.timeout']),
    );
  });

  // The maximum is documented in the generated configuration reference (its Type column).
  it.each(durations.map((e) => [genericPath(e.segments), e] as const))(
    '%s has a maximum (and a poll time fits a timer)',
    (_name, entry) => {
      const { node } = entry;
      expect(node.maximum, `${genericPath(entry.segments)} needs a maximum`).toBeTypeOf('number');
      const unit = /\b(second|minute|hour|day)s?\b/i.exec(node.description ?? '')![1]!.toLowerCase();
      // sensor_days is a calendar span, never a timer; every poll time is waited for.
      if (entry.segments[0] === 'poll') {
        expect(node.maximum! * UNIT_MS[unit]!).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
      }
    },
  );

  it.each([
    ['check-config', 'interval', 3_000_000],
    ['start', 'interval', 3_000_000],
    ['check-config', 'min_interval', 2_200_000],
    ['check-config', 'timeout', 2_200_000],
  ])('%s refuses poll.%s: %d with exit 2 naming the key', async (command, key, value) => {
    const r = run([command], `${account}poll:\n  ${key}: ${value}\n`);
    expect(await r.done).toBe(EXIT_USAGE);
    expect(r.text()).toMatch(new RegExp(`poll\\.${key}: must be at most \\d+, got ${value}`));
  });
});

describe('topic prefix bounds', () => {
  it.each(['base_topic', 'discovery_prefix'])(
    'refuses an mqtt.%s longer than 100 characters, naming the key',
    async (key) => {
      const r = run(['check-config'], `${account}mqtt:\n  ${key}: ${'t'.repeat(101)}\n`);
      expect(await r.done).toBe(EXIT_USAGE);
      expect(r.text()).toContain(`mqtt.${key}: is longer than 100 characters`);
    },
  );
});
