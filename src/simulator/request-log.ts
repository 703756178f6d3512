// The fake's log of every request it answered (endpoint, account, status, outcome, headers), which
// tests read to count requests and check what the client sent.

import type { IncomingMessage } from 'node:http';
import type { Route } from './routes.js';
import type { SimState } from './sim-state.js';
import type { SimRequestLogEntry } from './types.js';

/** Whose request this is: the login's e-mail, else the account of the bearer token. */
export function requestEmail(state: SimState, req: IncomingMessage, r: Route, text: string): string | null {
  if (r.endpoint !== 'login') return state.bearer(req.headers.authorization)?.email ?? null;
  try {
    const e = (JSON.parse(text) as { email?: unknown }).email;
    return typeof e === 'string' ? e : null;
  } catch {
    return null;
  }
}

/** Records one answered request; `email()` is read when the entry is written (a route may name it). */
export function recorder(
  requests: SimRequestLogEntry[],
  now: () => number,
  req: IncomingMessage,
  r: Route,
  email: () => string | null,
): (status: number, outcome: string) => void {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = String(v);
  return (status, outcome) =>
    requests.push({
      at: now(),
      method: req.method ?? 'GET',
      path: r.path,
      region: r.region,
      endpoint: r.endpoint,
      email: email(),
      status,
      outcome,
      headers,
    });
}
