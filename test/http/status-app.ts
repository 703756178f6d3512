// The real app with injected upstreams (no LibreLinkUp HTTP), for the status page tests: one fresh
// mg/dL patient, one stale mmol/L patient, and an account failing with a rate limit. Each upstream
// first answers an older reading and then the current one, so the bridge sees a gap and backfills
// 12 hours of graph points: the chart has a real curve from the first seconds.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UpstreamClient } from '../../src/bridge/account-poller.js';
import { configFrom } from '../../src/config/from-partial.js';
import type { Config } from '../../src/config/types.js';
import type { StatusBody } from '../../src/http/status.js';
import { LluError } from '../../src/librelinkup/errors.js';
import type { Connection, Graph, Reading, Trend } from '../../src/librelinkup/model.js';
import { fromMgdl } from '../../src/units.js';
import { connection } from '../bridge/fixtures.js';
import { call } from '../helpers/http.js';

const MIN = 60_000;

export const FRESH_EMAIL = 'anna.follower@example.com';
export const STALE_EMAIL = 'ben.follower@example.com';
export const FAILING_EMAIL = 'carla.follower@example.org';
export const PASSWORD = 'Sup3r-S3cret-PW!';
export const FRESH_PATIENT_ID = '5a1c0f3e-1111-4000-8000-00000000000a';
export const STALE_PATIENT_ID = '5a1c0f3e-2222-4000-8000-00000000000b';

export interface PatientScript {
  connection: Partial<Connection>;
  curve: (t: number) => number;
  trend: Trend | null;
  /** newest reading at this time; undefined = now (fresh) */
  pausedAt?: number;
}

function readingAt(
  t: number,
  mgdl: number,
  unit: Connection['unit'],
  trend: Trend | null,
  type: number,
): Reading {
  const rounded = Math.round(mgdl);
  return {
    timestamp: t,
    mgdl: rounded,
    value: fromMgdl(rounded, unit),
    unit,
    trend,
    isHigh: false,
    isLow: false,
    measurementColor: null,
    type,
  };
}

/** A reading a minute; the very first answer is three minutes old so the next one opens a gap. */
export class ScriptedUpstream implements UpstreamClient {
  readonly stats = { requests: 0, logins: 1 };
  private calls = 0;

  constructor(
    private readonly script: PatientScript,
    private readonly now: () => number = Date.now,
  ) {}

  private conn(latest: Reading | null): Connection {
    return connection({ ...this.script.connection, latest });
  }

  private newest(): number {
    const until = this.script.pausedAt ?? this.now();
    return Math.floor(until / MIN) * MIN;
  }

  async connections(): Promise<Connection[]> {
    this.stats.requests++;
    const first = this.calls++ === 0;
    const t = this.newest() - (first ? 3 * MIN : 0);
    const unit = this.script.connection.unit ?? 'mg/dL';
    return [this.conn(readingAt(t, this.script.curve(t), unit, this.script.trend, 1))];
  }

  async graph(): Promise<Graph> {
    this.stats.requests++;
    const unit = this.script.connection.unit ?? 'mg/dL';
    const to = this.newest() - 5 * MIN;
    const readings: Reading[] = [];
    for (let t = to - 12 * 60 * MIN; t <= to; t += 5 * MIN) {
      readings.push(readingAt(t, this.script.curve(t), unit, null, 0));
    }
    return { connection: this.conn(null), activeSensors: [], readings };
  }
}

/** Always fails like an account LibreLinkUp is rate-limiting. */
export class FailingUpstream implements UpstreamClient {
  readonly stats = { requests: 0, logins: 0 };
  async connections(): Promise<Connection[]> {
    this.stats.requests++;
    throw new LluError('rate_limited', 'HTTP 429', { httpStatus: 429, endpoint: 'connections' });
  }
  async graph(): Promise<Graph> {
    throw new Error('not reached');
  }
}

export function scripts(now: number): Record<string, PatientScript> {
  return {
    [FRESH_EMAIL]: {
      connection: {
        patientId: FRESH_PATIENT_ID,
        connectionId: 'c-fresh',
        firstName: 'Anna',
        lastName: 'Smith',
      },
      // A day with a high after breakfast and a dip in the night.
      curve: (t) => 130 + 70 * Math.sin(t / (95 * MIN)) + 25 * Math.sin(t / (23 * MIN)),
      trend: 'rising',
    },
    [STALE_EMAIL]: {
      connection: {
        patientId: STALE_PATIENT_ID,
        connectionId: 'c-stale',
        firstName: 'Ben',
        lastName: 'Jones',
        unit: 'mmol/L',
        targetLowMgdl: 72,
        targetHighMgdl: 162,
      },
      curve: (t) => 115 + 45 * Math.cos(t / (70 * MIN)),
      trend: 'falling',
      pausedAt: now - 42 * MIN,
    },
  };
}

export function statusConfig(dataDir = mkdtempSync(join(tmpdir(), 'llu-status-'))): Config {
  const account = (email: string) => ({
    email,
    password: PASSWORD,
    api_url: 'http://127.0.0.1:9',
    region_url: 'http://127.0.0.1:9/r/{region}',
  });
  return {
    ...configFrom({
      accounts: [account(FRESH_EMAIL), account(STALE_EMAIL), account(FAILING_EMAIL)],
      mqtt: { client_id: 'bridge-status-page-test', embedded: { host: '127.0.0.1', port: 0 } },
      poll: { interval: 30, min_interval: 0.2, timeout: 5 },
      data_dir: dataDir,
      log_level: 'debug',
    }),
    // Any free port: tests may use what the schema does not offer users.
    http: { host: '127.0.0.1', port: 0 },
  };
}

/** The app's client factory: a scripted upstream per account e-mail. */
export function upstreams(now = Date.now()) {
  const byEmail = scripts(now);
  return ({ account }: { account: { email: string } }): UpstreamClient => {
    const script = byEmail[account.email];
    return script === undefined ? new FailingUpstream() : new ScriptedUpstream(script);
  };
}

/** Polls `<url>/status.json` until `ok` holds, like the page does. */
export async function statusWhen(
  url: string,
  ok: (s: StatusBody) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<StatusBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(url, '/status.json');
    const body = res.status === 200 ? (JSON.parse(res.body) as StatusBody) : null;
    if (body !== null && ok(body)) return body;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
