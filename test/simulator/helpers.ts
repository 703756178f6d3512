// Shared pieces of the simulator tests: a hand-turned clock (the server takes `now`, so no test sleeps
// to move time), an independent parser for LibreLinkUp's timestamp text, loose shapes of the JSON
// bodies the reference notes describe, and a tiny HTTP caller around node's fetch.

import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach } from 'vitest';
import { startFakeLibreLinkUp } from '../../src/simulator/server.js';
import type { FakeLibreLinkUpServer, SimOptions } from '../../src/simulator/types.js';

/** 2024-06-01 10:00:00 UTC: a whole minute, far from DST and year edges. */
export const T0 = Date.UTC(2024, 5, 1, 10, 0, 0);
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export interface Clock {
  now: () => number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function makeClock(start = T0): Clock {
  let t = start;
  return {
    now: () => t,
    set: (ms) => {
      t = ms;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** "M/D/YYYY h:mm:ss AM/PM" read as UTC wall time, strictly: no leading zeros on M, D and h. */
export function parseLlu(text: string): number {
  const m = /^([1-9]\d?)\/([1-9]\d?)\/(\d{4}) ([1-9]\d?):([0-5]\d):([0-5]\d) (AM|PM)$/.exec(text);
  if (!m) throw new Error(`not a LibreLinkUp timestamp: ${JSON.stringify(text)}`);
  const [, mo, d, y, h, mi, s, ap] = m;
  const h12 = Number(h);
  if (h12 > 12) throw new Error(`hour out of range: ${text}`);
  const h24 = (h12 % 12) + (ap === 'PM' ? 12 : 0);
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), h24, Number(mi), Number(s));
}

// ---- JSON shapes (loose: only what the tests read) ------------------------------------------------

export interface TicketJson {
  token: string;
  expires: number;
  duration: number;
}

export interface GlucoseJson {
  FactoryTimestamp: string;
  Timestamp: string;
  type: number;
  ValueInMgPerDl: number;
  TrendArrow?: number;
  TrendMessage?: null;
  MeasurementColor: number;
  GlucoseUnits: number;
  Value: number;
  isHigh: boolean;
  isLow: boolean;
  alarmType?: number;
}

export interface SensorJson {
  deviceId: string;
  sn: string;
  a: number;
  w: number;
  pt: number;
}

export interface ConnectionJson {
  id: string;
  patientId: string;
  status: number;
  firstName: string;
  lastName: string;
  targetLow: number;
  targetHigh: number;
  uom: number;
  sensor: SensorJson | null;
  glucoseMeasurement: GlucoseJson | null;
  glucoseItem: GlucoseJson | null;
  alarmRules: Record<string, unknown>;
  patientDevice: Record<string, unknown>;
}

export interface GraphJson {
  connection: ConnectionJson;
  activeSensors: Array<{ sensor: SensorJson; device: Record<string, unknown> }>;
  graphData: GlucoseJson[];
}

export interface LoginJson {
  redirect?: boolean;
  region?: string;
  user?: { id: string; email: string; uom: string; accountType: string };
  authTicket?: TicketJson;
  step?: { type: string; componentName: string; props: Record<string, unknown> };
  code?: number;
  data?: { failures: number; interval: number; lockout: number };
  message?: string;
}

export interface Envelope<D> {
  status?: number;
  data?: D;
  error?: { message: string };
  ticket?: TicketJson;
  message?: string;
}

// ---- HTTP -----------------------------------------------------------------------------------------

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

export function json<T>(r: Reply): Envelope<T> {
  return JSON.parse(r.text) as Envelope<T>;
}

export interface Session {
  region: string | null;
  token: string;
  accountId: string;
}

export interface CallOptions {
  method?: 'GET' | 'POST';
  token?: string;
  accountId?: string;
  /** `version` header; null = do not send it */
  version?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A follower app talking to one fake: builds the headers the reference lists (§2). */
export class Api {
  constructor(readonly fake: FakeLibreLinkUpServer) {}

  url(region: string | null, path: string): string {
    return (region === null ? this.fake.apiUrl : this.fake.regionUrl.replace('{region}', region)) + path;
  }

  async call(region: string | null, path: string, o: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = {
      product: 'llu.android',
      'content-type': 'application/json',
      accept: 'application/json',
      ...(o.version === null ? {} : { version: o.version ?? '4.16.0' }),
      ...(o.token === undefined ? {} : { authorization: `Bearer ${o.token}` }),
      ...(o.accountId === undefined ? {} : { 'account-id': o.accountId }),
      ...(o.headers ?? {}),
    };
    const res = await fetch(this.url(region, path), {
      method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
      headers,
      ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  login(region: string | null, email: string, password: string, o: CallOptions = {}): Promise<Reply> {
    return this.call(region, '/llu/auth/login', { ...o, method: 'POST', body: { email, password } });
  }

  /** Logs in at `region` (expecting success there) and returns what later calls need. */
  async session(region: string | null, email: string, password: string): Promise<Session> {
    const r = await this.login(region, email, password);
    const body = json<LoginJson>(r);
    if (r.status !== 200 || body.status !== 0 || !body.data?.authTicket || !body.data.user) {
      throw new Error(`login at ${region} did not succeed: ${r.status} ${r.text}`);
    }
    return { region, token: body.data.authTicket.token, accountId: sha256(body.data.user.id) };
  }

  get(s: Session, path: string, o: CallOptions = {}): Promise<Reply> {
    return this.call(s.region, path, { token: s.token, accountId: s.accountId, ...o });
  }

  async connections(s: Session): Promise<ConnectionJson[]> {
    const r = await this.get(s, '/llu/connections');
    if (r.status !== 200) throw new Error(`connections: ${r.status} ${r.text}`);
    return json<ConnectionJson[]>(r).data!;
  }

  async graph(s: Session, patientId: string): Promise<Envelope<GraphJson>> {
    return json<GraphJson>(await this.get(s, `/llu/connections/${patientId}/graph`));
  }
}

/** A raw request whose header names go on the wire exactly as written (fetch lower-cases them). */
export function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// ---- a standard world -----------------------------------------------------------------------------

export const EU_EMAIL = 'eu-follower@example.com';
export const US_EMAIL = 'us-follower@example.com';
export const PASSWORD = 'Right-Password-1!';
export const EU_USER_ID = '6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b';
export const US_USER_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

export function world(clock: Clock, extra: Partial<SimOptions> = {}): SimOptions {
  return {
    now: clock.now,
    accounts: [
      { email: EU_EMAIL, password: PASSWORD, userId: EU_USER_ID, region: 'eu', patients: ['p-mg', 'p-mmol'] },
      { email: US_EMAIL, password: PASSWORD, userId: US_USER_ID, region: 'us', patients: ['p-mg'] },
    ],
    patients: [
      { patientId: 'p-mg', firstName: 'Mia', lastName: 'Gram', unit: 'mg/dL' },
      { patientId: 'p-mmol', firstName: 'Max', lastName: 'Mol', unit: 'mmol/L' },
      { patientId: 'p-extra', firstName: 'Eve', lastName: 'Extra', unit: 'mg/dL' },
    ],
    ...extra,
  };
}

/** Starts a fake and registers it for `stopAll`. */
export async function start(options: SimOptions, running: FakeLibreLinkUpServer[]): Promise<Api> {
  const fake = await startFakeLibreLinkUp(options);
  running.push(fake);
  return new Api(fake);
}

export async function stopAll(running: FakeLibreLinkUpServer[]): Promise<void> {
  await Promise.all(running.splice(0).map((f) => f.close()));
}

/**
 * For every test of the file: a fresh clock and a fake running the standard world, handed to `ready`,
 * and every fake in the returned list (tests may start more) closed afterwards.
 */
export function fakePerTest(
  ready: (t: { clock: Clock; api: Api }) => void | Promise<void>,
): FakeLibreLinkUpServer[] {
  const running: FakeLibreLinkUpServer[] = [];
  beforeEach(async () => {
    const clock = makeClock();
    await ready({ clock, api: await start(world(clock), running) });
  });
  afterEach(() => stopAll(running));
  return running;
}
