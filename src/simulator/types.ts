// Control surface of the fake LibreLinkUp server (src/simulator). Tests, `demo` and `bench/` drive
// the fake through this interface only. The simulator must not import src/librelinkup: it is an
// independent reading of the reference notes, so it cannot share the client's misreadings.

export type SimUnit = 'mg/dL' | 'mmol/L';

export interface SimSensor {
  serial: string;
  /** epoch ms */
  activatedAt: number;
  warmupMinutes?: number;
  /** product type `pt` (4 = Libre 3 in every fixture) */
  productType?: number;
}

export interface SimPatientSpec {
  patientId: string;
  firstName: string;
  lastName: string;
  unit: SimUnit;
  targetLow?: number; // mg/dL, default 70
  targetHigh?: number; // mg/dL, default 180
  /** mg/dL as a function of the reading's FactoryTimestamp (epoch ms). Default: a gentle sine. */
  curve?: (t: number) => number;
  /** ms between two readings (default 60 000) */
  periodMs?: number;
  /** ms after FactoryTimestamp before a reading becomes visible upstream (default 0), or a function per reading */
  uploadLagMs?: number | ((readingTime: number) => number);
  /** epoch ms of the first reading ever (default: 24 h before the server starts) */
  firstReadingAt?: number;
  /** ms by which the graph's newest point lags the current reading (default 15 periods: 15 min at 60 s) */
  graphLagMs?: number;
  /** default: active Libre 3 sensor activated 3 days ago; null = no active sensor */
  sensor?: SimSensor | null;
  /** TrendArrow override for the current reading (0 = not determined) */
  trendArrow?: number | ((t: number) => number);
  /** minutes offset of the patient's phone clock for `Timestamp` (default +60) */
  localOffsetMinutes?: number;
}

export interface SimAccountSpec {
  email: string;
  password: string;
  /** user.id (UUID); Account-Id must be sha256 hex of it */
  userId?: string;
  /** region the account is homed in; login at the global host answers a redirect to it (default 'eu') */
  region?: string;
  /** patientIds this account follows */
  patients: string[];
  /** pending login steps, answered with status 4 in order until accepted via /auth/continue/{type} */
  pendingSteps?: Array<'tou' | 'pp' | 'verifyEmail'>;
  /** user.uom on login, default mg/dL */
  unit?: SimUnit;
}

export type SimEndpoint = 'login' | 'connections' | 'graph' | 'logbook' | 'continue' | 'any';

/** A scripted failure, served instead of the normal answer for `times` matching requests. */
export type SimFault =
  | { kind: 'http429'; retryAfterSeconds?: number }
  | { kind: 'locked'; lockoutSeconds?: number } // status 429 body, HTTP 200
  | { kind: 'cloudflare'; httpStatus?: 403 | 503 | 520 } // HTML page
  | { kind: 'http430' } // empty body
  /** `html: true` a Heroku error page; `'cloudflare'` Cloudflare's bad-gateway page (the origin is down) */
  | { kind: 'server_error'; httpStatus?: 500 | 502 | 503 | 504; html?: boolean | 'cloudflare' }
  | { kind: 'maintenance' } // {"status":911}
  | {
      kind: 'malformed';
      variant: 'not_json' | 'empty' | 'missing_data' | 'wrong_types' | 'bad_timestamp' | 'truncated';
    }
  | { kind: 'hang'; ms: number } // hold the request open, then answer normally (or never if ms = Infinity)
  | { kind: 'unauthorized' } // 401 invalid or expired jwt
  | { kind: 'missing_cached_user' }
  | { kind: 'version'; minimumVersion?: string } // 403 status 920
  /**
   * An error answer that echoes the request's secrets (password, e-mail, Bearer token) padded to
   * `length` characters, in the field `as` names: a 920 minimumVersion (default), a login step
   * type, a login redirect region, or a {"message"} error word.
   */
  | { kind: 'echo_secrets'; as?: 'version' | 'step' | 'region' | 'message'; length?: number }
  /**
   * The normal answer, with its ticket (login authTicket or a refreshed `ticket`) rewritten: `token`
   * replaces the token sent (the server still only accepts the one it issued), `expiresShiftMs`
   * moves the `expires` it announces (the token's real validity is unchanged).
   */
  | { kind: 'ticket'; token?: string; expiresShiftMs?: number }
  | { kind: 'bomb'; inflatedMb?: number } // gzip answer that inflates to inflatedMb (default 512) MB
  /**
   * Hostile data for one patient in otherwise normal connections/graph answers (combines with other
   * faults): `set` puts any JSON value at a dot path inside the patient's connection object (e.g.
   * `glucoseMeasurement.ValueInMgPerDl`, `sensor.a`, `firstName`; on graph answers
   * `graphData.<index>.<field>` spoils one point); `readingOffsetMs` moves the
   * current reading's timestamps (future: positive, backwards: negative).
   */
  | { kind: 'hostile'; patientId: string; set?: Record<string, unknown>; readingOffsetMs?: number };

export interface SimFaultRule {
  endpoint: SimEndpoint;
  fault: SimFault;
  /** how many matching requests get the fault (default 1; Infinity = until cleared) */
  times?: number;
  /** only for this account's requests (by e-mail) */
  email?: string;
}

export interface SimRequestLogEntry {
  at: number;
  method: string;
  /** path without the region prefix, e.g. "/llu/connections" */
  path: string;
  /** region code of the host addressed, or null for the global host */
  region: string | null;
  endpoint: SimEndpoint | 'other';
  /** e-mail of the account the request was for (login body or token), if known */
  email: string | null;
  status: number;
  /** what the fake answered, e.g. "ok", "redirect", "bad_credentials", "locked", fault kind */
  outcome: string;
  /** request headers, lower-cased names */
  headers: Record<string, string>;
}

export interface SimOptions {
  /** default Date.now; tests with fake timers get it for free */
  now?: () => number;
  accounts: SimAccountSpec[];
  patients: SimPatientSpec[];
  /** the minimum app version accepted (default 4.16.0) */
  minimumVersion?: string;
  /** token lifetime in ms (default 180 days) */
  tokenLifetimeMs?: number;
  /** failed logins within `lockoutWindowSeconds` that lock the account (default 3 within 60 s → 300 s) */
  lockoutFailures?: number;
  lockoutWindowSeconds?: number;
  lockoutSeconds?: number;
  /** ms by which the `Date` header of every answer differs from `now` (the readings' clock); default 0 */
  clockOffsetMs?: number;
  /** status for a wrong Account-Id (UNSURE upstream: 400 RequiredHeaderMissing or 403); default 400 */
  wrongAccountIdStatus?: 400 | 403;
  port?: number; // default 0 (OS-assigned)
}

export interface FakeLibreLinkUpServer {
  /** global entry point, e.g. http://127.0.0.1:PORT */
  readonly apiUrl: string;
  /** region template, e.g. http://127.0.0.1:PORT/r/{region} */
  readonly regionUrl: string;
  readonly port: number;
  readonly requests: readonly SimRequestLogEntry[];
  clearRequests(): void;
  addFault(rule: SimFaultRule): void;
  clearFaults(): void;
  /** invalidate every token of an account: next authenticated call answers 401 */
  revokeTokens(email: string): void;
  setPassword(email: string, password: string): void;
  setPendingSteps(email: string, steps: Array<'tou' | 'pp' | 'verifyEmail'>): void;
  /** add or remove a followed patient at run time */
  follow(email: string, patientId: string): void;
  unfollow(email: string, patientId: string): void;
  setSensor(patientId: string, sensor: SimSensor | null): void;
  /** stop producing new readings (phone offline); `resume` continues from the clock */
  pauseReadings(patientId: string): void;
  resumeReadings(patientId: string): void;
  /**
   * Every reading visible upstream at `at` (default now), oldest first: the truth tests compare
   * MQTT against. `availableAt` = FactoryTimestamp + upload lag.
   */
  readingsOf(
    patientId: string,
    at?: number,
  ): Array<{ timestamp: number; mgdl: number; trendArrow: number; availableAt: number }>;
  close(): Promise<void>;
  /**
   * Leave a followed patient out of the account's next `answers` connections answers (default 1),
   * as upstream sometimes does for a moment; the patient is followed throughout.
   */
  hideFor(email: string, patientId: string, answers?: number): void;
  /** ms by which the `Date` header differs from the readings' clock from now on */
  setClockOffset(ms: number): void;
}
