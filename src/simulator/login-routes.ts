// The login endpoints of the fake: credentials, lockout after repeated failures, the redirect to the
// account's home region, and the terms steps answered one by one via /auth/continue/{type}.

import { BAD_CREDENTIALS, INVALID_JWT, lockedBody, loginStep, loginSuccess } from './bodies.js';
import type { Answer } from './faults.js';
import type { Handled, Route } from './routes.js';
import type { AccountState, SimState } from './sim-state.js';

function loginAnswer(state: SimState, acc: AccountState, region: string | null): Answer {
  const step = acc.pendingSteps[0];
  if (step !== undefined)
    return { status: 200, body: loginStep(step, acc.spec.email, state.issue(acc, 'step', region)) };
  const user = {
    id: acc.userId,
    email: acc.spec.email,
    firstName: 'Follower',
    lastName: 'Example',
    unit: acc.spec.unit ?? 'mg/dL',
  };
  return { status: 200, body: loginSuccess(user, state.issue(acc, 'auth', region), state.settings.now()) };
}

export function login(state: SimState, r: Route, text: string): Handled {
  const { now, lockoutFailures, lockoutWindowMs, lockoutMs } = state.settings;
  let creds: { email?: unknown; password?: unknown };
  try {
    creds = JSON.parse(text) as typeof creds;
  } catch {
    return {
      answer: { status: 400, body: { message: 'invalid body' } },
      email: null,
      outcome: 'bad_request',
    };
  }
  const email = typeof creds.email === 'string' ? creds.email : null;
  const acc = email === null ? undefined : state.accounts.get(email.toLowerCase());
  const at = now();
  const right = acc !== undefined && creds.password === acc.password;
  if (acc && acc.lockedUntil > at) {
    // Another wrong attempt while locked extends the lock (users report locks lasting hours while
    // some other client keeps failing). The remaining time in `lockout` is our choice: the real
    // body may always say 300 (UNSURE).
    if (!right) acc.lockedUntil = at + lockoutMs;
    const left = Math.ceil((acc.lockedUntil - at) / 1000);
    return {
      answer: { status: 200, body: lockedBody(lockoutFailures, lockoutWindowMs / 1000, left) },
      email,
      outcome: 'locked',
    };
  }
  if (!right) {
    if (acc) {
      acc.failures = acc.failures.filter((t) => t > at - lockoutWindowMs).concat(at);
      if (acc.failures.length >= lockoutFailures) {
        acc.lockedUntil = at + lockoutMs;
        acc.failures = [];
      }
    }
    return { answer: { status: 200, body: BAD_CREDENTIALS }, email, outcome: 'bad_credentials' };
  }
  acc.failures = [];
  // The global host (and a stranger region, UNSURE: that may answer {"status":911} instead) redirects
  // to the account's home region without a token. The global host itself serves "us" accounts.
  const home = r.region ?? 'us';
  if (home !== acc.region) {
    return {
      answer: { status: 200, body: { status: 0, data: { redirect: true, region: acc.region } } },
      email,
      outcome: 'redirect',
    };
  }
  const answer = loginAnswer(state, acc, r.region);
  return { answer, email, outcome: acc.pendingSteps.length > 0 ? `step_${acc.pendingSteps[0]}` : 'ok' };
}

export function continueStep(state: SimState, authorization: string | undefined, r: Route): Handled {
  const tok = state.bearer(authorization);
  if (tok === null || tok.kind !== 'step')
    return {
      answer: { status: 401, body: INVALID_JWT },
      email: tok?.email ?? null,
      outcome: 'unauthorized',
    };
  const acc = state.account(tok.email);
  // verifyEmail needs the link in the e-mail; no API call can complete it.
  if (acc.pendingSteps[0] !== r.step || r.step === 'verifyEmail') {
    return { answer: { status: 401, body: INVALID_JWT }, email: acc.spec.email, outcome: 'step_refused' };
  }
  acc.pendingSteps.shift();
  return {
    answer: loginAnswer(state, acc, tok.region),
    email: acc.spec.email,
    outcome: `accepted_${r.step}`,
  };
}
