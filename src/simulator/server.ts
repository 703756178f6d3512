// The fake LibreLinkUp server: an independent reading of ../shared/reference (the HTTP dump and the
// API notes), used by the tests, by `demo` and by the benchmarks. It never imports src/librelinkup, so
// the client's misreadings cannot hide here. One HTTP listener serves the global host at "/" and each
// regional host at "/r/{region}/", so region redirects can be followed on 127.0.0.1.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  APPLICATION_ERROR_PAGE,
  BAD_CREDENTIALS,
  cloudflareBadGateway,
  cloudflarePage,
  connection,
  graphData,
  HEADER_MISSING,
  INVALID_JWT,
  lockedBody,
  logbookData,
  loginStep,
  loginSuccess,
  MAINTENANCE,
  MISSING_CACHED_USER,
  PATIENT_NOT_FOUND,
  type Ticket,
  versionTooOld,
} from './bodies.js';
import {
  type Answer,
  applyHostile,
  corrupt,
  echoAnswer,
  echoText,
  FaultBook,
  reticket,
  sendBomb,
} from './faults.js';
import { SimPatient } from './patient-model.js';
import type {
  FakeLibreLinkUpServer,
  SimAccountSpec,
  SimEndpoint,
  SimFault,
  SimOptions,
  SimRequestLogEntry,
  SimSensor,
} from './types.js';

type Step = 'tou' | 'pp' | 'verifyEmail';
const STEP_TOKEN_MS = 3_600_000;
const DEFAULT_TOKEN_LIFETIME_MS = 180 * 86_400_000;

interface AccountState {
  spec: SimAccountSpec;
  password: string;
  userId: string;
  region: string;
  patients: string[];
  pendingSteps: Step[];
  failures: number[];
  lockedUntil: number;
  /** patientId → how many more connections answers leave it out (hideFor) */
  hidden?: Map<string, number>;
}

/** Whether this answer leaves the patient out (hideFor), counting one answer off. */
function leftOut(acc: AccountState, patientId: string): boolean {
  const n = acc.hidden?.get(patientId) ?? 0;
  if (n <= 0) return false;
  acc.hidden!.set(patientId, n - 1);
  return true;
}

interface TokenState {
  token: string;
  email: string;
  kind: 'auth' | 'step';
  /** host region that issued it; tokens are region-bound (UNSURE upstream, but peers see errors elsewhere) */
  region: string | null;
  expiresAt: number;
}

interface Route {
  region: string | null;
  path: string;
  endpoint: SimEndpoint | 'other';
  patientId?: string;
  step?: string;
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

function fakeJwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.${randomBytes(24).toString('base64url')}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startFakeLibreLinkUp(options: SimOptions): Promise<FakeLibreLinkUpServer> {
  const now = options.now ?? (() => Date.now());
  const startedAt = now();
  const minimumVersion = options.minimumVersion ?? '4.16.0';
  const tokenLifetimeMs = options.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS;
  const lockoutFailures = options.lockoutFailures ?? 3;
  const lockoutWindowMs = (options.lockoutWindowSeconds ?? 60) * 1000;
  const lockoutMs = (options.lockoutSeconds ?? 300) * 1000;

  const patients = new Map<string, SimPatient>();
  for (const spec of options.patients) patients.set(spec.patientId, new SimPatient(spec, startedAt));
  const accounts = new Map<string, AccountState>();
  for (const spec of options.accounts) {
    accounts.set(spec.email.toLowerCase(), {
      spec,
      password: spec.password,
      userId: spec.userId ?? randomUUID(),
      region: spec.region ?? 'eu',
      patients: [...spec.patients],
      pendingSteps: [...(spec.pendingSteps ?? [])],
      failures: [],
      lockedUntil: 0,
    });
  }
  const tokens = new Map<string, TokenState>();
  const faults = new FaultBook();
  let clockOffsetMs = options.clockOffsetMs ?? 0;
  const requests: SimRequestLogEntry[] = [];
  const hangs = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let connectionsServed = 0;

  const account = (email: string): AccountState => {
    const a = accounts.get(email.toLowerCase());
    if (!a) throw new Error(`simulator: no account ${email}`);
    return a;
  };
  const patient = (id: string): SimPatient => {
    const p = patients.get(id);
    if (!p) throw new Error(`simulator: no patient ${id}`);
    return p;
  };

  function issue(acc: AccountState, kind: 'auth' | 'step', region: string | null): Ticket {
    const at = now();
    const lifetime = kind === 'auth' ? tokenLifetimeMs : STEP_TOKEN_MS;
    const expiresAt = at + lifetime;
    const token = fakeJwt({
      id: acc.userId,
      region: acc.region,
      role: 'patient',
      s: 'llu.android',
      exp: Math.floor(expiresAt / 1000),
    });
    tokens.set(token, { token, email: acc.spec.email, kind, region, expiresAt });
    return { token, expires: Math.floor(expiresAt / 1000), duration: lifetime };
  }

  function loginAnswer(acc: AccountState, region: string | null): Answer {
    const step = acc.pendingSteps[0];
    if (step !== undefined)
      return { status: 200, body: loginStep(step, acc.spec.email, issue(acc, 'step', region)) };
    const user = {
      id: acc.userId,
      email: acc.spec.email,
      firstName: 'Follower',
      lastName: 'Example',
      unit: acc.spec.unit ?? 'mg/dL',
    };
    return { status: 200, body: loginSuccess(user, issue(acc, 'auth', region), now()) };
  }

  function login(r: Route, text: string): { answer: Answer; email: string | null; outcome: string } {
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
    const acc = email === null ? undefined : accounts.get(email.toLowerCase());
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
    const answer = loginAnswer(acc, r.region);
    return { answer, email, outcome: acc.pendingSteps.length > 0 ? `step_${acc.pendingSteps[0]}` : 'ok' };
  }

  function bearer(req: IncomingMessage): TokenState | null {
    const auth = req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
    const state = token === undefined ? undefined : tokens.get(token);
    return state === undefined || state.expiresAt <= now() ? null : state;
  }

  function authenticated(
    req: IncomingMessage,
    r: Route,
  ): { answer: Answer; email: string | null; outcome: string } {
    const tok = bearer(req);
    if (tok === null || tok.kind !== 'auth' || tok.region !== r.region) {
      return {
        answer: { status: 401, body: INVALID_JWT },
        email: tok?.email ?? null,
        outcome: 'unauthorized',
      };
    }
    const acc = account(tok.email);
    const email = acc.spec.email;
    const accountId = req.headers['account-id'];
    const expected = createHash('sha256').update(acc.userId).digest('hex');
    if (typeof accountId !== 'string' || accountId === '') {
      return { answer: { status: 400, body: HEADER_MISSING }, email, outcome: 'account_id_missing' };
    }
    if (accountId.toLowerCase() !== expected) {
      return {
        answer: { status: options.wrongAccountIdStatus ?? 400, body: HEADER_MISSING },
        email,
        outcome: 'account_id_wrong',
      };
    }
    const version = String(req.headers.version ?? '0');
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
      // Connection order is not stable upstream (reference §4): rotate it so clients must key by id.
      const list = acc.patients.filter((id) => patients.has(id) && !leftOut(acc, id));
      const shift = list.length === 0 ? 0 : connectionsServed++ % list.length;
      const ordered = [...list.slice(shift), ...list.slice(0, shift)];
      return {
        answer: {
          status: 200,
          body: { status: 0, data: ordered.map((id) => connection(patient(id), at)), ticket },
        },
        email,
        outcome: 'ok',
      };
    }
    const pid = r.patientId ?? '';
    if (!acc.patients.includes(pid) || !patients.has(pid)) {
      return { answer: { status: 200, body: PATIENT_NOT_FOUND }, email, outcome: 'patient_not_found' };
    }
    const data = r.endpoint === 'graph' ? graphData(patient(pid), at) : logbookData(patient(pid), at);
    return { answer: { status: 200, body: { status: 0, data, ticket } }, email, outcome: 'ok' };
  }

  function continueStep(
    req: IncomingMessage,
    r: Route,
  ): { answer: Answer; email: string | null; outcome: string } {
    const tok = bearer(req);
    if (tok === null || tok.kind !== 'step')
      return {
        answer: { status: 401, body: INVALID_JWT },
        email: tok?.email ?? null,
        outcome: 'unauthorized',
      };
    const acc = account(tok.email);
    // verifyEmail needs the link in the e-mail; no API call can complete it.
    if (acc.pendingSteps[0] !== r.step || r.step === 'verifyEmail') {
      return { answer: { status: 401, body: INVALID_JWT }, email: acc.spec.email, outcome: 'step_refused' };
    }
    acc.pendingSteps.shift();
    return { answer: loginAnswer(acc, tok.region), email: acc.spec.email, outcome: `accepted_${r.step}` };
  }

  function faultAnswer(fault: SimFault, host: string): Answer | null {
    switch (fault.kind) {
      case 'http429':
        return {
          status: 429,
          body: { message: 'Too Many Requests' },
          ...(fault.retryAfterSeconds !== undefined
            ? { headers: { 'retry-after': String(fault.retryAfterSeconds) } }
            : {}),
        };
      case 'locked': {
        const s = fault.lockoutSeconds ?? 300;
        return { status: 200, body: lockedBody(lockoutFailures, lockoutWindowMs / 1000, s) };
      }
      case 'cloudflare':
        return {
          status: fault.httpStatus ?? 403,
          body: cloudflarePage(host),
          contentType: 'text/html; charset=UTF-8',
        };
      case 'http430':
        return { status: 430, body: '', contentType: 'text/plain' };
      case 'server_error':
        return fault.html
          ? {
              status: fault.httpStatus ?? 500,
              body:
                fault.html === 'cloudflare'
                  ? cloudflareBadGateway(host, fault.httpStatus ?? 502)
                  : APPLICATION_ERROR_PAGE,
              contentType: 'text/html; charset=utf-8',
            }
          : { status: fault.httpStatus ?? 500, body: { message: 'Internal Server Error' } };
      case 'maintenance':
        return { status: 200, body: MAINTENANCE };
      case 'unauthorized':
        return { status: 401, body: INVALID_JWT };
      case 'missing_cached_user':
        // HTTP status of this answer is UNSURE (DiaBLE only shows the body); 200 keeps the body decisive.
        return { status: 200, body: MISSING_CACHED_USER };
      case 'version':
        return { status: 403, body: versionTooOld(fault.minimumVersion ?? minimumVersion) };
      case 'malformed':
      case 'hostile':
      case 'hang':
      case 'echo_secrets':
      case 'ticket':
      case 'bomb':
        return null;
    }
  }

  function send(res: ServerResponse, answer: Answer): void {
    if (res.destroyed) return;
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      date: new Date(now() + clockOffsetMs).toUTCString(),
      'content-type': answer.contentType ?? 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...(answer.headers ?? {}),
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const r = route(req.method ?? 'GET', req.url ?? '/');
    const text = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = String(v);
    let email: string | null = null;
    if (r.endpoint === 'login') {
      try {
        const e = (JSON.parse(text) as { email?: unknown }).email;
        email = typeof e === 'string' ? e : null;
      } catch {
        email = null;
      }
    } else {
      email = bearer(req)?.email ?? null;
    }
    const log = (status: number, outcome: string) =>
      requests.push({
        at: now(),
        method: req.method ?? 'GET',
        path: r.path,
        region: r.region,
        endpoint: r.endpoint,
        email,
        status,
        outcome,
        headers,
      });

    const fault = faults.take(r.endpoint, email);
    if (fault?.kind === 'hang') {
      log(0, 'hang');
      if (fault.ms === Number.POSITIVE_INFINITY) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          hangs.delete(t);
          resolve();
        }, fault.ms);
        hangs.add(t);
      });
      if (res.destroyed) return;
    }
    if (fault?.kind === 'echo_secrets') {
      let creds: { email?: unknown; password?: unknown } = {};
      try {
        creds = r.endpoint === 'login' ? (JSON.parse(text) as typeof creds) : {};
      } catch {}
      const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
      // Authenticated calls carry no credentials: echo the account record the token belongs to.
      const owner = email === null ? undefined : accounts.get(email.toLowerCase());
      const str = (v: unknown) => (typeof v === 'string' ? v : null);
      const echo = echoText(
        [
          str(creds.password) ?? owner?.password ?? null,
          str(creds.email) ?? owner?.spec.email ?? null,
          token,
        ],
        fault.length ?? 1_000,
      );
      const answer = echoAnswer(fault, echo);
      log(answer.status, fault.kind);
      send(res, answer);
      return;
    }
    if (fault?.kind === 'bomb') {
      log(200, 'bomb');
      sendBomb(res, fault.inflatedMb ?? 512);
      return;
    }
    if (fault) {
      const answer = faultAnswer(fault, req.headers.host ?? '127.0.0.1');
      if (answer) {
        log(answer.status, fault.kind);
        send(res, answer);
        return;
      }
    }
    let result: { answer: Answer; email: string | null; outcome: string };
    if (r.endpoint === 'login') result = login(r, text);
    else if (r.endpoint === 'continue') result = continueStep(req, r);
    else if (r.endpoint === 'other')
      result = { answer: { status: 404, body: { message: 'NotFound' } }, email, outcome: 'not_found' };
    else result = authenticated(req, r);
    email = result.email ?? email;
    let answer = result.answer;
    let outcome = result.outcome;
    const hostile = faults.takeHostile(r.endpoint, email);
    if (hostile.length > 0) {
      answer = applyHostile(answer, hostile, r.endpoint);
      outcome = `${outcome}+hostile`;
    }
    if (fault?.kind === 'malformed') {
      answer = corrupt(answer, fault.variant, r.endpoint);
      outcome = `malformed_${fault.variant}`;
    }
    if (fault?.kind === 'ticket') answer = reticket(answer, fault);
    log(answer.status, outcome);
    send(res, answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, { status: 500, body: { message: `simulator error: ${String(error)}` } });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const apiUrl = `http://127.0.0.1:${port}`;

  return {
    apiUrl,
    regionUrl: `${apiUrl}/r/{region}`,
    port,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    revokeTokens: (email) => {
      for (const [token, state] of tokens)
        if (state.email.toLowerCase() === email.toLowerCase()) tokens.delete(token);
    },
    setPassword: (email, password) => {
      account(email).password = password;
    },
    setPendingSteps: (email, steps) => {
      account(email).pendingSteps = [...steps];
    },
    follow: (email, patientId) => {
      const acc = account(email);
      patient(patientId);
      if (!acc.patients.includes(patientId)) acc.patients.push(patientId);
    },
    unfollow: (email, patientId) => {
      const acc = account(email);
      acc.patients = acc.patients.filter((id) => id !== patientId);
    },
    setSensor: (patientId, sensor: SimSensor | null) => {
      patient(patientId).sensor = sensor;
    },
    pauseReadings: (patientId) => patient(patientId).pause(now()),
    resumeReadings: (patientId) => patient(patientId).resume(now()),
    readingsOf: (patientId, at) =>
      patient(patientId)
        .readings(at ?? now())
        .map((x) => ({
          timestamp: x.timestamp,
          mgdl: x.mgdl,
          trendArrow: x.trendArrow,
          availableAt: x.availableAt,
        })),
    hideFor: (email, patientId, answers = 1) => {
      const acc = account(email);
      acc.hidden ??= new Map();
      acc.hidden.set(patientId, answers);
    },
    setClockOffset: (ms) => {
      clockOffsetMs = ms;
    },
    close: async () => {
      for (const t of hangs) clearTimeout(t);
      hangs.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
