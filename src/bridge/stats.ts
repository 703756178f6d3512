// Derived figures for a patient: delta, rate, range colour, time in range, average, GMI and
// the sensor's life. Pure: everything is computed from the readings the bridge already holds and `now`.
// Glucose arithmetic is done in integer mg/dL (the only unit-explicit upstream field) and converted to
// the patient's unit once, at the end, so mmol/L figures never carry a rounding of a rounding.

import type { AlarmThresholds, GlucoseUnit, Reading, SensorInfo } from '../librelinkup/model.js';
import { fromMgdl, MGDL_PER_MMOL, roundTo } from '../units.js';
import type { PatientStats, Thresholds } from './events.js';
import { mergeReadings, STATS_WINDOW_MS } from './history.js';
import { sensorExpiresAt, sensorLifeDays, sensorProblem } from './sensor-life.js';

const MINUTE_MS = 60_000;

/** Delta only against a previous reading at most this much older; beyond that it is not "the change". */
export const DELTA_MAX_GAP_MS = 15 * MINUTE_MS;
/**
 * Rate: the slope over the last few readings, as CGM apps draw their arrow (Libre's arrow follows
 * about the last 5 minutes): readings this far back from the latest, at least RATE_MIN_POINTS of them
 * over RATE_MIN_SPAN_MS. A longer window would lag a turn and contradict the arrow on screen.
 */
export const RATE_WINDOW_MS = 5 * MINUTE_MS;
export const RATE_MIN_POINTS = 3;
export const RATE_MIN_SPAN_MS = 2 * MINUTE_MS;
/**
 * With only the graph's 5-minute points (after a gap), the last 5 minutes hold two readings: the
 * slope is then taken over this wider window, with at least RATE_MIN_POINTS over RATE_SPARSE_MIN_SPAN_MS.
 */
export const RATE_SPARSE_WINDOW_MS = 15 * MINUTE_MS;
export const RATE_SPARSE_MIN_SPAN_MS = 5 * MINUTE_MS;
/** A reading stands for the time until the next one, but never for longer than this (gaps don't count). */
export const MAX_INTERVAL_MS = 15 * MINUTE_MS;
/** Share of the 24 h that must be covered before time in range, average and GMI are shown. */
export const MIN_COVERAGE = 0.7;

export type MeasurementRange = NonNullable<PatientStats['colorBand']>;

export interface StatsInput {
  /** readings held for the patient (history.ts); any order, duplicates allowed */
  history: readonly Reading[];
  latest: Reading | null;
  unit: GlucoseUnit;
  thresholds: Thresholds;
  alarms: Pick<AlarmThresholds, 'highMgdl'>;
  sensor: SensorInfo | null;
  deviceTypeId: number | null;
  /** the patient's `sensor_days` from the config */
  sensorDaysOverride?: number;
  now: number;
}

/** Rounds half away from zero so a fall and a rise of the same size show the same magnitude; no -0. */
function roundSymmetric(value: number, decimals: number): number {
  const r = Math.sign(value) * roundTo(Math.abs(value), decimals);
  return r === 0 ? 0 : r;
}

function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

function usable(r: Reading | null): r is Reading {
  return r !== null && Number.isFinite(r.timestamp) && Number.isFinite(r.mgdl) && r.mgdl > 0;
}

/**
 * mg/dL difference → patient's unit: mg/dL as an integer, mmol/L as (difference / 18) to one decimal.
 * The mmol/L delta is therefore the true change, which can differ by 0.1 from subtracting the two
 * displayed values (100 → 112 mg/dL shows 5.6 → 6.2 mmol/L, yet the delta is 12 / 18 = +0.7).
 */
export function deltaInUnit(mgdlDifference: number, unit: GlucoseUnit): number {
  return unit === 'mg/dL'
    ? roundSymmetric(mgdlDifference, 0)
    : roundSymmetric(mgdlDifference / MGDL_PER_MMOL, 1);
}

/** mg/dL per minute → patient's unit per minute: mg/dL to one decimal, mmol/L to two. */
export function rateInUnit(mgdlPerMinute: number, unit: GlucoseUnit): number {
  return unit === 'mg/dL'
    ? roundSymmetric(mgdlPerMinute, 1)
    : roundSymmetric(mgdlPerMinute / MGDL_PER_MMOL, 2);
}

/** Readings strictly before `latest`, oldest first, then `latest` itself. */
function upTo(series: readonly Reading[], latest: Reading): Reading[] {
  return [...series.filter((r) => r.timestamp < latest.timestamp), latest];
}

/** Change in mg/dL since the previous reading, or null when there is none within DELTA_MAX_GAP_MS. */
export function deltaMgdl(series: readonly Reading[], latest: Reading | null): number | null {
  if (!usable(latest)) return null;
  const points = upTo(series, latest);
  const prev = points[points.length - 2];
  if (prev === undefined || latest.timestamp - prev.timestamp > DELTA_MAX_GAP_MS) return null;
  return latest.mgdl - prev.mgdl;
}

/**
 * Least-squares slope in mg/dL per minute over the readings in the RATE_WINDOW_MS up to `latest`
 * (RATE_SPARSE_WINDOW_MS when that holds too few); null with fewer than RATE_MIN_POINTS readings or a
 * span too short to call (noise).
 */
export function rateMgdlPerMinute(series: readonly Reading[], latest: Reading | null): number | null {
  if (!usable(latest)) return null;
  const points = upTo(series, latest);
  return (
    slopeWithin(points, latest, RATE_WINDOW_MS, RATE_MIN_SPAN_MS) ??
    slopeWithin(points, latest, RATE_SPARSE_WINDOW_MS, RATE_SPARSE_MIN_SPAN_MS)
  );
}

function slopeWithin(all: readonly Reading[], latest: Reading, windowMs: number, minSpanMs: number) {
  const points = all.filter((r) => latest.timestamp - r.timestamp <= windowMs);
  const first = points[0];
  if (points.length < RATE_MIN_POINTS || first === undefined) return null;
  if (latest.timestamp - first.timestamp < minSpanMs) return null;
  // Minutes relative to the latest reading keep the sums small and exact enough.
  const xs = points.map((r) => (r.timestamp - latest.timestamp) / MINUTE_MS);
  const ys = points.map((r) => r.mgdl);
  const n = points.length;
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - meanX;
    sxy += dx * (ys[i]! - meanY);
    sxx += dx * dx;
  }
  return sxx > 0 ? sxy / sxx : null;
}

/**
 * The app's colour for the reading (LibreLinkUp's MeasurementColor): 1 green → in_range, 2 yellow →
 * above_target, 3 orange → above_high_alarm, 4 red → below_low. Without a known colour it is derived
 * from the thresholds the way the fixtures show the colours: below target low → below_low, at or above
 * the high alarm threshold (when known) → above_high_alarm, above target high → above_target.
 * UNSURE upstream: whether orange follows the follower's high alarm threshold (`alarmRules.h.th`) or a
 * fixed 250 mg/dL, and whether it starts at or just above it (fixtures: 252–310 orange with h.th 250,
 * no reading at exactly 250). The fallback uses the alarm threshold, inclusive.
 */
export function measurementRange(
  latest: Reading | null,
  thresholds: Thresholds,
  alarms: Pick<AlarmThresholds, 'highMgdl'>,
): MeasurementRange | null {
  if (!usable(latest)) return null;
  switch (latest.measurementColor) {
    case 1:
      return 'in_range';
    case 2:
      return 'above_target';
    case 3:
      return 'above_high_alarm';
    case 4:
      return 'below_low';
  }
  const mgdl = latest.mgdl;
  if (mgdl < thresholds.targetLowMgdl) return 'below_low';
  if (alarms.highMgdl !== null && mgdl >= alarms.highMgdl) return 'above_high_alarm';
  if (mgdl > thresholds.targetHighMgdl) return 'above_target';
  return 'in_range';
}

export interface DailyFigures {
  /** ms of the last 24 h covered by readings (each counting at most MAX_INTERVAL_MS) */
  coveredMs: number;
  /** ms of the covered time with glucose between target low and high, inclusive */
  inRangeMs: number;
  /** time-weighted mean glucose in mg/dL, unrounded; null when nothing is covered */
  meanMgdl: number | null;
}

/**
 * Time-weighted figures over [now − 24 h, now]: each reading counts from its timestamp until the next
 * reading (the last one until `now`), at most MAX_INTERVAL_MS, clipped to the window. Time weighting
 * keeps a mix of 1-minute live readings and 5-minute graph points from over-weighting the live ones.
 */
export function dailyFigures(series: readonly Reading[], thresholds: Thresholds, now: number): DailyFigures {
  const windowStart = now - STATS_WINDOW_MS;
  let coveredMs = 0;
  let inRangeMs = 0;
  let weighted = 0;
  for (let i = 0; i < series.length; i++) {
    const r = series[i]!;
    const nextAt = series[i + 1]?.timestamp ?? now;
    const from = Math.max(r.timestamp, windowStart);
    const to = Math.min(nextAt, r.timestamp + MAX_INTERVAL_MS, now);
    const ms = to - from;
    if (!(ms > 0)) continue;
    coveredMs += ms;
    weighted += r.mgdl * ms;
    if (r.mgdl >= thresholds.targetLowMgdl && r.mgdl <= thresholds.targetHighMgdl) inRangeMs += ms;
  }
  return { coveredMs, inRangeMs, meanMgdl: coveredMs > 0 ? weighted / coveredMs : null };
}

/** Glucose management indicator, % (Bergenstal 2018): 3.31 + 0.02392 × mean mg/dL, one decimal. */
export function gmiPercent(meanMgdl: number): number {
  return roundTo(3.31 + 0.02392 * meanMgdl, 1);
}

export function computeStats(input: StatsInput): PatientStats {
  const { latest, unit, now } = input;
  const series = mergeReadings(input.history, usable(latest) ? [latest] : []);

  const delta = deltaMgdl(series, latest);
  const rate = rateMgdlPerMinute(series, latest);

  const daily = dailyFigures(series, input.thresholds, now);
  const enough = daily.meanMgdl !== null && daily.coveredMs >= MIN_COVERAGE * STATS_WINDOW_MS;
  const mean = enough ? daily.meanMgdl : null;

  const days = sensorLifeDays(input.sensor, input.deviceTypeId, input.sensorDaysOverride);

  return {
    delta: finiteOrNull(delta === null ? null : deltaInUnit(delta, unit)),
    rate: finiteOrNull(rate === null ? null : rateInUnit(rate, unit)),
    colorBand: measurementRange(latest, input.thresholds, input.alarms),
    timeInRange: finiteOrNull(enough ? roundTo((daily.inRangeMs / daily.coveredMs) * 100, 1) : null),
    average: finiteOrNull(mean === null ? null : fromMgdl(mean, unit)),
    gmi: finiteOrNull(mean === null ? null : gmiPercent(mean)),
    sensorExpiresAt: finiteOrNull(sensorExpiresAt(input.sensor, days)),
    sensorProblem: sensorProblem(input.sensor, latest, now, days),
  };
}
