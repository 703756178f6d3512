// The one error the config loader throws. Its message is complete on its own (the CLI prints it
// as is and exits 2): which file, then every problem as `path: what is wrong (how to fix it)`.
// Values of secret keys are never part of it.

import { AppError } from '../errors.js';

export interface ConfigProblem {
  /** where, like `accounts[0].email`; '' for the file as a whole */
  path: string;
  /** what is wrong */
  message: string;
  /** how to fix it */
  fix: string;
  /** 1-based line in the YAML file, when known */
  line?: number;
}

export type ConfigErrorKind = 'file' | 'yaml' | 'invalid';

const MIN_SECRET_LENGTH = 4;

export class ConfigError extends AppError<ConfigErrorKind> {
  override readonly name = 'ConfigError';
  readonly problems: ConfigProblem[];
  /** the file or source the problems are in */
  readonly source: string | undefined;

  constructor(
    kind: ConfigErrorKind,
    problems: ConfigProblem[],
    options: { source?: string | undefined; secrets?: Iterable<string>; cause?: unknown } = {},
  ) {
    const clean = scrubProblems(problems, options.secrets ?? []);
    super(kind, formatConfigError(kind, clean, options.source), { cause: options.cause });
    this.problems = clean;
    this.source = options.source;
  }
}

export function isConfigError(value: unknown): value is ConfigError {
  return value instanceof ConfigError || (value instanceof Error && value.name === 'ConfigError');
}

/** One problem as a line: `accounts[0].pasword: unknown key "pasword" (remove it ...)`. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.path === '' ? '' : `${p.path}: `;
  const fix = p.fix === '' ? '' : ` (${p.fix})`;
  const line = p.line === undefined ? '' : ` [line ${p.line}]`;
  return `${where}${p.message}${fix}${line}`;
}

function heading(kind: ConfigErrorKind, source: string | undefined): string {
  const where = source === undefined ? '' : ` ${source}`;
  switch (kind) {
    case 'file':
      return `Cannot read the configuration file${where}:`;
    case 'yaml':
      return `Invalid configuration in${where || ' the configuration'}: not valid YAML:`;
    case 'invalid':
      return `Invalid configuration in${where || ' the configuration'}:`;
  }
}

export function formatConfigError(
  kind: ConfigErrorKind,
  problems: readonly ConfigProblem[],
  source: string | undefined,
): string {
  const lines = [heading(kind, source), ...problems.map((p) => `  - ${formatProblem(p)}`)];
  if (kind === 'invalid') {
    const n = problems.length;
    lines.push(
      `${n} problem${n === 1 ? '' : 's'}. Every key is described in config.example.yaml and in the README's configuration reference.`,
    );
  }
  return lines.join('\n');
}

/** Last line of defence: no secret value survives in any text, whatever check produced it. */
function scrubProblems(problems: ConfigProblem[], secrets: Iterable<string>): ConfigProblem[] {
  const list = [...new Set(secrets)]
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  if (list.length === 0) return problems;
  const scrub = (text: string) => list.reduce((t, s) => t.split(s).join('***'), text);
  return problems.map((p) => ({ ...p, path: scrub(p.path), message: scrub(p.message), fix: scrub(p.fix) }));
}
