// The poller's edge for the time rules (time-sanity.ts) and the per-entry data issues
// (data-issues.ts): keeps their memories per account and patient, and logs each finding once, by
// patient slug and JSON path, never with a long raw value.

import type { ConnectionsAnswer } from '../librelinkup/client.js';
import type { DataIssue } from '../librelinkup/lenient.js';
import { FUTURE_TOLERANCE_MS } from '../librelinkup/limits.js';
import type { Reading } from '../librelinkup/model.js';
import type { Logger } from '../log.js';
import { nextIssues } from './data-issues.js';
import {
  CLOCK_WARN_MS,
  type ClockMemory,
  EMPTY_CLOCK_MEMORY,
  EMPTY_LIVE_MEMORY,
  judgeClock,
  judgeLive,
  type LiveMemory,
  type LiveOutcome,
  persistedAhead,
  spoken,
} from './time-sanity.js';

/** What the guard may read and correct of one tracked patient. */
export interface TimeTracked {
  patientId: string;
  slug: string;
  /** newest reading time known (latest, watermark, queued), 0 when none */
  newestTs: number;
  /** forget `latest` and the reading log from this time on */
  forgetFrom(from: number): void;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export class TimeGuard {
  private upstreamNow: number | null = null;
  /** LibreLinkUp's clock at the last answer, when it had a Date header (null: no clock to judge by) */
  private upstreamHeaderNow: number | null = null;
  /** LibreLinkUp's clock minus this machine's, when they differ by more than CLOCK_WARN_MS; else 0 */
  private offsetMs = 0;
  private firstAnswer = true;
  private clock: ClockMemory = EMPTY_CLOCK_MEMORY;
  private readonly live = new Map<string, LiveMemory>();
  private issues: ReadonlySet<string> = new Set();
  private readonly graphMemory = new Map<string, ReadonlySet<string>>();

  constructor(private readonly log: Logger) {}

  /**
   * What to add to this machine's clock to age a reading: 0 while the clocks agree within
   * CLOCK_WARN_MS, else LibreLinkUp's lead at its last answer. A Raspberry Pi that booted without
   * network time, hours behind, would otherwise show a reading as fresh for hours after it went stale.
   */
  clockOffset(): number {
    return this.offsetMs;
  }

  /**
   * Before the answer reaches the patients: clock warnings; at the first answer after a start, a
   * persisted reading ahead of LibreLinkUp's clock is forgotten; a live reading from the future is
   * taken out of the answer (so it is neither accepted nor kept in the stored connection).
   */
  beforeConnections(answer: ConnectionsAnswer, localNow: number, tracked: readonly TimeTracked[]): void {
    const { upstreamNow } = answer;
    this.upstreamNow = upstreamNow;
    this.upstreamHeaderNow = answer.clockFromHeader ? upstreamNow : null;
    if (answer.clockFromHeader) {
      const offset = upstreamNow - localNow;
      // Within the warning bound the two clocks agree well enough; beyond it this machine's clock is
      // wrong, and readings (timestamped on LibreLinkUp's side) are aged by LibreLinkUp's clock.
      this.offsetMs = Math.abs(offset) > CLOCK_WARN_MS ? offset : 0;
    }
    const clock = judgeClock(this.clock, {
      localNow,
      upstreamNow,
      fromHeader: answer.clockFromHeader,
      newestTimestamps: answer.connections.flatMap((c) => (c.latest ? [c.latest.timestamp] : [])),
    });
    this.clock = clock.memory;
    for (const note of clock.notes) {
      if (note.kind === 'offset') {
        this.log.warn(
          { clock_offset_s: Math.round(note.offsetMs / 1000) },
          `this machine's clock is ${spoken(note.offsetMs)} ${note.offsetMs < 0 ? 'behind' : 'ahead of'} LibreLinkUp's (its Date header); readings and their age are judged by LibreLinkUp's clock meanwhile; set this machine's time (NTP)`,
        );
      } else {
        this.log.warn(
          { clock_offset_s: Math.round(note.offsetMs / 1000) },
          `readings arrive already stale: ${spoken(note.localAgeMs)} old by this machine's clock but ${spoken(note.upstreamAgeMs)} by LibreLinkUp's; this machine's clock is ${spoken(note.offsetMs)} ${note.offsetMs < 0 ? 'behind' : 'ahead of'} LibreLinkUp's: set its time (NTP)`,
        );
      }
    }
    if (this.firstAnswer) {
      this.firstAnswer = false;
      for (const t of tracked) this.forgetAhead(t);
    }
    // Without LibreLinkUp's Date header there is no clock to judge a live reading's "future" by:
    // this machine's may be hours behind, and refusing on it could hide every real reading.
    if (!answer.clockFromHeader) return;
    const slugOf = new Map(tracked.map((t) => [t.patientId, t.slug]));
    answer.connections = answer.connections.map((c) => {
      if (c.latest === null) return c;
      const outcome = this.judgeFuture(c.patientId, slugOf.get(c.patientId) ?? null, c.latest);
      return outcome ? { ...c, latest: null } : c;
    });
  }

  /**
   * A stored reading time ahead of LibreLinkUp's clock (a record read at start, or a returning
   * person's tombstone) is forgotten, so it is neither shown nor holds back real readings.
   */
  forgetAhead(t: TimeTracked): void {
    // A stored time may be judged on this machine's clock when LibreLinkUp gave none: forgetting a
    // real one costs at most a repeated reading, never a hidden one.
    const upstreamNow = this.upstreamNow;
    if (upstreamNow === null || !persistedAhead(t.newestTs, upstreamNow)) return;
    const ahead = t.newestTs - upstreamNow;
    this.log.warn(
      { patient: t.slug, at: iso(t.newestTs), ahead_s: Math.round(ahead / 1000) },
      `discarding the stored reading of ${t.slug} dated ${spoken(ahead)} ahead of LibreLinkUp's clock; newer real readings are published as usual`,
    );
    t.forgetFrom(upstreamNow + FUTURE_TOLERANCE_MS + 1);
  }

  /** True when `reading` is refused as lying in the future (logged once per episode). */
  private judgeFuture(patientId: string, slug: string | null, reading: Reading): boolean {
    const memory = this.live.get(patientId) ?? EMPTY_LIVE_MEMORY;
    const outcome = judgeLive(memory, {
      reading,
      newest: null,
      upstreamNow: this.upstreamNow ?? reading.timestamp,
    });
    if (outcome.accept.length > 0) return false;
    this.live.set(patientId, outcome.memory);
    if (outcome.note?.kind === 'future') {
      const who = slug ?? 'a patient';
      this.log.warn(
        { patient: slug, at: iso(reading.timestamp), ahead_s: Math.round(outcome.note.aheadMs / 1000) },
        `refused a reading of ${who} dated ${spoken(outcome.note.aheadMs)} ahead of LibreLinkUp's clock: not published, not stored, and later readings are not held back by it (a phone or sensor clock may be wrong)`,
      );
    }
    return true;
  }

  /** The time rules for one live reading against the newest accepted one; logs what needs saying. */
  judge(
    patientId: string,
    slug: string,
    reading: Reading,
    newest: Reading | null,
    known = false,
  ): LiveOutcome {
    const outcome = judgeLive(this.live.get(patientId) ?? EMPTY_LIVE_MEMORY, {
      reading,
      newest,
      // No clock from LibreLinkUp: nothing is judged "future" (see beforeConnections).
      upstreamNow: this.upstreamHeaderNow ?? reading.timestamp,
      known,
    });
    this.live.set(patientId, outcome.memory);
    const note = outcome.note;
    if (note?.kind === 'behind') {
      this.log.warn(
        {
          patient: slug,
          at: iso(reading.timestamp),
          newest: iso(newest?.timestamp ?? 0),
          behind_s: Math.round(note.behindMs / 1000),
        },
        `LibreLinkUp's newest reading of ${slug} is ${spoken(note.behindMs)} older than the newest one already accepted; held until LibreLinkUp's next reading shows which timeline is right`,
      );
    } else if (note?.kind === 'adopted') {
      this.log.warn(
        {
          patient: slug,
          from: iso(outcome.accept[0]?.timestamp ?? 0),
          behind_s: Math.round(note.behindMs / 1000),
        },
        `LibreLinkUp's readings of ${slug} keep running ${spoken(note.behindMs)} behind the newest one accepted: following LibreLinkUp's timeline from now on and publishing the ${note.readings} held readings`,
      );
    }
    return outcome;
  }

  /** After the answer reached the patients (new ones have slugs now): log new issues, once each. */
  afterConnections(answer: ConnectionsAnswer, tracked: readonly TimeTracked[]): void {
    const slugOf = new Map(tracked.map((t) => [t.patientId, t.slug]));
    // Issues of patients this account does not follow (config `patients`) are none of our business.
    const ours = answer.issues.filter((i) => i.patientId === null || slugOf.has(i.patientId));
    const { fresh, cleared, memory } = nextIssues(this.issues, ours);
    this.issues = memory;
    for (const issue of fresh)
      this.logIssue(issue, issue.patientId === null ? null : (slugOf.get(issue.patientId) ?? null));
    if (cleared.length > 0)
      this.log.info({ fields: cleared.length }, 'LibreLinkUp data that was unusable is usable again');
  }

  /** Issues of one patient's graph answer, once per field until a graph answer no longer has it. */
  graphIssues(patientId: string, slug: string, issues: readonly DataIssue[]): void {
    const { fresh, memory } = nextIssues(this.graphMemory.get(patientId) ?? new Set(), issues);
    this.graphMemory.set(patientId, memory);
    for (const issue of fresh) this.logIssue(issue, slug);
  }

  private logIssue(issue: DataIssue, slug: string | null): void {
    if (slug === null) {
      this.log.warn(
        { path: issue.path },
        `LibreLinkUp sent a connection entry that cannot be used (${issue.path} ${issue.problem}); the other patients are published as usual`,
      );
      return;
    }
    this.log.warn(
      { patient: slug, path: issue.path },
      `LibreLinkUp data for ${slug} at ${issue.path}: ${issue.problem}; the rest of the data is used as usual`,
    );
  }
}
