// The path of a per-patient request. The id is percent-encoded, and an id that would still change
// the path (`.` and `..` are dot segments even when encoded, so URL parsing would climb out of
// /llu/connections/) is refused: a request is never sent to another endpoint than the one meant.

import { LluError } from './errors.js';
import { ID_MAX_CHARS } from './limits.js';

export function patientPath(patientId: string, endpoint: 'graph' | 'logbook'): string {
  // encodeURIComponent throws on a lone surrogate: such an id is refused like the others.
  let path = '';
  try {
    path = `/llu/connections/${encodeURIComponent(patientId)}/${endpoint}`;
  } catch {
    // refused below
  }
  const usable = path !== '' && new URL(path, 'http://x').pathname === path;
  if (patientId === '' || patientId.length > ID_MAX_CHARS || !usable) {
    throw new LluError(
      'malformed',
      `LibreLinkUp sent a patientId (${JSON.stringify(patientId.slice(0, 40))}) that cannot be used in a request path; ${endpoint} is not asked for this patient`,
      { endpoint },
    );
  }
  return path;
}
