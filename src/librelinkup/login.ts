// The login conversation: POST credentials, follow at most two region redirects (allow-listed
// regions only, hosts built only from the configured template), then complete tou/pp steps when
// the user opted in. The refused host of a disallowed redirect is never contacted.

import { type Logger, registerSecret, safeText } from '../log.js';
import { isLluError, LluError } from './errors.js';
import { ACCEPTABLE_STEPS, interpretLogin, type LoginOutcome, termsError } from './login-response.js';
import type { GlucoseUnit } from './model.js';
import { regionBaseUrl } from './regions.js';

export const MAX_REDIRECTS = 2;
export const MAX_STEPS = 4;

export interface LoginRequest {
  endpoint: 'login' | 'continue';
  method: 'POST';
  url: string;
  body?: unknown;
  token?: string;
}

export interface LoginContext {
  email: string;
  password: string;
  region: 'auto' | string;
  apiUrl: string;
  regionUrl: string;
  acceptTerms: boolean;
  logger: Logger;
  send: (req: LoginRequest) => Promise<unknown>;
}

export interface LoginResult {
  token: string;
  expiresAt: number;
  userId: string;
  userUnit: GlucoseUnit | null;
  /** base URL of the host that answered the login: every later call goes there */
  baseUrl: string;
  region: string | null;
}

type Success = Extract<LoginOutcome, { kind: 'success' }>;
type Step = Extract<LoginOutcome, { kind: 'step' }>;

function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

/** Upstream text going into a log line or message: redacted, short and quoted. */
function quoted(value: string): string {
  return JSON.stringify(safeText(value, 24));
}

export async function runLogin(ctx: LoginContext): Promise<LoginResult> {
  let region: string | null = ctx.region === 'auto' ? null : ctx.region.toLowerCase();
  let base = region === null ? ctx.apiUrl : regionBaseUrl(region, ctx.regionUrl);
  if (base === null) {
    throw new LluError(
      'redirect',
      `Region ${quoted(ctx.region)} is not a LibreLinkUp region this bridge knows`,
      {
        endpoint: 'login',
        region: ctx.region,
      },
    );
  }
  let redirects = 0;
  for (;;) {
    const body = await ctx.send({
      endpoint: 'login',
      method: 'POST',
      url: joinUrl(base, '/llu/auth/login'),
      body: { email: ctx.email, password: ctx.password },
    });
    const outcome = interpretLogin(body, 'login');
    if (outcome.kind === 'redirect') {
      const target = outcome.region.toLowerCase();
      const next = regionBaseUrl(target, ctx.regionUrl);
      if (next === null) {
        ctx.logger.warn(
          { region: safeText(target, 24) },
          `LibreLinkUp redirected the login to region ${quoted(target)}, which is not in the allow-list; not following`,
        );
        throw new LluError(
          'redirect',
          `LibreLinkUp redirected the login to the unknown region ${quoted(target)}; refused for safety`,
          { endpoint: 'login', region: safeText(target, 24) },
        );
      }
      if (redirects >= MAX_REDIRECTS) {
        throw new LluError(
          'redirect',
          `LibreLinkUp redirected the login more than ${MAX_REDIRECTS} times (loop)`,
          {
            endpoint: 'login',
            region: target,
          },
        );
      }
      redirects += 1;
      ctx.logger.debug({ region: target }, 'LibreLinkUp login redirected to a regional host');
      base = next;
      region = target;
      continue;
    }
    const done = outcome.kind === 'step' ? await completeSteps(ctx, base, outcome) : outcome;
    return {
      token: done.token,
      expiresAt: done.expiresAt,
      userId: done.userId,
      userUnit: done.userUnit,
      baseUrl: base,
      region,
    };
  }
}

async function completeSteps(ctx: LoginContext, base: string, first: Step): Promise<Success> {
  let current: LoginOutcome = first;
  for (let i = 0; i < MAX_STEPS && current.kind === 'step'; i++) {
    const { step, token } = current;
    registerSecret(token);
    if (!ctx.acceptTerms || !ACCEPTABLE_STEPS.includes(step)) {
      ctx.logger.warn({ step: safeText(step, 30) }, 'LibreLinkUp login needs an action in the app');
      throw termsError(step, 'login');
    }
    ctx.logger.info({ step }, 'accepting LibreLinkUp login step (accept_terms is on)');
    let body: unknown;
    try {
      body = await ctx.send({
        endpoint: 'continue',
        method: 'POST',
        url: joinUrl(base, `/auth/continue/${step}`),
        token,
      });
    } catch (err) {
      // The step token lives one hour; a refusal means the step must be done in the app.
      if (isLluError(err) && err.kind === 'unauthorized') {
        throw termsError(step, 'continue', 'LibreLinkUp did not accept the step from the bridge');
      }
      throw err;
    }
    current = interpretLogin(body, 'continue');
    if (current.kind === 'redirect') {
      throw new LluError('malformed', 'LibreLinkUp answered a region redirect to an accepted step', {
        endpoint: 'continue',
      });
    }
  }
  if (current.kind === 'step') {
    throw termsError(current.step, 'continue', `LibreLinkUp asked for more than ${MAX_STEPS} steps`);
  }
  if (current.kind !== 'success')
    throw new LluError('malformed', 'unexpected login outcome', { endpoint: 'continue' });
  return current;
}
