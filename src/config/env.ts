// ${VAR} substitution on the parsed tree (never the raw text, so YAML quoting and escaping are
// unaffected). ${VAR:-fallback} uses the fallback when VAR is unset or empty; $${ is a literal ${.
// A value that is exactly one ${VAR} at a number or boolean key is converted, so `port: ${PORT}` works.

import type { ConfigProblem } from './errors.js';
import { formatPath, type Segment } from './paths.js';
import { isSecretPath, schemaAt } from './schema.js';

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{/g;
const WHOLE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$/;
/** Variable names that hold secrets whatever key they are used at. */
const SECRET_NAME = /pass|secret|token|key|auth|cred/i;

export interface Substituted {
  value: unknown;
  problems: ConfigProblem[];
  /** paths (formatted) whose value could not be resolved: other checks stay silent there */
  unresolved: Set<string>;
  /** paths whose value came (partly) from a secret-looking variable: never echoed */
  tainted: Set<string>;
  /** values taken from the environment into secret places, to scrub from any message */
  secrets: string[];
}

export function substituteEnv(tree: unknown, env: NodeJS.ProcessEnv): Substituted {
  const out: Substituted = {
    value: undefined,
    problems: [],
    unresolved: new Set(),
    tainted: new Set(),
    secrets: [],
  };
  out.value = walk(tree, [], env, out);
  return out;
}

function walk(value: unknown, at: Segment[], env: NodeJS.ProcessEnv, out: Substituted): unknown {
  if (typeof value === 'string') return substituteString(value, at, env, out);
  if (Array.isArray(value)) return value.map((v, i) => walk(v, [...at, i], env, out));
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = walk(v, [...at, k], env, out);
    return copy;
  }
  return value;
}

function substituteString(text: string, at: Segment[], env: NodeJS.ProcessEnv, out: Substituted): unknown {
  if (!text.includes('${')) return text;
  const path = formatPath(at);
  const secretKey = isSecretPath(at);
  let failed = false;
  const result = text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    if (name === undefined) {
      failed = true;
      out.problems.push({
        path,
        message: 'contains "${" that is not a complete ${VARIABLE} reference',
        fix: 'write ${NAME} with letters, digits and _ only, or $${ for a literal "${"',
      });
      return '';
    }
    const found = env[name];
    const value = found === undefined || (found === '' && fallback !== undefined) ? fallback : found;
    if (value === undefined) {
      failed = true;
      out.problems.push({
        path,
        message: `environment variable ${name} is not set`,
        fix: `set ${name} in the environment before starting, or write the value directly in the file`,
      });
      return '';
    }
    if (secretKey || SECRET_NAME.test(name)) {
      out.tainted.add(path);
      out.secrets.push(value);
    }
    return value;
  });
  if (failed) {
    out.unresolved.add(path);
    return result;
  }
  return WHOLE.test(text) ? coerce(result, at) : result;
}

/** A whole-value reference at a number or boolean key becomes that type (environment values are text). */
function coerce(value: string, at: Segment[]): unknown {
  const type = schemaAt(at)?.type;
  const trimmed = value.trim();
  if ((type === 'number' || type === 'integer') && /^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (type === 'boolean' && /^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true';
  return value;
}
