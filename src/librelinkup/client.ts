// The LibreLinkUp follower client for one account: login (region redirect, terms steps, version
// adoption), then connections/graph/logbook with the session, re-logging in exactly once when the
// server forgets it. Every answer is schema-checked into the typed model; every failure is an
// LluError. Secrets (password, tokens, Account-Id) are registered with the logger and never logged.

import { type Logger, registerSecret } from '../log.js';
import type { ConnectionsAnswer, LluClientOptions, LluClientStats } from './client-options.js';
import { isLluError } from './errors.js';
import { Transport } from './http.js';
import { runLogin } from './login.js';
import { maskEmail } from './mask.js';
import type { Connection, Graph, Reading, Session } from './model.js';
import { type DataIssue, type ParseOptions, parseConnections, parseGraph, parseLogbook } from './parse.js';
import { patientPath } from './patient-path.js';
import { checkStatus, joinUrl, needsRelogin, type SendRequest } from './request.js';
import { sessionFromLogin, ticketOf, usableSession } from './session.js';
import { ticketClockWarning } from './tokens.js';
import { type UpstreamClock, upstreamClockFrom } from './upstream-clock.js';
import { compareVersions, isVersionString, maxVersion } from './versions.js';

export type { ConnectionsAnswer, LluClientOptions, LluClientStats } from './client-options.js';

const MAX_WARNINGS_REMEMBERED = 200;

export class LluClient {
  private current: Session | null;
  /**
   * The region the account's logins settled on (from the saved session or the last login). With
   * region `auto`, a re-login goes straight to that host: one request instead of a global-host
   * login answered by a redirect. A moved account is still followed: the regional host redirects too.
   */
  private knownRegion: string | null = null;
  private version: string;
  private logins = 0;
  private loginInFlight: Promise<Session> | null = null;
  private readonly transport: Transport;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly warned = new Set<string>();
  /** once per account and run: a clock mismatch, an unusable refreshed ticket */
  private clockWarned = false;
  private badTicketWarned = false;

  constructor(private readonly options: LluClientOptions) {
    registerSecret(options.password);
    registerSecret(options.session?.token, { rotating: true });
    registerSecret(options.session?.accountIdHash);
    this.now = options.now ?? Date.now;
    // Every line of this client names its account (masked) once.
    this.log = options.logger.child({ account: maskEmail(options.email) });
    this.current = usableSession(options.session ?? null);
    if (options.session && this.current === null) {
      this.log.warn(
        'the saved LibreLinkUp session is unusable (token not sendable as a header); logging in again',
      );
    }
    this.version = maxVersion(options.version, options.session?.version);
    if (options.region === 'auto') this.knownRegion = options.session?.region ?? null;
    this.transport = new Transport({
      logger: options.logger,
      now: this.now,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
  }

  get session(): Session | null {
    return this.current;
  }

  /** `version` header currently sent */
  get appVersion(): string {
    return this.version;
  }

  get stats(): LluClientStats {
    const { requests, byEndpoint } = this.transport.stats;
    return { requests, logins: this.logins, byEndpoint: { ...byEndpoint } };
  }

  /** Logs in (concurrent callers share one attempt) and returns the new session. */
  login(): Promise<Session> {
    this.loginInFlight ??= this.doLogin().finally(() => {
      this.loginInFlight = null;
    });
    return this.loginInFlight;
  }

  /** Every followed person with their latest reading (one request for all). */
  async connections(): Promise<Connection[]> {
    return (await this.connectionsAnswer()).connections;
  }

  /**
   * Every followed person, with LibreLinkUp's clock at the answer and the problems of single entries
   * (each cost only its field or entry; the caller logs them by patient).
   */
  async connectionsAnswer(): Promise<ConnectionsAnswer> {
    const issues: DataIssue[] = [];
    let clock: UpstreamClock = { now: this.now(), fromHeader: false };
    const connections = await this.authed('connections', '/llu/connections', (body) => {
      clock = upstreamClockFrom(this.transport.lastDateHeader, this.now());
      return parseConnections(body, {
        ...this.parseOptions(),
        upstreamNow: clock.now,
        onIssue: (issue) => issues.push(issue),
      });
    });
    return { connections, upstreamNow: clock.now, clockFromHeader: clock.fromHeader, issues };
  }

  /** ~12 h of 5-minute readings, oldest first, plus the connection. */
  async graph(patientId: string): Promise<Graph> {
    return this.authed('graph', patientPath(patientId, 'graph'), (body) => {
      const issues: DataIssue[] = [];
      const graph = parseGraph(body, {
        ...this.parseOptions(),
        upstreamNow: upstreamClockFrom(this.transport.lastDateHeader, this.now()).now,
        onIssue: (issue) => issues.push(issue),
      });
      return issues.length === 0 ? graph : { ...graph, issues };
    });
  }

  /** ~14 days of logbook readings (alarm entries included), oldest first. */
  async logbook(patientId: string): Promise<Reading[]> {
    return this.authed('logbook', patientPath(patientId, 'logbook'), (body) =>
      parseLogbook(body, this.parseOptions()),
    );
  }

  /** Releases keep-alive sockets. The client must not be used afterwards. */
  close(): void {
    this.transport.close();
  }

  private async doLogin(): Promise<Session> {
    this.logins += 1;
    const { email, password } = this.options;
    const result = await runLogin({
      email,
      password,
      region: this.options.region === 'auto' ? (this.knownRegion ?? 'auto') : this.options.region,
      apiUrl: this.options.apiUrl,
      regionUrl: this.options.regionUrl,
      acceptTerms: this.options.acceptTerms,
      logger: this.log,
      send: (req) => this.send(req),
    });
    if (this.options.region === 'auto') this.knownRegion = result.region;
    const session = sessionFromLogin(result, this.version);
    registerSecret(session.token, { rotating: true });
    registerSecret(session.accountIdHash);
    this.setSession(session);
    this.log.info({ host: new URL(result.baseUrl).host, region: result.region }, 'logged in to LibreLinkUp');
    this.checkClock(result.expiresAt);
    return session;
  }

  /**
   * The session in use: kept until LibreLinkUp refuses it, whatever its `expires` says. A clock
   * ahead of LibreLinkUp's (or an odd `expires`) must not turn every poll into a login.
   */
  private async ensureSession(): Promise<Session> {
    return this.current ?? this.login();
  }

  private checkClock(expiresAt: number): void {
    if (this.clockWarned) return;
    const local = this.now();
    const upstream = upstreamClockFrom(this.transport.lastDateHeader, local);
    const warning = ticketClockWarning(expiresAt, local, upstream.fromHeader ? upstream.now : null);
    if (warning === null) return;
    this.clockWarned = true;
    this.log.warn({ expires: new Date(expiresAt).toISOString() }, warning);
  }

  private async authed<T>(endpoint: string, path: string, parse: (body: unknown) => T): Promise<T> {
    let session = await this.ensureSession();
    let body: unknown;
    try {
      body = await this.sendAuthed(endpoint, path, session);
    } catch (err) {
      if (!needsRelogin(err)) throw err;
      // Exactly one fresh login and one retry; a second refusal surfaces to the caller.
      this.log.info({ endpoint, reason: err.kind }, 'LibreLinkUp refused the session; logging in again');
      this.setSession(null);
      session = await this.login();
      body = await this.sendAuthed(endpoint, path, session);
    }
    checkStatus(body, endpoint);
    const result = parse(body);
    this.refreshTicket(body);
    return result;
  }

  private sendAuthed(endpoint: string, path: string, session: Session): Promise<unknown> {
    return this.send({
      endpoint,
      method: 'GET',
      url: joinUrl(session.baseUrl, path),
      token: session.token,
      accountIdHash: session.accountIdHash,
    });
  }

  /** One request; a 920 answer raises the version header once and repeats the request once. */
  private async send(req: SendRequest): Promise<unknown> {
    // Keeps the token in use among the logger's recent secrets (see registerSecret).
    registerSecret(this.current?.token, { rotating: true });
    try {
      return await this.transport.request({ ...req, version: this.version });
    } catch (err) {
      if (!isLluError(err) || err.kind !== 'version' || !this.adoptVersion(err.minimumVersion)) throw err;
      return await this.transport.request({ ...req, version: this.version });
    }
  }

  private adoptVersion(minimum: string | undefined): boolean {
    if (minimum === undefined || !isVersionString(minimum) || compareVersions(minimum, this.version) <= 0) {
      return false;
    }
    this.log.warn(
      { from: this.version, to: minimum },
      `LibreLinkUp requires app version ${minimum}; sending it from now on`,
    );
    this.version = minimum;
    if (this.current !== null) this.setSession({ ...this.current, version: minimum });
    return true;
  }

  /**
   * Authenticated answers carry a renewed `ticket`; adopt it when it is usable. One that could not be
   * sent as a header is ignored (the current token keeps working until LibreLinkUp refuses it).
   */
  private refreshTicket(body: unknown): void {
    const s = this.current;
    if (s === null) return;
    const ticket = ticketOf(body);
    if (ticket.kind === 'none') return;
    if (ticket.kind === 'unsendable') {
      if (!this.badTicketWarned) {
        this.badTicketWarned = true;
        this.log.warn(
          { length: ticket.length },
          'LibreLinkUp renewed the session with a token that cannot be sent as an HTTP header; ignored, keeping the current one',
        );
      }
      return;
    }
    const { token, expiresAt } = ticket;
    if (token === s.token && expiresAt === s.expiresAt) return;
    registerSecret(token, { rotating: true });
    this.setSession({ ...s, token, expiresAt });
    this.checkClock(expiresAt);
  }

  private setSession(session: Session | null): void {
    this.current = session;
    this.options.onSessionChange?.(session);
  }

  private parseOptions(): ParseOptions {
    return {
      onWarning: (message) => {
        if (this.warned.has(message)) return;
        if (this.warned.size >= MAX_WARNINGS_REMEMBERED) this.warned.clear();
        this.warned.add(message);
        this.log.warn(`LibreLinkUp data oddity: ${message}`);
      },
    };
  }
}
