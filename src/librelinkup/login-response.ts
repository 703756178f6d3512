// What a login (or /auth/continue) answer means. Pure: body in, outcome out, or an LluError for
// the answers that end the attempt. Status 4 means "step required" here, unlike on graph/logbook.

import { safeText } from '../log.js';
import { LluError } from './errors.js';
import type { GlucoseUnit } from './model.js';
import { expectShape, matches } from './schemas.js';
import { isHeaderSafeToken } from './tokens.js';

export type LoginOutcome =
  | { kind: 'success'; token: string; expiresAt: number; userId: string; userUnit: GlucoseUnit | null }
  | { kind: 'redirect'; region: string }
  | { kind: 'step'; step: string; token: string; expiresAt: number };

/** Steps the bridge may complete itself when accept_terms is on; verifyEmail needs a human. */
export const ACCEPTABLE_STEPS: readonly string[] = ['tou', 'pp'];

export function stepInstruction(step: string): string {
  switch (step) {
    case 'tou':
      return 'open the LibreLinkUp app and accept the terms of use';
    case 'pp':
      return 'open the LibreLinkUp app and accept the privacy policy';
    case 'verifyEmail':
      return 'open the LibreLinkUp app and verify the e-mail address (link in the e-mail from Abbott)';
    default:
      return `open the LibreLinkUp app and complete the "${safeText(step, 30)}" step`;
  }
}

export function termsError(
  step: string,
  endpoint: string,
  why = 'LibreLinkUp needs an action in the app',
): LluError {
  return new LluError('terms', `${why}: ${stepInstruction(step)}, then the bridge retries`, {
    step,
    endpoint,
  });
}

export function badCredentialsError(endpoint: string): LluError {
  return new LluError(
    'bad_credentials',
    'LibreLinkUp rejected the e-mail or password (status 2). Use the credentials of the LibreLinkUp ' +
      '(follower) app, not those of the LibreLink (patient) app.',
    { endpoint },
  );
}

function unitOf(uom: string | null | undefined): GlucoseUnit | null {
  if (uom === '1') return 'mg/dL';
  if (uom === '0') return 'mmol/L';
  return null;
}

/** A token we could not send back would fail every later request as if the network were down. */
function usableToken(token: string, endpoint: string): string {
  if (isHeaderSafeToken(token)) return token;
  throw new LluError(
    'malformed',
    `LibreLinkUp ${endpoint} answered a token that cannot be sent as an HTTP header (${token.length} characters)`,
    { endpoint },
  );
}

export function interpretLogin(body: unknown, endpoint = 'login'): LoginOutcome {
  const { status } = expectShape('envelope', body, endpoint);
  if (status === 0) {
    if (matches('loginRedirect', body)) return { kind: 'redirect', region: body.data.region };
    const ok = expectShape('loginSuccess', body, endpoint);
    return {
      kind: 'success',
      token: usableToken(ok.data.authTicket.token, endpoint),
      expiresAt: ok.data.authTicket.expires * 1000,
      userId: ok.data.user.id,
      userUnit: unitOf(ok.data.user.uom),
    };
  }
  if (status === 2) throw badCredentialsError(endpoint);
  if (status === 4) {
    const step = expectShape('loginStep', body, endpoint);
    return {
      kind: 'step',
      step: step.data.step.type,
      token: usableToken(step.data.authTicket.token, endpoint),
      expiresAt: step.data.authTicket.expires * 1000,
    };
  }
  throw new LluError('malformed', `LibreLinkUp ${endpoint} answered an unknown status ${status}`, {
    endpoint,
  });
}
