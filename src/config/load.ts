// Config file → validated, frozen Config. Pipeline: read → YAML → ${VAR} → schema (defaults
// filled in) → rules across keys → thresholds to mg/dL → deep freeze. Every problem found is
// reported at once in one ConfigError; no value of a secret key is ever part of it.

import { readFileSync } from 'node:fs';
import { customChecks } from './checks.js';
import { decodeConfigBytes } from './encoding.js';
import { substituteEnv } from './env.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { urlCredentials } from './identity.js';
import { formatPath, type Segment } from './paths.js';
import { isSecretPath } from './schema.js';
import { parseThreshold } from './thresholds.js';
import type { Config } from './types.js';
import { type LocatedProblem, validateSchema } from './validate.js';
import { parseYaml } from './yaml.js';

export { configWarnings } from './warnings.js';

const CREATE_HINT =
  'create it: copy config.example.yaml to that path and fill in your LibreLinkUp account, ' +
  'or try the bridge without an account: librelinkup2mqtt demo';

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw fileError(path, error);
  }
  return parseConfigBytes(bytes, env, path);
}

/** The bytes of a config file → Config; they must be UTF-8. */
export function parseConfigBytes(
  bytes: Uint8Array,
  env: NodeJS.ProcessEnv = process.env,
  sourceName?: string,
): Config {
  return parseConfig(decodeConfigBytes(bytes, sourceName), env, sourceName);
}

/** YAML text → Config. `sourceName` (a path) is named in messages. */
export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env, sourceName?: string): Config {
  const parsed = parseYaml(text, sourceName);
  return build(parsed.value, env, sourceName, parsed.lineOf, parsed.rawSecrets);
}

/** An already-parsed object (e.g. the add-on's options.json, mapped) → Config; same checks as a file. */
export function parseConfigObject(
  value: unknown,
  env: NodeJS.ProcessEnv = process.env,
  sourceName?: string,
): Config {
  return build(value, env, sourceName, () => undefined, []);
}

function fileError(path: string, error: unknown): ConfigError {
  const code = (error as NodeJS.ErrnoException).code;
  const problem: ConfigProblem =
    code === 'ENOENT'
      ? { path: '', message: `${path} does not exist`, fix: CREATE_HINT }
      : code === 'EISDIR'
        ? {
            path: '',
            message: `${path} is a directory, not a file`,
            fix: 'give the path of the YAML file itself',
          }
        : code === 'EACCES' || code === 'EPERM'
          ? {
              path: '',
              message: `${path} cannot be read (permission denied)`,
              fix: 'let the user running the bridge read it',
            }
          : {
              path: '',
              message: `${path} cannot be read (${code ?? (error as Error).message})`,
              fix: CREATE_HINT,
            };
  return new ConfigError('file', [problem], { source: path, cause: error });
}

function build(
  raw: unknown,
  env: NodeJS.ProcessEnv,
  source: string | undefined,
  lineOf: (segments: readonly Segment[]) => number | undefined,
  rawSecrets: string[],
): Config {
  if (raw === null || raw === undefined) {
    throw new ConfigError(
      'invalid',
      [{ path: '', message: 'the configuration is empty', fix: 'start from config.example.yaml' }],
      { source },
    );
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      'invalid',
      [
        {
          path: '',
          message: 'must be a group of keys (accounts:, mqtt:, ...)',
          fix: 'start from config.example.yaml',
        },
      ],
      { source },
    );
  }
  const sub = substituteEnv(raw, env);
  const secrets = [...rawSecrets, ...sub.secrets, ...secretValues(sub.value, []), ...urlSecrets(sub.value)];
  const blocked = (segments: Segment[]) => {
    const path = formatPath(segments);
    for (const u of sub.unresolved)
      if (path === u || path.startsWith(`${u}.`) || path.startsWith(`${u}[`)) return true;
    return false;
  };
  const schemaProblems = validateSchema(sub.value, sub.tainted).filter((p) => !blocked(p.segments));
  const taken = new Set(schemaProblems.map((p) => p.path));
  const hasProblem = (segments: Segment[]) => blocked(segments) || taken.has(formatPath(segments));
  const problems: LocatedProblem[] = [
    ...sub.problems.map((p) => ({ ...p, segments: segmentsOf(p.path) })),
    ...schemaProblems,
    ...customChecks(sub.value, sub.tainted, hasProblem),
  ];
  if (problems.length > 0) {
    const withLines = problems
      .map(({ segments, ...p }): ConfigProblem => {
        const line = lineOf(segments);
        return line === undefined ? p : { ...p, line };
      })
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new ConfigError('invalid', withLines, { source, secrets });
  }
  return deepFreeze(normalise(sub.value as Record<string, unknown>));
}

function segmentsOf(path: string): Segment[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/** Every string at a secret key, to scrub from messages. */
function secretValues(value: unknown, at: Segment[]): string[] {
  if (typeof value === 'string') return isSecretPath(at) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => secretValues(v, [...at, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      /pass|secret|token/i.test(k) && typeof v === 'string' ? [v] : secretValues(v, [...at, k]),
    );
  }
  return [];
}

/** `user:pass@` written into an account URL, to scrub from messages (the URL is refused by name). */
function urlSecrets(data: unknown): string[] {
  const accounts = (data as { accounts?: unknown } | null)?.accounts;
  if (!Array.isArray(accounts)) return [];
  return accounts.flatMap((a) =>
    ['api_url', 'region_url'].flatMap((key) => {
      const v = (a as Record<string, unknown> | null)?.[key];
      const creds = typeof v === 'string' ? urlCredentials(v) : '';
      return creds === '' ? [] : [creds, creds.slice(creds.indexOf(':') + 1)];
    }),
  );
}

/** Thresholds become {mgdl, text}; everything else is already in its final shape. */
function normalise(data: Record<string, unknown>): Config {
  for (const account of data.accounts as Array<Record<string, unknown>>) {
    for (const patient of (account.patients as Array<Record<string, unknown>> | undefined) ?? []) {
      for (const key of ['target_low', 'target_high', 'urgent_low']) {
        if (typeof patient[key] === 'string') patient[key] = parseThreshold(patient[key] as string);
      }
    }
  }
  return data as unknown as Config;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
