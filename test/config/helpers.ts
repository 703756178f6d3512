import { expect } from 'vitest';
import { ConfigError, type ConfigProblem } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/load.js';

export const SECRET = 'S3cr3t-Pa55!';
export const ENV = { LLU_PASSWORD: SECRET } as const;

/** A minimal valid file with `extra` appended (top-level keys). */
export function withAccount(extra = '', account = ''): string {
  return `accounts:\n  - email: follower@example.com\n    password: ${SECRET}\n${account}${extra}`;
}

/** Parses `text`, expecting a ConfigError; asserts no secret is in it, and returns it. */
export function failure(
  text: string,
  env: NodeJS.ProcessEnv = ENV,
  source = '/etc/llu/config.yaml',
): ConfigError {
  let error: unknown;
  try {
    parseConfig(text, env, source);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const e = error as ConfigError;
  expect(e.message).not.toContain(SECRET);
  expect(JSON.stringify(e.problems)).not.toContain(SECRET);
  return e;
}

/** The problem at exactly `path`, whose text contains every fragment. */
export function problemAt(error: ConfigError, path: string, ...fragments: string[]): ConfigProblem {
  const atPath = error.problems.filter((p) => p.path === path);
  expect(
    atPath.map((p) => p.path),
    `problems: ${error.message}`,
  ).toContain(path);
  const text = atPath.map((p) => `${p.message} (${p.fix})`).join('\n');
  for (const f of fragments) expect(text).toContain(f);
  for (const p of atPath) expect(error.message).toContain(`${path}: ${p.message}`);
  return atPath[0]!;
}
