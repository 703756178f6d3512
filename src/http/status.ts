// What GET status.json answers for the status page, built from plain inputs so it can be tested
// without a server. Everything the page shows is decided here (values in the patient's unit, ages,
// chart window) or comes decided with the bridge's view (staleness, the chart's readings); the page
// only renders. Nothing secret goes in: accounts are named by their masked e-mail, patients by
// display name and slug, never by LibreLinkUp ids or sensor serials.

import { type AccountStatus, type PatientView, type RangeState, STALE_AFTER_MS } from '../bridge/events.js';
import type { GlucoseUnit, Trend } from '../librelinkup/model.js';
import { safeText } from '../log.js';
import { fromMgdl } from '../units.js';
import { type HealthStatus, healthReport } from './health.js';

/** The chart shows this much before `now`. */
export const CHART_WINDOW_MS = 12 * 60 * 60_000;
/** The page asks for status.json this often. */
export const REFRESH_SECONDS = 10;
/** The chart's value axis always spans at least this (mg/dL), so a flat day does not look dramatic. */
export const CHART_MIN_MGDL = 40;
export const CHART_MAX_MGDL = 250;

/** Glyph and words per trend: the glyph alone is not enough for screen readers or colour-blind users. */
export const TREND_ARROWS: Readonly<Record<Trend, { arrow: string; text: string }>> = {
  falling_quickly: { arrow: '↓', text: 'falling quickly' },
  falling: { arrow: '↘', text: 'falling' },
  stable: { arrow: '→', text: 'stable' },
  rising: { arrow: '↗', text: 'rising' },
  rising_quickly: { arrow: '↑', text: 'rising quickly' },
};

const RANGE_TEXT: Readonly<Record<RangeState, string>> = {
  urgent_low: 'Urgent low',
  low: 'Low',
  in_range: 'In range',
  high: 'High',
};

export interface ChartPoint {
  /** epoch ms of the reading (FactoryTimestamp) */
  time: number;
  /** glucose in the patient's unit */
  value: number;
}

export interface StatusPatient {
  /** topic slug: stable, not secret */
  slug: string;
  name: string;
  /** masked e-mail of the account the patient is followed through */
  account: string;
  unit: GlucoseUnit;
  /** current glucose in `unit`, or null without a reading */
  value: number | null;
  trend: Trend | null;
  trend_arrow: string | null;
  trend_text: string | null;
  /** ISO time of the reading */
  timestamp: string | null;
  age_seconds: number | null;
  /** "3 min ago" */
  age_text: string | null;
  stale: boolean;
  /** why the patient is shown grey, in words; null when fresh */
  stale_text: string | null;
  range: RangeState | null;
  range_text: string | null;
  target_low: number;
  target_high: number;
  /** change since the previous reading, per minute over recent readings, in `unit` */
  delta: number | null;
  rate: number | null;
  /** % of the last 24 h in the target range; null with too few readings */
  time_in_range: number | null;
  average: number | null;
  gmi: number | null;
  chart: {
    /** epoch ms: the window is [from, to] */
    from: number;
    to: number;
    /** value axis bounds in `unit` */
    y_min: number;
    y_max: number;
    /** oldest first, at most one per minute */
    points: ChartPoint[];
  };
}

export interface StatusAccount {
  /** masked e-mail, e.g. "fo***@example.com" */
  name: string;
  ok: boolean;
  /** "OK", or what is wrong in words a user can act on */
  state_text: string;
  /** the last error in words; null when the last poll succeeded */
  last_error: string | null;
  last_success: string | null;
  last_success_text: string | null;
  next_poll: string | null;
  next_poll_text: string | null;
}

export interface StatusBody {
  generated_at: string;
  version: string;
  refresh_seconds: number;
  stale_after_minutes: number;
  patients: StatusPatient[];
  health: {
    status: HealthStatus;
    status_text: string;
    broker_connected: boolean;
    /** why the status is not ok, in words */
    reasons: string[];
    accounts: StatusAccount[];
  };
}

export interface StatusInput {
  now: number;
  startedAt: number;
  version: string;
  brokerConnected: boolean;
  accounts: readonly AccountStatus[];
  patients: readonly PatientView[];
}

function iso(ms: number | null): string | null {
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/** Elapsed time in words: "just now", "4 min ago", "2 h 5 min ago", "3 days ago". */
export function ageText(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h ago` : `${hours} h ${minutes % 60} min ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** Time until an event in words: "now", "in 40 s", "in 3 min", "in 2 h 5 min". */
export function untilText(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds <= 0) return 'now';
  if (seconds < 60) return `in ${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `in ${hours} h` : `in ${hours} h ${minutes % 60} min`;
}

function patient(view: PatientView, accountName: string, localNow: number): StatusPatient {
  const { snapshot: p, history } = view;
  // Readings are aged by the bridge's reading clock, which follows LibreLinkUp's when this machine's is off.
  const now = view.readingNow ?? localNow;
  const r = p.latest;
  const stale = p.stale;
  const age = r === null ? null : Math.max(0, now - r.timestamp);
  const trend = r?.trend ?? null;
  const from = now - CHART_WINDOW_MS;
  const series = history.filter((x) => x.timestamp >= from && x.timestamp <= now);
  const mgdls = series.map((x) => x.mgdl);
  const low = Math.min(CHART_MIN_MGDL, p.thresholds.targetLowMgdl, ...mgdls);
  const high = Math.max(CHART_MAX_MGDL, p.thresholds.targetHighMgdl, ...mgdls);
  // Axis bounds: one step (10 mg/dL, 0.5 mmol/L) beyond the data, rounded outwards.
  const step = p.unit === 'mg/dL' ? 10 : 0.5;
  const yMin = Math.max(0, Math.floor(fromMgdl(low, p.unit) / step) * step);
  const yMax = Math.ceil(fromMgdl(high, p.unit) / step) * step + (high > CHART_MAX_MGDL ? step : 0);
  return {
    slug: p.slug,
    // Already cut to the name limit by the bridge; made safe here because it is served over HTTP.
    name: safeText(p.name),
    account: accountName,
    unit: p.unit,
    value: r === null ? null : fromMgdl(r.mgdl, p.unit),
    trend,
    trend_arrow: trend === null ? null : TREND_ARROWS[trend].arrow,
    trend_text: trend === null ? null : TREND_ARROWS[trend].text,
    timestamp: iso(r?.timestamp ?? null),
    age_seconds: age === null ? null : Math.floor(age / 1000),
    age_text: age === null ? null : ageText(age),
    stale,
    stale_text: !stale
      ? null
      : r === null
        ? 'No reading yet'
        : `Stale: no new reading for ${ageText(age ?? 0).replace(/ ago$/, '')}`,
    range: r === null ? null : p.range,
    range_text: r === null || p.range === null ? null : RANGE_TEXT[p.range],
    target_low: fromMgdl(p.thresholds.targetLowMgdl, p.unit),
    target_high: fromMgdl(p.thresholds.targetHighMgdl, p.unit),
    delta: finiteOrNull(p.stats.delta),
    rate: finiteOrNull(p.stats.rate),
    time_in_range: finiteOrNull(p.stats.timeInRange),
    average: finiteOrNull(p.stats.average),
    gmi: finiteOrNull(p.stats.gmi),
    chart: {
      from,
      to: now,
      y_min: yMin,
      y_max: yMax,
      points: series.map((x) => ({ time: x.timestamp, value: fromMgdl(x.mgdl, p.unit) })),
    },
  };
}

function account(a: AccountStatus, now: number): StatusAccount {
  // Messages are written for users, but may quote upstream words: served over HTTP, so made safe.
  const message = a.message === null ? null : safeText(a.message);
  return {
    name: a.label,
    ok: a.ok,
    state_text: a.ok ? 'OK' : (message ?? 'No successful poll yet'),
    last_error: a.ok ? null : message,
    last_success: iso(a.lastSuccessAt),
    last_success_text: a.lastSuccessAt === null ? null : ageText(now - a.lastSuccessAt),
    next_poll: iso(a.nextPollAt),
    next_poll_text: a.nextPollAt === null ? null : untilText(a.nextPollAt - now),
  };
}

const STATUS_TEXT: Readonly<Record<HealthStatus, string>> = {
  ok: 'Running',
  degraded: 'Running with problems',
  error: 'Not working',
};

export function buildStatus(input: StatusInput): StatusBody {
  const { now } = input;
  const health = healthReport({
    brokerConnected: input.brokerConnected,
    accounts: input.accounts,
    now,
    startedAt: input.startedAt,
  }).body;
  const names = new Map(input.accounts.map((a) => [a.key, a.label]));
  return {
    generated_at: new Date(now).toISOString(),
    version: input.version,
    refresh_seconds: REFRESH_SECONDS,
    stale_after_minutes: STALE_AFTER_MS / 60_000,
    patients: input.patients.map((v) =>
      patient(v, names.get(v.snapshot.accountKey) ?? 'unknown account', now),
    ),
    health: {
      status: health.status,
      status_text: STATUS_TEXT[health.status],
      broker_connected: health.broker_connected,
      reasons: health.reasons,
      accounts: input.accounts.map((a) => account(a, now)),
    },
  };
}
