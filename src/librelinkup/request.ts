// One request of the client as it is sent, and what an authenticated answer means before it is
// parsed: a refused session (log in again once), or a status other than data.

import { policyOf } from './error-policy.js';
import { isLluError, LluError } from './errors.js';
import { matches } from './schemas.js';

export type SendRequest = {
  endpoint: string;
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  token?: string;
  accountIdHash?: string;
};

export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

/** The session was refused: one fresh login may help (error-policy.ts `endsSession`). */
export function needsRelogin(err: unknown): err is LluError {
  return isLluError(err) && policyOf(err.kind).endsSession;
}

/** status 0 is data; on graph/logbook status 4 means the patient is unknown (or on another region). */
export function checkStatus(body: unknown, endpoint: string): void {
  if (!matches('envelope', body) || body.status === 0) return;
  if (body.status === 4 && (endpoint === 'graph' || endpoint === 'logbook')) {
    throw new LluError(
      'patient_not_found',
      `LibreLinkUp could not load the patient on ${endpoint} (status 4, couldNotLoadPatient)`,
      { endpoint },
    );
  }
  throw new LluError('malformed', `LibreLinkUp ${endpoint} answered an unknown status ${body.status}`, {
    endpoint,
  });
}
