// A followed person's snapshot and the alerts a new snapshot fires. The 24 h figures (stats.ts) are
// the costly part: a snapshot is kept per person and reused while everything it is computed from is
// the same (the record's connection, newest reading, history, naming account and the time).

import type { CoreWorld } from './account-events.js';
import { nextAlerts } from './alerts.js';
import type { Effect } from './effects.js';
import type { PatientSnapshot } from './events.js';
import { addToHistory, type History } from './history.js';
import { buildSnapshot, matchPatient, thresholdsFor } from './patient.js';
import { computeStats } from './stats.js';
import type { PersistedPatient } from './store.js';
import type { Tracked } from './tracked.js';

type Subject = PersistedPatient & { history?: History };

interface Memo {
  connection: unknown;
  latest: unknown;
  history: unknown;
  owner: string;
  now: number;
  snapshot: PatientSnapshot;
}

const memos = new WeakMap<Subject, Memo>();

/** Now, by the clock readings are aged with (this machine's, corrected by LibreLinkUp's lead). */
export function readingNow(world: CoreWorld, now: number): number {
  return now + world.time.clockOffset();
}

function owner(world: CoreWorld, t: Subject, now: number): string {
  // Named by one account's configuration, whichever account this core is.
  return world.people.ownerOf(t.connection.patientId, now) ?? world.key;
}

function fresh(world: CoreWorld, t: Subject, owningKey: string, now: number): PatientSnapshot {
  const { connection, latest } = t;
  const configs = world.patientConfigs;
  const cfg = matchPatient(
    connection,
    configs.has(owningKey) ? configs.get(owningKey) : world.account.patients,
  );
  const stats = computeStats({
    history: t.history ?? (latest ? [latest] : []),
    latest,
    unit: connection.unit,
    thresholds: thresholdsFor(connection, cfg),
    alarms: { highMgdl: connection.alarms.highMgdl },
    sensor: connection.sensor,
    deviceTypeId: connection.deviceTypeId,
    ...(cfg?.sensor_days !== undefined ? { sensorDaysOverride: cfg.sensor_days } : {}),
    now,
  });
  return buildSnapshot({
    accountKey: owningKey,
    connection,
    cfg,
    slug: t.slug,
    latest,
    sensor: connection.sensor,
    stats,
    now,
  });
}

/** The person's snapshot as of `now` (reading clock). */
export function snapshotOf(world: CoreWorld, t: Subject, now: number): PatientSnapshot {
  const key = owner(world, t, now);
  const memo = memos.get(t);
  if (
    memo !== undefined &&
    memo.now === now &&
    memo.owner === key &&
    memo.connection === t.connection &&
    memo.latest === t.latest &&
    memo.history === t.history &&
    memo.snapshot.slug === t.slug
  )
    return memo.snapshot;
  const snapshot = fresh(world, t, key, now);
  memos.set(t, { connection: t.connection, latest: t.latest, history: t.history, owner: key, now, snapshot });
  return snapshot;
}

/**
 * The snapshot a reading is handed to the sink with, which names the person (slug, unit): the last
 * one computed while its inputs are unchanged, whatever the time, so publishing a backfill of many
 * readings does not recompute the 24 h figures for each.
 */
export function namingSnapshot(world: CoreWorld, t: Subject, now: number): PatientSnapshot {
  const memo = memos.get(t);
  if (
    memo !== undefined &&
    memo.connection === t.connection &&
    memo.latest === t.latest &&
    memo.history === t.history &&
    memo.snapshot.slug === t.slug
  )
    return memo.snapshot;
  return snapshotOf(world, t, now);
}

/**
 * Load the stored history once per person and run (24 h figures at once after a restart). Called
 * before anything is added to a person's history too: an append may compact the file, which is then
 * rewritten from the history in memory, so that must already hold what the file had.
 */
export function loadHistory(world: CoreWorld, t: Tracked, now: number): void {
  if (t.historyLoaded === true || world.history === undefined) return;
  t.historyLoaded = true;
  const stored = world.history.load(t.connection.patientId, t.slug);
  t.history = addToHistory(t.history, stored, now);
}

/** Recompute the person's snapshot, publish it, and fire the alerts of what changed. */
export function refresh(world: CoreWorld, t: Tracked, localNow: number): Effect[] {
  const now = readingNow(world, localNow);
  loadHistory(world, t, now);
  const snapshot = snapshotOf(world, t, now);
  t.stale = snapshot.stale;
  const { alerts, memory } = nextAlerts(
    t.alerts,
    {
      reading: snapshot.latest,
      range: snapshot.range,
      stale: snapshot.stale,
      sensorSerial: snapshot.sensor?.serial ?? null,
      sensorEnded: snapshot.stats.sensorProblem === 'ended',
    },
    now,
  );
  t.alerts = memory;
  return [
    { type: 'publishSnapshot', snapshot },
    ...alerts.map((alert): Effect => ({ type: 'publishAlert', snapshot, alert })),
  ];
}
