// Polls one LibreLinkUp account: one /llu/connections call per poll for every patient's latest
// reading, /graph only to fill a detected gap. Turns results into snapshots, alerts and an ordered
// reading log for the sink; persists after every change; backs off per the rules in backoff.ts.
// Failures of one account never touch another.

import type { AccountConfig, PollConfig } from '../config/types.js';
import type { ConnectionsAnswer } from '../librelinkup/client.js';
import { describeLluError } from '../librelinkup/describe.js';
import { policyOf } from '../librelinkup/error-policy.js';
import { internalError, isLluError } from '../librelinkup/errors.js';
import type { Connection, Graph, Reading } from '../librelinkup/model.js';
import { type Logger, safeText } from '../log.js';
import { safeTimeout } from '../timers.js';
import { nextAlerts } from './alerts.js';
import { retryDelay } from './backoff.js';
import { observe, type Pace, periodOf } from './cadence.js';
import { isStale, staleAt } from './classify.js';
import type { AccountStatus, BridgeSink, PatientSnapshot, PatientView } from './events.js';
import { addToHistory, type History } from './history.js';
import type { HistoryStore } from './history-store.js';
import {
  addGraph,
  addLive,
  graphUnavailable,
  markPublished,
  nextToPublish,
  rewind,
  wantsGraph,
} from './outbox.js';
import { buildSnapshot, fullName, matchPatient, slugify, thresholdsFor } from './patient.js';
import type { People } from './people.js';
import { ABSENCE_ANSWERS, ABSENCE_MS } from './presence.js';
import { nextPollAt, spacingOf } from './schedule.js';
import { computeStats } from './stats.js';
import type { AccountStore, PersistedAccount, PersistedPatient } from './store.js';
import { TimeGuard } from './time-guard.js';

export interface UpstreamClient {
  connections(): Promise<Connection[]>;
  /** connections with LibreLinkUp's clock and per-entry issues; clients without it are judged by the local clock */
  connectionsAnswer?(): Promise<ConnectionsAnswer>;
  graph(patientId: string): Promise<Graph>;
  readonly stats: { requests: number; logins: number };
}

export interface PollerDeps {
  key: string;
  label: string;
  account: AccountConfig;
  poll: PollConfig;
  client: UpstreamClient;
  store: AccountStore;
  persisted: PersistedAccount;
  sink: BridgeSink;
  /** the followed people, shared with every other account's poller */
  people: People<Tracked>;
  /** every account's patient selection by key, so the account that names a person can be found */
  patientConfigs: ReadonlyMap<string, AccountConfig['patients']>;
  logger: Logger;
  /** each person's last 24 h in data_dir (absent: in memory only) */
  history?: HistoryStore;
  /** a stable value in [0, 1) spreading this account's polls against the others */
  spread: number;
  now?: () => number;
  random?: () => number;
}

export interface Tracked extends PersistedPatient {
  /** last 24 h of readings for time in range, average and GMI; kept in memory only */
  history: History;
  /**
   * Whether this process read the graph once for this patient. History lives in memory, so after a
   * start the chart and time in range would stay empty for hours; one graph read per patient per
   * start seeds ~12 h of it (a request the steady state never repeats).
   */
  historySeeded: boolean;
  /** whether the readings stored in data_dir (history-store.ts) were merged in this run */
  historyLoaded?: boolean;
  /** failed seed reads this run; given up after SEED_ATTEMPTS so a broken graph costs no request per poll */
  seedFailures?: number;
  stale: boolean;
  staleTimer: NodeJS.Timeout | null;
  draining: boolean;
  /** what was stored has been judged against LibreLinkUp's clock (time-guard.ts forgetAhead) */
  clockChecked?: boolean;
  /**
   * The readings accepted lately (time and value), whatever this machine's clock says (`history`
   * keeps only what its clock finds plausible): another account showing one again is a replay.
   */
  recent?: readonly string[];
}

/** Accepted readings remembered for replay detection: an hour at one per minute. */
const RECENT_MAX = 60;

function readingKey(r: Reading): string {
  return `${r.timestamp}:${r.mgdl}`;
}

/** Tries of the one graph read that seeds a patient's history at start. */
const SEED_ATTEMPTS = 3;

/** The live record of a person from what was persisted (or a starting record). */
export function trackedFrom(saved: PersistedPatient, now: number): Tracked {
  return {
    ...saved,
    history: addToHistory([], saved.latest ? [saved.latest] : [], now),
    historySeeded: false,
    stale: isStale(saved.latest, now),
    staleTimer: null,
    draining: false,
  };
}

export class AccountPoller {
  private readonly now: () => number;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private polling = false;
  private lastPollAt: number | null = null;
  private failures = 0;
  private lastErrorKind: string | null = null;
  private readonly state: Omit<AccountStatus, 'requests' | 'logins'>;
  private readonly time: TimeGuard;

  /** The people this account follows (shared records; see people.ts). */
  private get patients(): Map<string, Tracked> {
    return this.deps.people.heldBy(this.deps.key, this.now());
  }

  constructor(private readonly deps: PollerDeps) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.time = new TimeGuard(deps.logger);
    this.state = {
      key: deps.key,
      label: deps.label,
      ok: false,
      errorKind: null,
      message: null,
      lastSuccessAt: null,
      lastErrorAt: null,
      nextPollAt: null,
      blockedUntil: null,
    };
  }

  status(): AccountStatus {
    const { requests, logins } = this.deps.client.stats;
    return { ...this.state, requests, logins };
  }

  /**
   * Now, by the clock readings are aged with: this machine's, corrected by LibreLinkUp's lead when the
   * two disagree by minutes (time-guard.ts). Timers and request pacing keep this machine's clock.
   */
  private readingNow(): number {
    return this.now() + this.time.clockOffset();
  }

  /** Read-only, for the status page: each followed patient's snapshot as of now and the readings held. */
  patientViews(): PatientView[] {
    const now = this.readingNow();
    // A person followed through several accounts is listed once, under the account that names them.
    return [...this.patients.entries()]
      .filter(([id]) => this.deps.people.ownerOf(id, now) === this.deps.key)
      .map(([, t]) => ({ snapshot: this.snapshot(t, now), history: t.history, readingNow: now }));
  }

  /** Show what is known from the last run (stale or not), then start polling. */
  start(): void {
    this.running = true;
    const now = this.now();
    for (const gone of this.deps.people.takeRemovedAtStart(this.deps.key)) {
      // Dropped from the config of every account since the last run: take its entities away.
      this.guarded(gone.slug, () => this.deps.sink.patientRemoved(this.snapshot(gone, now)));
    }
    for (const [patientId, tracked] of this.patients) {
      // Shown once, by the account that names the person, however many accounts follow them.
      if (this.deps.people.ownerOf(patientId, now) !== this.deps.key) continue;
      // Fires `stale` if the reading went stale while the bridge was down.
      this.guarded(tracked.slug, () => this.refresh(tracked));
      this.armStaleTimer(tracked);
      void this.drain(tracked);
    }
    this.persist();
    this.publishStatus();
    this.schedule(nextPollAt({ ...this.scheduleInput(now), lastPollAt: null }));
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const t of this.patients.values()) if (t.staleTimer) clearTimeout(t.staleTimer);
    this.persist();
  }

  /** "Poll now" from Home Assistant: soon, but never against a lockout or inside min_interval. */
  pollNow(): void {
    if (!this.running) return;
    const now = this.now();
    const blocked = this.state.blockedUntil;
    if (blocked !== null && blocked > now) {
      this.deps.logger.warn(`poll now ignored: no requests until ${iso(blocked)}`);
      return;
    }
    const earliest = this.lastPollAt === null ? now : this.lastPollAt + this.pace.spacingMs;
    if (!this.polling) this.schedule(Math.max(now, earliest));
  }

  private schedule(at: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.state.nextPollAt = at;
    this.timer = safeTimeout(() => void this.poll(), at - this.now());
  }

  /** The freshness setting (requests per reading the schedule may spend) and the spacing it gives. */
  private get pace(): Pace {
    const freshness = this.deps.poll.freshness ?? 'balanced';
    return { freshness, spacingMs: spacingOf(this.deps.poll.min_interval * 1000, freshness) };
  }

  private scheduleInput(now: number) {
    return {
      now,
      lastPollAt: this.lastPollAt,
      minIntervalMs: this.deps.poll.min_interval * 1000,
      intervalMs: this.deps.poll.interval * 1000,
      freshness: this.pace.freshness,
      spread: this.deps.spread,
      patients: [...this.patients.values()].map((p) => ({
        latestTs: p.latest?.timestamp ?? null,
        cadence: p.cadence,
      })),
    };
  }

  async poll(): Promise<void> {
    if (!this.running || this.polling) return;
    this.polling = true;
    const startedAt = this.now();
    const previousPollAt = this.lastPollAt;
    this.lastPollAt = startedAt;
    let retryAt: number | null = null;
    try {
      const answer = await this.time.fetch(this.deps.client, this.now);
      this.time.beforeConnections(answer, this.now(), this.trackedForTime());
      this.onConnections(answer.connections, startedAt, previousPollAt);
      this.time.afterConnections(answer, this.trackedForTime());
      await this.backfill();
      this.onSuccess();
    } catch (error) {
      retryAt = this.onFailure(error);
    } finally {
      this.polling = false;
      this.persist();
      this.guarded(null, () => this.publishStatus());
      // Whatever failed above, the next poll is always scheduled (a bug must not stop the polling).
      let at = retryAt;
      this.guarded(null, () => {
        at ??= nextPollAt(this.scheduleInput(this.now()));
      });
      if (this.running) this.schedule(at ?? this.now() + this.deps.poll.interval * 1000);
    }
  }

  private onConnections(connections: Connection[], seenAt: number, previousPollAt: number | null): void {
    const seen = new Set<string>();
    const pollGap = previousPollAt === null ? Number.POSITIVE_INFINITY : seenAt - previousPollAt;
    for (const connection of connections) {
      const cfg = matchPatient(connection, this.deps.account.patients);
      if (cfg === undefined) continue;
      seen.add(connection.patientId);
      // A bug of ours with one person must not keep the account's other people from being updated.
      const slug = this.deps.people.get(connection.patientId)?.slug ?? null;
      this.guarded(slug, () => this.onConnection(connection, cfg, seenAt, pollGap));
    }
    this.onPresence(seen, seenAt);
  }

  /** One entry of this account's answer: the shared record, the time rules, the snapshot. */
  private onConnection(
    connection: Connection,
    cfg: ReturnType<typeof matchPatient>,
    seenAt: number,
    pollGap: number,
  ): void {
    const base = slugify(cfg?.name ?? fullName(connection));
    const adopted = this.deps.people.adopt(this.deps.key, connection, base, seenAt);
    const tracked = adopted.record;
    if (adopted.created) {
      this.deps.logger.info(
        { patient: tracked.slug },
        adopted.returning
          ? 'following a patient again; readings and events already published are not repeated'
          : 'following a new patient',
      );
    }
    // What was stored of the person (their record, or a returning person's tombstone) is judged
    // against LibreLinkUp's clock by the first account that sees them, whichever holds the file.
    if (!tracked.clockChecked) {
      tracked.clockChecked = true;
      this.time.forgetAhead(forTime(connection.patientId, tracked));
    }
    tracked.connection = connection;
    const reading = connection.latest;
    if (reading !== null) this.judgeLive(tracked, reading, seenAt, pollGap);
    this.refresh(tracked);
  }

  /** Who this answer left out: kept until confirmed (presence.ts), removed once no account follows them. */
  private onPresence(seen: ReadonlySet<string>, at: number): void {
    const { logger } = this.deps;
    const outcome = this.deps.people.answered(this.deps.key, seen, at);
    const confirm = `${ABSENCE_ANSWERS} answers and ${ABSENCE_MS / 60_000} minutes`;
    for (const t of outcome.missing)
      logger.info(
        { patient: t.slug },
        `patient missing from this account's answer; entities kept unless it stays away for ${confirm}`,
      );
    for (const t of outcome.back) logger.info({ patient: t.slug }, "patient back in this account's answer");
    for (const t of outcome.dropped)
      logger.info(
        { patient: t.slug },
        'patient no longer shared with this account; still followed through another account, entities kept',
      );
    for (const t of outcome.gone) {
      logger.warn(
        { patient: t.slug },
        `patient no longer shared with any configured account (confirmed over ${confirm}); removing its entities`,
      );
      if (t.staleTimer) clearTimeout(t.staleTimer);
      t.staleTimer = null;
      this.deps.sink.patientRemoved(this.snapshot(t, this.readingNow()));
    }
  }

  /** The time rules of time-sanity.ts decide; accepted readings go through acceptLive in order. */
  private judgeLive(tracked: Tracked, reading: Reading, seenAt: number, pollGap: number): void {
    // The record is shared: another account may have accepted this reading already.
    const known =
      (tracked.recent ?? []).includes(readingKey(reading)) ||
      tracked.history.some((r) => r.timestamp === reading.timestamp && r.mgdl === reading.mgdl);
    const outcome = this.time.judge(
      tracked.connection.patientId,
      tracked.slug,
      reading,
      tracked.latest,
      known,
    );
    if (outcome.rewindFrom !== null) forgetFrom(tracked, outcome.rewindFrom);
    for (const r of outcome.accept) this.acceptLive(tracked, r, seenAt, pollGap);
  }

  /** What the time guard may read and correct: the tracked patients by id. */
  private trackedForTime() {
    return [...this.patients.entries()].map(([patientId, t]) => forTime(patientId, t));
  }

  private acceptLive(tracked: Tracked, reading: Reading, seenAt: number, pollGap: number): void {
    const previousTs = tracked.latest?.timestamp ?? null;
    tracked.cadence = observe(tracked.cadence, reading.timestamp, previousTs, seenAt, pollGap, this.pace);
    tracked.log = addLive(tracked.log, reading, periodOf(tracked.cadence), seenAt);
    tracked.latest = reading;
    tracked.recent = [...(tracked.recent ?? []).slice(1 - RECENT_MAX), readingKey(reading)];
    tracked.history = addToHistory(tracked.history, [reading], this.readingNow());
    this.deps.history?.append(tracked.connection.patientId, [reading], tracked.history);
    this.deps.logger.info(
      {
        patient: tracked.slug,
        mgdl: reading.mgdl,
        trend: reading.trend,
        at: iso(reading.timestamp),
      },
      'new reading',
    );
    this.armStaleTimer(tracked);
    void this.drain(tracked);
  }

  /** Once per person and run: the readings kept in data_dir join the history (24 h figures at once). */
  private loadHistory(tracked: Tracked): void {
    if (tracked.historyLoaded === true || this.deps.history === undefined) return;
    tracked.historyLoaded = true;
    const stored = this.deps.history.load(tracked.connection.patientId, tracked.slug);
    tracked.history = addToHistory(tracked.history, stored, this.readingNow());
  }

  /** Recompute the snapshot and fire alerts for what changed. */
  private refresh(tracked: Tracked): void {
    this.loadHistory(tracked);
    const now = this.readingNow();
    const snapshot = this.snapshot(tracked, now);
    tracked.stale = snapshot.stale;
    const { alerts, memory } = nextAlerts(
      tracked.alerts,
      {
        reading: snapshot.latest,
        range: snapshot.range,
        stale: snapshot.stale,
        sensorSerial: snapshot.sensor?.serial ?? null,
        sensorEnded: snapshot.stats.sensorProblem === 'ended',
      },
      now,
    );
    tracked.alerts = memory;
    this.deps.sink.patientChanged(snapshot);
    for (const alert of alerts) this.deps.sink.alert(snapshot, alert);
  }

  private armStaleTimer(tracked: Tracked): void {
    if (tracked.staleTimer) clearTimeout(tracked.staleTimer);
    tracked.staleTimer = null;
    const at = staleAt(tracked.latest);
    if (at === null || !this.running) return;
    const wait = at - this.readingNow();
    if (wait <= 0) return;
    tracked.staleTimer = safeTimeout(() => {
      tracked.staleTimer = null;
      if (!this.running || this.deps.people.get(tracked.connection.patientId) !== tracked) return;
      this.deps.logger.warn(
        { patient: tracked.slug, since: iso(tracked.latest?.timestamp ?? 0) },
        'no new reading for 15 minutes: glucose is now stale and shown as unavailable',
      );
      this.guarded(tracked.slug, () => this.refresh(tracked));
      this.persist();
    }, wait);
  }

  private async backfill(): Promise<void> {
    // LibreLinkUp refused the session on a graph read after the client's one fresh login: each
    // further read this poll would cost another login, so the others wait for the next poll.
    let sessionRefused = false;
    for (const tracked of this.deps.people.seenBy(this.deps.key).values()) {
      if (sessionRefused) break;
      const gap = wantsGraph(tracked.log, this.now());
      if (!gap && tracked.historySeeded) continue;
      try {
        const graph = await this.deps.client.graph(tracked.connection.patientId);
        this.time.graphIssues(tracked.connection.patientId, tracked.slug, graph.issues ?? []);
        if (gap) tracked.log = addGraph(tracked.log, graph.readings, this.now());
        tracked.history = addToHistory(tracked.history, graph.readings, this.readingNow());
        this.deps.history?.append(tracked.connection.patientId, graph.readings, tracked.history);
        tracked.historySeeded = true;
      } catch (error) {
        // A failed backfill must not fail the poll that already delivered the live reading.
        if (isLluError(error) && policyOf(error.kind).stopsGapFill) throw error;
        const kind = isLluError(error) ? error.kind : 'internal';
        sessionRefused = policyOf(kind).endsSession;
        // A bug of ours, with its stack: the user is asked to report it with the log.
        const bug = kind === 'internal' ? { err: error } : {};
        if (!gap) {
          tracked.seedFailures = (tracked.seedFailures ?? 0) + 1;
          if (tracked.seedFailures >= SEED_ATTEMPTS) tracked.historySeeded = true;
          this.deps.logger[kind === 'internal' ? 'error' : 'info'](
            { patient: tracked.slug, kind, attempt: tracked.seedFailures, ...bug },
            tracked.historySeeded
              ? 'could not read the graph to seed the history; the chart and 24 h figures fill from live readings'
              : 'could not read the graph to seed the history; will try again at the next poll',
          );
          continue;
        }
        this.deps.logger[kind === 'internal' ? 'error' : 'warn'](
          { patient: tracked.slug, kind, ...bug },
          'could not read the graph to fill a gap; will retry',
        );
        tracked.log = graphUnavailable(tracked.log, this.now());
      }
      void this.drain(tracked);
    }
  }

  /** Publish the reading log (live readings first, then the backfill), one acknowledged reading at a time. */
  private async drain(tracked: Tracked): Promise<void> {
    if (tracked.draining) return;
    tracked.draining = true;
    try {
      for (;;) {
        const next = nextToPublish(tracked.log, this.now());
        if (next === null || this.deps.people.get(tracked.connection.patientId) !== tracked) break;
        await this.deps.sink.reading(this.snapshot(tracked, this.readingNow()), next.reading, {
          backfilled: next.backfilled,
        });
        tracked.log = markPublished(tracked.log, next.reading.timestamp);
        this.persist();
      }
    } catch (error) {
      this.deps.logger.error(
        { patient: tracked.slug, err: error },
        'could not publish a reading; will retry',
      );
      safeTimeout(() => void this.drain(tracked), 5_000);
    } finally {
      tracked.draining = false;
    }
  }

  /**
   * Runs `fn` where nothing catches (a timer, a start, after a poll): a bug of ours is logged as
   * `internal` with its stack instead of ending the process or the polling.
   */
  private guarded(patient: string | null, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.deps.logger.error(
        { ...(patient !== null ? { patient } : {}), kind: 'internal', err: error },
        safeText(internalError(error).message),
      );
    }
  }

  private onSuccess(): void {
    if (!this.state.ok && this.lastErrorKind !== null) {
      this.deps.logger.info({ account: this.deps.label }, 'LibreLinkUp answers again');
    }
    this.failures = 0;
    this.lastErrorKind = null;
    Object.assign(this.state, {
      ok: true,
      errorKind: null,
      message: null,
      lastSuccessAt: this.now(),
      blockedUntil: null,
    });
  }

  private onFailure(error: unknown): number {
    const now = this.now();
    // Not an LluError: a bug of ours, never to be shown as an upstream or network problem.
    const err = isLluError(error) ? error : internalError(error);
    // Consecutive failures of any kind: an upstream flapping between kinds (502, timeout, 502...)
    // must back off too, not retry at the first step each time.
    this.failures += 1;
    this.lastErrorKind = err.kind;
    // Never sooner than min_interval after the poll that failed.
    const earliest = (this.lastPollAt ?? now) + this.deps.poll.min_interval * 1000;
    const retryAt = Math.max(earliest, now + retryDelay(err, this.failures, now, this.random));
    // The one point where a failure becomes text for MQTT, the status page and /health.
    const message = safeText(describeLluError(err, now));
    Object.assign(this.state, {
      ok: false,
      errorKind: err.kind,
      message,
      lastErrorAt: now,
      blockedUntil: retryAt,
    });
    this.deps.logger[policyOf(err.kind).severity](
      {
        kind: err.kind,
        attempt: this.failures,
        retry_at: iso(retryAt),
        // With its stack: the user is asked to report it with the log.
        ...(err.kind === 'internal' ? { err: error } : {}),
      },
      `${message} Next attempt at ${iso(retryAt)}.`,
    );
    return retryAt;
  }

  private snapshot(tracked: PersistedPatient & { history?: History }, now: number): PatientSnapshot {
    const { connection, latest } = tracked;
    // Named by one account's configuration, whichever account this poller is.
    const owner = this.deps.people.ownerOf(connection.patientId, now) ?? this.deps.key;
    const configs = this.deps.patientConfigs;
    const cfg = matchPatient(
      connection,
      configs.has(owner) ? configs.get(owner) : this.deps.account.patients,
    );
    const thresholds = thresholdsFor(connection, cfg);
    const stats = computeStats({
      history: tracked.history ?? (latest ? [latest] : []),
      latest,
      unit: connection.unit,
      thresholds,
      alarms: { highMgdl: connection.alarms.highMgdl },
      sensor: connection.sensor,
      deviceTypeId: connection.deviceTypeId,
      ...(cfg?.sensor_days !== undefined ? { sensorDaysOverride: cfg.sensor_days } : {}),
      now,
    });
    return buildSnapshot({
      accountKey: owner,
      connection,
      cfg,
      slug: tracked.slug,
      latest,
      sensor: connection.sensor,
      stats,
      now,
    });
  }

  private publishStatus(): void {
    this.deps.sink.accountChanged(this.status());
  }

  private persist(): void {
    const patients: Record<string, PersistedPatient> = {};
    for (const [id, t] of this.patients) {
      patients[id] = {
        slug: t.slug,
        connection: t.connection,
        latest: t.latest,
        log: t.log,
        alerts: t.alerts,
        cadence: t.cadence,
      };
    }
    // save() never throws: a write failure is reported by the store, once per outage, with the fix.
    this.deps.store.save({
      ...this.deps.persisted,
      session: this.deps.persisted.session,
      patients,
      gone: this.deps.people.tombstonesNow(this.now()),
    });
  }

  /** The session changed (login, refreshed ticket): keep it so a restart does not log in again. */
  saveSession(session: PersistedAccount['session']): void {
    this.deps.persisted.session = session;
    this.persist();
  }
}

function forTime(patientId: string, t: Tracked) {
  return {
    patientId,
    slug: t.slug,
    newestTs: Math.max(
      t.latest?.timestamp ?? 0,
      t.log.lastPublishedTs ?? 0,
      t.log.outbox.at(-1)?.timestamp ?? 0,
    ),
    forgetFrom: (from: number) => forgetFrom(t, from),
  };
}

/** Forget a patient's readings at or after `from` (an abandoned or impossible timeline; see time-sanity.ts). */
function forgetFrom(t: Tracked, from: number): void {
  if (t.latest !== null && t.latest.timestamp >= from) t.latest = null;
  t.log = rewind(t.log, from);
  t.history = t.history.filter((r) => r.timestamp < from);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
