// Scripted faults (types.ts SimFault) as seen on the wire: each kind answers as the reference notes
// describe it (§3 login outcomes 5–9, "Authenticated-call errors", §5), with the HTTP status, content
// type, body shape and Retry-After header; `times`, `email` and `endpoint` scope the rules.

import { describe, expect, it } from 'vitest';
import type { SimFault } from '../../src/simulator/types.js';
import {
  type Api,
  EU_EMAIL,
  fakePerTest,
  json,
  PASSWORD,
  type Reply,
  type Session,
  US_EMAIL,
} from './helpers.js';

let api: Api;
let s: Session;
fakePerTest(async (t) => {
  api = t.api;
  s = await api.session('eu', EU_EMAIL, PASSWORD);
});

const connections = () => api.get(s, '/llu/connections');
const login = () => api.login('eu', EU_EMAIL, PASSWORD);
const isJson = (r: Reply) => (r.headers.get('content-type') ?? '').startsWith('application/json');

type Check = (r: Reply) => void;
const CASES: Array<[string, SimFault, Check]> = [
  [
    'http429 with Retry-After',
    { kind: 'http429', retryAfterSeconds: 120 },
    (r) => {
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('120');
      expect(isJson(r)).toBe(true);
    },
  ],
  [
    'http429 without Retry-After',
    { kind: 'http429' },
    (r) => {
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBeNull();
    },
  ],
  [
    'locked',
    { kind: 'locked', lockoutSeconds: 42 },
    (r) => {
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toEqual({
        status: 429,
        data: { code: 60, data: { failures: 3, interval: 60, lockout: 42 }, message: 'locked' },
      });
    },
  ],
  [
    'locked (default 300 s)',
    { kind: 'locked' },
    (r) => expect(JSON.parse(r.text).data.data.lockout).toBe(300),
  ],
  ...([undefined, 403, 503, 520] as const).map((httpStatus): [string, SimFault, Check] => [
    `cloudflare ${httpStatus ?? 'default'}`,
    httpStatus === undefined ? { kind: 'cloudflare' } : { kind: 'cloudflare', httpStatus },
    (r) => {
      expect(r.status).toBe(httpStatus ?? 403);
      expect(r.headers.get('content-type')).toMatch(/^text\/html/);
      expect(r.text).toMatch(/<html/i);
      expect(r.text).toContain('Cloudflare');
      expect(() => JSON.parse(r.text)).toThrow();
    },
  ]),
  [
    'http430',
    { kind: 'http430' },
    (r) => {
      expect(r.status).toBe(430);
      expect(r.text).toBe('');
    },
  ],
  ...([undefined, 500, 502, 503, 504] as const).map((httpStatus): [string, SimFault, Check] => [
    `server_error ${httpStatus ?? 'default'} JSON`,
    httpStatus === undefined ? { kind: 'server_error' } : { kind: 'server_error', httpStatus },
    (r) => {
      expect(r.status).toBe(httpStatus ?? 500);
      expect(isJson(r)).toBe(true);
      expect(() => JSON.parse(r.text)).not.toThrow();
    },
  ]),
  [
    'server_error HTML (Application Error page)',
    { kind: 'server_error', httpStatus: 503, html: true },
    (r) => {
      expect(r.status).toBe(503);
      expect(r.headers.get('content-type')).toMatch(/^text\/html/);
      expect(r.text).toContain('Application Error');
    },
  ],
  [
    'maintenance',
    { kind: 'maintenance' },
    (r) => {
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toEqual({ status: 911 });
    },
  ],
  [
    'unauthorized',
    { kind: 'unauthorized' },
    (r) => {
      expect(r.status).toBe(401);
      expect(JSON.parse(r.text)).toEqual({ message: 'invalid or expired jwt' });
    },
  ],
  [
    'missing_cached_user',
    { kind: 'missing_cached_user' },
    (r) => expect(JSON.parse(r.text)).toEqual({ message: 'MissingCachedUser' }),
  ],
  [
    'version (server minimum)',
    { kind: 'version' },
    (r) => {
      expect(r.status).toBe(403);
      expect(JSON.parse(r.text)).toEqual({ status: 920, data: { minimumVersion: '4.16.0' } });
    },
  ],
  [
    'version (given minimum)',
    { kind: 'version', minimumVersion: '4.18.0' },
    (r) => {
      expect(r.status).toBe(403);
      expect(JSON.parse(r.text)).toEqual({ status: 920, data: { minimumVersion: '4.18.0' } });
    },
  ],
];

describe.each(['connections', 'login'] as const)('every fault kind on %s', (endpoint) => {
  it.each(CASES)('%s', async (_name, fault, check) => {
    api.fake.addFault({ endpoint, fault });
    const r = endpoint === 'login' ? await login() : await connections();
    check(r);
    expect(api.fake.requests.at(-1)).toMatchObject({ endpoint, outcome: fault.kind, status: r.status });
    // default times: 1 — the next request is normal again
    const next = endpoint === 'login' ? await login() : await connections();
    expect(next.status).toBe(200);
    expect(json(next).status).toBe(0);
  });
});

describe('fault scoping', () => {
  const err = (times?: number) => ({
    endpoint: 'connections' as const,
    fault: { kind: 'server_error' as const },
    ...(times === undefined ? {} : { times }),
  });

  it('`times` counts matching requests', async () => {
    api.fake.addFault(err(2));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await connections()).status);
    expect(statuses).toEqual([500, 500, 200]);
  });

  it('`times: Infinity` lasts until clearFaults', async () => {
    api.fake.addFault(err(Number.POSITIVE_INFINITY));
    for (let i = 0; i < 5; i++) expect((await connections()).status).toBe(500);
    api.fake.clearFaults();
    expect((await connections()).status).toBe(200);
  });

  it('`endpoint` limits the rule; "any" matches every endpoint', async () => {
    api.fake.addFault({ endpoint: 'graph', fault: { kind: 'maintenance' } });
    expect(json(await connections()).status).toBe(0);
    expect(json(await api.get(s, '/llu/connections/p-mg/logbook')).status).toBe(0);
    expect(json(await api.get(s, '/llu/connections/p-mg/graph')).status).toBe(911);

    api.fake.addFault({ endpoint: 'any', fault: { kind: 'maintenance' }, times: 3 });
    expect(json(await login()).status).toBe(911);
    expect(json(await connections()).status).toBe(911);
    expect(json(await api.get(s, '/llu/connections/p-mg/graph')).status).toBe(911);
    expect(json(await connections()).status).toBe(0);
  });

  it('`email` limits the rule to one account: by login body or by token, in any case', async () => {
    const us = await api.session(null, US_EMAIL, PASSWORD);
    api.fake.addFault({ ...err(Number.POSITIVE_INFINITY), email: US_EMAIL.toUpperCase() });
    expect((await connections()).status).toBe(200);
    expect((await api.get(us, '/llu/connections')).status).toBe(500);

    api.fake.addFault({ endpoint: 'login', fault: { kind: 'http430' }, email: EU_EMAIL });
    expect((await api.login(null, US_EMAIL, PASSWORD)).status).toBe(200);
    expect((await login()).status).toBe(430);
    expect((await login()).status).toBe(200);
  });

  it('applies rules in the order they were added', async () => {
    api.fake.addFault({ endpoint: 'connections', fault: { kind: 'http430' } });
    api.fake.addFault({ endpoint: 'connections', fault: { kind: 'maintenance' } });
    expect((await connections()).status).toBe(430);
    expect(json(await connections()).status).toBe(911);
    expect(json(await connections()).status).toBe(0);
  });
});
