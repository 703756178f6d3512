// One record per followed person, shared by every account that follows them, so the state that
// defines their stream (newest reading, reading log and its watermark, alert memory, slug, history)
// exists once: a reading seen through two accounts is published once, an event fires once, and when
// one account fails the other keeps the person updated. Each account's poller feeds what it sees in;
// presence.ts decides when a person is gone. A removed person leaves a tombstone (their published
// watermark, newest reading and alert memory), kept for a while, so a person who comes back is not
// sent readings or events again that were already published.

import type { Connection } from '../librelinkup/model.js';
import { slugify } from './patient.js';
import type { PersistedPatient } from './persisted.js';
import { mergeRecords, startRecord } from './person-record.js';
import { absenceConfirmed, ownerOf, type Presence, SEEN, type Sighting, sight, verdict } from './presence.js';
import type { SlugRegistry } from './slugs.js';
import { mergeTombstones, pastTombstone, type Tombstone, tombstoneOf } from './tombstones.js';

/** What one account's answer changed, for the poller to log and act on. */
export interface AnswerOutcome<T> {
  /** missing from this account's answer for the first time (kept until confirmed) */
  missing: T[];
  /** back in this account's answer before the absence was confirmed */
  back: T[];
  /** this account confirmed it no longer follows them; another account still does */
  dropped: T[];
  /** no account follows them any more (confirmed): removed, tombstoned, slug released */
  gone: T[];
}

export interface Account {
  key: string;
  /** whether this account's configuration includes the person */
  follows: (connection: Connection) => boolean;
  /** the name this account's configuration gives the person, if any */
  nameFor?: (connection: Connection) => string | undefined;
}

/** The shared records. `make` turns a persisted (or starting) record into the poller's live one. */
export class People<T extends PersistedPatient> {
  private readonly records = new Map<string, T>();
  private readonly presence = new Map<string, Presence>();
  /**
   * Who each account has a sighting of, kept with `presence`: every account's poll asks for its
   * people several times, and scanning everyone followed through every account each time made
   * hundreds of accounts cost quadratic work and garbage.
   */
  private readonly byAccount = new Map<string, Set<string>>();
  private tombstones: Record<string, Tombstone> = {};
  private readonly removedAtStart = new Map<string, T[]>();
  private readonly order: string[];

  constructor(
    private readonly accounts: readonly Account[],
    private readonly slugs: SlugRegistry,
    private readonly make: (saved: PersistedPatient, now: number) => T,
  ) {
    this.order = accounts.map((a) => a.key);
  }

  /**
   * Takes what every account's state file held (config order). A person held by several files
   * becomes one record (mergeRecords); one no account's configuration includes any more is removed
   * at start (the first account holding them announces it, see takeRemovedAtStart).
   */
  load(
    files: ReadonlyArray<{
      key: string;
      patients: Readonly<Record<string, PersistedPatient>>;
      gone?: unknown;
    }>,
    now: number,
  ): void {
    this.tombstones = mergeTombstones(
      files.map((f) => f.gone as Record<string, unknown> | undefined),
      now,
    );
    const held = new Map<string, Array<{ key: string; saved: PersistedPatient }>>();
    for (const file of files)
      for (const [id, saved] of Object.entries(file.patients)) {
        const list = held.get(id) ?? [];
        list.push({ key: file.key, saved });
        held.set(id, list);
      }
    for (const [id, list] of held) {
      const merged = pastTombstone(mergeRecords(list.map((x) => x.saved)), this.tombstones[id]);
      delete this.tombstones[id];
      this.slugs.claim(merged.slug, id);
      merged.slug = this.slugs.assign(merged.slug, id);
      const record = this.make(merged, now);
      // The accounts that held them and still include them; else (their account's patient list
      // changed) any account whose configuration includes them, so their entities are not taken
      // away at start only to come back at that account's first answer.
      const including = this.accounts.filter((a) => a.follows(merged.connection));
      const holders = including.filter((a) => list.some((x) => x.key === a.key));
      const followers = holders.length > 0 ? holders : including;
      if (followers.length === 0) {
        const first = list[0]!.key;
        this.removedAtStart.set(first, [...(this.removedAtStart.get(first) ?? []), record]);
        this.forget(id, record, now);
        continue;
      }
      this.records.set(id, record);
      // Assumed present until each of these accounts has answered without them for long enough.
      this.setPresence(id, Object.fromEntries(followers.map((a) => [a.key, SEEN])));
    }
  }

  /** People dropped from every configuration since the last run, for this account to announce. */
  takeRemovedAtStart(key: string): T[] {
    const list = this.removedAtStart.get(key) ?? [];
    this.removedAtStart.delete(key);
    return list;
  }

  get(patientId: string): T | undefined {
    return this.records.get(patientId);
  }

  /** Everyone, once, for the status page. */
  all(): T[] {
    return [...this.records.values()];
  }

  /** People this account follows (absence not confirmed): what it persists and schedules for. */
  heldBy(key: string, now: number): Map<string, T> {
    return this.select(key, (s) => !absenceConfirmed(s, now));
  }

  /** People in this account's last answer: the ones it may ask the graph about. */
  seenBy(key: string): Map<string, T> {
    return this.select(key, (s) => s.missed === 0);
  }

  private select(key: string, keep: (s: Sighting) => boolean): Map<string, T> {
    const out = new Map<string, T>();
    for (const id of this.byAccount.get(key) ?? []) {
      const record = this.records.get(id);
      const s = this.presence.get(id)?.[key];
      if (record !== undefined && s !== undefined && keep(s)) out.set(id, record);
    }
    return out;
  }

  private setPresence(id: string, next: Presence): void {
    for (const key of Object.keys(this.presence.get(id) ?? {}))
      if (!(key in next)) this.byAccount.get(key)?.delete(id);
    for (const key of Object.keys(next)) {
      const ids = this.byAccount.get(key) ?? new Set<string>();
      ids.add(id);
      this.byAccount.set(key, ids);
    }
    this.presence.set(id, next);
  }

  private deletePresence(id: string): void {
    for (const key of Object.keys(this.presence.get(id) ?? {})) this.byAccount.get(key)?.delete(id);
    this.presence.delete(id);
  }

  /** The account whose configuration names the person (presence.ts ownerOf). */
  ownerOf(patientId: string, now: number): string | undefined {
    const p = this.presence.get(patientId);
    return p === undefined ? undefined : ownerOf(p, this.order, now);
  }

  /**
   * The person's shared record, created when no account followed them yet (from their tombstone
   * if they were removed before). `returning` is true when a tombstone was used.
   */
  adopt(
    key: string,
    connection: Connection,
    baseSlug: string,
    now: number,
  ): { record: T; created: boolean; returning: boolean } {
    const id = connection.patientId;
    const existing = this.records.get(id);
    if (existing !== undefined) {
      this.setPresence(id, { ...this.presence.get(id), [key]: SEEN });
      return { record: existing, created: false, returning: false };
    }
    const tomb = this.tombstones[id];
    if (tomb !== undefined) this.slugs.claim(tomb.slug, id);
    // The slug follows the first configured name, whichever account happens to answer first.
    const named = this.accounts.map((a) => a.nameFor?.(connection)).find((n) => n !== undefined);
    const slug = this.slugs.assign(named === undefined ? baseSlug : slugify(named), id);
    const record = this.make(startRecord(connection, slug, tomb), now);
    delete this.tombstones[id];
    this.records.set(id, record);
    this.setPresence(id, { [key]: SEEN });
    return { record, created: true, returning: tomb !== undefined };
  }

  /**
   * One successful connections answer of this account: `seen` holds the patientIds in it that its
   * configuration includes (each adopted before). Updates presence and removes whoever is now gone.
   */
  answered(key: string, seen: ReadonlySet<string>, now: number): AnswerOutcome<T> {
    const outcome: AnswerOutcome<T> = { missing: [], back: [], dropped: [], gone: [] };
    for (const id of [...(this.byAccount.get(key) ?? [])]) {
      const presence = this.presence.get(id);
      const before = presence?.[key];
      if (presence === undefined || before === undefined) continue;
      const record = this.records.get(id)!;
      const after = sight(before, seen.has(id), now);
      const next = { ...presence, [key]: after };
      this.setPresence(id, next);
      if (after.missed === 0) {
        if (before.missed > 0) outcome.back.push(record);
        continue;
      }
      if (after.missed === 1) outcome.missing.push(record);
      if (verdict(next, now) === 'gone') {
        this.forget(id, record, now);
        outcome.gone.push(record);
      } else if (after.confirmed && !before.confirmed) {
        outcome.dropped.push(record);
      }
    }
    return outcome;
  }

  private forget(id: string, record: T, now: number): void {
    this.records.delete(id);
    this.deletePresence(id);
    this.slugs.release(record.slug, id);
    this.tombstones = mergeTombstones([this.tombstones, { [id]: tombstoneOf(record, now) }], now);
  }

  /** Bounded, for the state files. */
  tombstonesNow(now: number): Record<string, Tombstone> {
    this.tombstones = mergeTombstones([this.tombstones], now);
    return this.tombstones;
  }
}
