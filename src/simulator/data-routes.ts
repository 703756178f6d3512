// The authenticated endpoints of the fake: connections, graph and logbook, each behind the checks
// LibreLinkUp makes (a region-bound session token, the Account-Id header, a recent enough version).

import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  connection,
  graphData,
  HEADER_MISSING,
  INVALID_JWT,
  logbookData,
  PATIENT_NOT_FOUND,
  versionTooOld,
} from './bodies.js';
import { compareVersions, type Handled, type Route } from './routes.js';
import { leftOut, type SimState } from './sim-state.js';

export function authenticated(state: SimState, headers: IncomingHttpHeaders, r: Route): Handled {
  const { now, minimumVersion, tokenLifetimeMs, wrongAccountIdStatus } = state.settings;
  const tok = state.bearer(headers.authorization);
  if (tok === null || tok.kind !== 'auth' || tok.region !== r.region) {
    return {
      answer: { status: 401, body: INVALID_JWT },
      email: tok?.email ?? null,
      outcome: 'unauthorized',
    };
  }
  const acc = state.account(tok.email);
  const email = acc.spec.email;
  const accountId = headers['account-id'];
  const expected = createHash('sha256').update(acc.userId).digest('hex');
  if (typeof accountId !== 'string' || accountId === '') {
    return { answer: { status: 400, body: HEADER_MISSING }, email, outcome: 'account_id_missing' };
  }
  if (accountId.toLowerCase() !== expected) {
    return {
      answer: { status: wrongAccountIdStatus, body: HEADER_MISSING },
      email,
      outcome: 'account_id_wrong',
    };
  }
  const version = String(headers.version ?? '0');
  if (compareVersions(version, minimumVersion) < 0) {
    return { answer: { status: 403, body: versionTooOld(minimumVersion) }, email, outcome: 'version' };
  }
  const ticket = {
    token: tok.token,
    expires: Math.floor(tok.expiresAt / 1000),
    duration: tokenLifetimeMs,
  };
  const at = now();
  if (r.endpoint === 'connections') {
    // Connection order is not stable upstream: rotate it so clients must key by id.
    const list = acc.patients.filter((id) => state.patients.has(id) && !leftOut(acc, id));
    const shift = list.length === 0 ? 0 : state.connectionsServed++ % list.length;
    const ordered = [...list.slice(shift), ...list.slice(0, shift)];
    return {
      answer: {
        status: 200,
        body: { status: 0, data: ordered.map((id) => connection(state.patient(id), at)), ticket },
      },
      email,
      outcome: 'ok',
    };
  }
  const pid = r.patientId ?? '';
  if (!acc.patients.includes(pid) || !state.patients.has(pid)) {
    return { answer: { status: 200, body: PATIENT_NOT_FOUND }, email, outcome: 'patient_not_found' };
  }
  const p = state.patient(pid);
  const data = r.endpoint === 'graph' ? graphData(p, at) : logbookData(p, at);
  return { answer: { status: 200, body: { status: 0, data, ticket } }, email, outcome: 'ok' };
}
