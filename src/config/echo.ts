// Whether, and how, a value written in the config may be quoted back in a message. Values at
// secret keys, values taken from secret-looking environment variables, and anything below a key
// that smells of a secret are never shown; URLs lose their user:password part.

import { formatPath, type Segment } from './paths.js';
import { isSecretPath } from './schema.js';

const SECRET_KEY = /pass|secret|token|credential/i;
const MAX_SHOWN = 60;

export function mayEcho(segments: readonly Segment[], tainted: ReadonlySet<string>): boolean {
  if (isSecretPath(segments)) return false;
  if (segments.some((s) => typeof s === 'string' && SECRET_KEY.test(s))) return false;
  const path = formatPath(segments);
  for (const t of tainted)
    if (path === t || path.startsWith(`${t}.`) || path.startsWith(`${t}[`)) return false;
  return true;
}

/** `"mars"`, `-5`, `true`; null when the value must not be shown or is not a scalar. */
export function describeValue(
  value: unknown,
  segments: readonly Segment[],
  tainted: ReadonlySet<string>,
): string | null {
  if (!mayEcho(segments, tainted)) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return null;
  const clean = withoutUserInfo(value);
  const short = clean.length > MAX_SHOWN ? `${clean.slice(0, MAX_SHOWN)}…` : clean;
  return JSON.stringify(short);
}

/** `mqtt://user:pw@host` → `mqtt://***@host`: a URL may carry a password. */
export function withoutUserInfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
}
