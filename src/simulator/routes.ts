// Which endpoint a request is for: the global host at "/" and each regional host at "/r/{region}/",
// so region redirects can be followed on 127.0.0.1. And what a route handler answers.

import type { Answer } from './faults.js';
import type { SimEndpoint } from './types.js';

export interface Route {
  region: string | null;
  path: string;
  endpoint: SimEndpoint | 'other';
  patientId?: string;
  step?: string;
}

/** A route's answer, whose account it was (for the request log) and how it went. */
export interface Handled {
  answer: Answer;
  email: string | null;
  outcome: string;
}

/** Versions as "4.16.0": numeric compare, missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

export function route(method: string, rawUrl: string): Route {
  const path0 = rawUrl.split('?')[0] ?? '/';
  const m = /^\/r\/([a-z0-9]+)(\/.*)$/.exec(path0);
  const region = m ? m[1]! : null;
  const path = m ? m[2]! : path0;
  if (method === 'POST' && path === '/llu/auth/login') return { region, path, endpoint: 'login' };
  if (method === 'GET' && path === '/llu/connections') return { region, path, endpoint: 'connections' };
  const p = /^\/llu\/connections\/([^/]+)\/(graph|logbook)$/.exec(path);
  if (method === 'GET' && p) {
    return { region, path, endpoint: p[2] as 'graph' | 'logbook', patientId: decodeURIComponent(p[1]!) };
  }
  // The app posts to /auth/continue/{type}; some code uses /llu/auth/continue/{type} (UNSURE): serve both.
  const c = /^(?:\/llu)?\/auth\/continue\/([A-Za-z]+)$/.exec(path);
  if (method === 'POST' && c) return { region, path, endpoint: 'continue', step: c[1]! };
  return { region, path, endpoint: 'other' };
}
