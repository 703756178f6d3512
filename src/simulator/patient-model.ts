// One simulated wearer: when each reading exists, when it becomes visible upstream, and what it says.
// Everything is a pure function of the reading's time and the patient's spec, so the server can answer
// any request at any clock value without keeping a growing list, and tests can ask for the truth.

import type { SimPatientSpec, SimSensor } from './types.js';

/** LibreLinkUp's graph is 5-minute spaced while the current reading is per minute: every 5th reading. */
export const GRAPH_EVERY = 5;
/** ~12 h of graph at one reading per minute, counted in reading periods. */
export const GRAPH_WINDOW_PERIODS = 720;
/** ~14 days of logbook, capped so a compressed clock cannot make one request scan forever. */
const LOGBOOK_MAX_READINGS = 20_000;
/** Default high alarm threshold (alarmRules.h.th): MeasurementColor 3 ("orange") at/above it. */
export const DEFAULT_ALARM_HIGH = 250;
/**
 * Sensor reporting range. Libre 3 reports HI above 400 mg/dL (Libre 2: 500) and LO below 40; the value
 * LibreLinkUp then sends with isHigh/isLow is UNSURE (no fixture): we clamp it to the range.
 */
export const SENSOR_MIN = 40;
export const SENSOR_MAX = 400;

export interface SimReading {
  /** FactoryTimestamp, epoch ms (whole seconds) */
  timestamp: number;
  /** ValueInMgPerDl as sent */
  mgdl: number;
  trendArrow: number;
  availableAt: number;
  measurementColor: number;
  isHigh: boolean;
  isLow: boolean;
}

export class SimPatient {
  readonly spec: SimPatientSpec;
  readonly periodMs: number;
  readonly firstAt: number;
  readonly targetLow: number;
  readonly targetHigh: number;
  readonly graphLagMs: number;
  sensor: SimSensor | null;
  /** [from, to) intervals without readings (phone offline); `to` null while still paused */
  private readonly pauses: Array<{ from: number; to: number | null }> = [];
  private readonly curve: (t: number) => number;

  constructor(spec: SimPatientSpec, startedAt: number) {
    this.spec = spec;
    this.periodMs = spec.periodMs ?? 60_000;
    // Timestamps have whole seconds; a shorter period would give two readings one timestamp.
    if (this.periodMs < 1_000) throw new Error(`periodMs of ${spec.patientId} must be at least 1000`);
    this.firstAt = floorSecond(spec.firstReadingAt ?? startedAt - 24 * 3_600_000);
    this.targetLow = spec.targetLow ?? 70;
    this.targetHigh = spec.targetHigh ?? 180;
    this.graphLagMs = spec.graphLagMs ?? 15 * this.periodMs;
    this.curve = spec.curve ?? ((t) => 120 + 40 * Math.sin(t / (this.periodMs * 90)));
    this.sensor =
      spec.sensor === undefined
        ? {
            serial: `3MH${spec.patientId
              .replace(/[^0-9A-Za-z]/g, '')
              .slice(-7)
              .toUpperCase()
              .padStart(7, '0')}`,
            activatedAt: floorSecond(startedAt - 3 * 86_400_000),
            warmupMinutes: 60,
            productType: 4,
          }
        : spec.sensor;
  }

  timeOf(k: number): number {
    return floorSecond(this.firstAt + k * this.periodMs);
  }

  private uploadLag(t: number): number {
    const lag = this.spec.uploadLagMs ?? 0;
    return typeof lag === 'function' ? lag(t) : lag;
  }

  private pauseAt(t: number): { from: number; to: number | null } | undefined {
    return this.pauses.find((p) => t >= p.from && (p.to === null || t < p.to));
  }

  pause(at: number): void {
    if (this.pauses.some((p) => p.to === null)) return;
    this.pauses.push({ from: at, to: null });
  }

  resume(at: number): void {
    const open = this.pauses.find((p) => p.to === null);
    if (open) open.to = at;
  }

  /** Index of the newest reading visible at `at`, or -1. */
  latestIndex(at: number): number {
    let k = Math.floor((at - this.firstAt) / this.periodMs);
    while (k >= 0) {
      const t = this.timeOf(k);
      const paused = this.pauseAt(t);
      if (paused) {
        k = Math.ceil((paused.from - this.firstAt) / this.periodMs) - 1;
        continue;
      }
      if (t + this.uploadLag(t) <= at) return k;
      k--;
    }
    return -1;
  }

  private exists(k: number, at: number): boolean {
    const t = this.timeOf(k);
    return this.pauseAt(t) === undefined && t + this.uploadLag(t) <= at;
  }

  mgdlAt(t: number): { mgdl: number; isHigh: boolean; isLow: boolean } {
    const raw = Math.round(this.curve(t));
    return {
      mgdl: Math.min(SENSOR_MAX, Math.max(SENSOR_MIN, raw)),
      isHigh: raw > SENSOR_MAX,
      isLow: raw < SENSOR_MIN,
    };
  }

  /**
   * Libre arrows by rate of change in mg/dL per minute (↑ > 2, ↗ 1..2, → < 1, ↘, ↓). With a compressed
   * clock one reading period stands for one minute, so the rate is taken per period.
   */
  trendAt(t: number): number {
    const override = this.spec.trendArrow;
    if (override !== undefined) return typeof override === 'function' ? override(t) : override;
    const span = 5 * this.periodMs;
    const rate = (this.curve(t) - this.curve(t - span)) / 5;
    if (rate >= 2) return 5;
    if (rate >= 1) return 4;
    if (rate > -1) return 3;
    if (rate > -2) return 2;
    return 1;
  }

  /** MeasurementColor as observed in captured answers; whether 3 follows h.th or a fixed 250 is UNSURE. */
  colorOf(mgdl: number): number {
    if (mgdl < this.targetLow) return 4;
    if (mgdl >= DEFAULT_ALARM_HIGH) return 3;
    if (mgdl > this.targetHigh) return 2;
    return 1;
  }

  reading(k: number): SimReading {
    const t = this.timeOf(k);
    const value = this.mgdlAt(t);
    return {
      timestamp: t,
      mgdl: value.mgdl,
      trendArrow: this.trendAt(t),
      availableAt: t + this.uploadLag(t),
      measurementColor: this.colorOf(value.mgdl),
      isHigh: value.isHigh,
      isLow: value.isLow,
    };
  }

  latest(at: number): SimReading | null {
    const k = this.latestIndex(at);
    return k < 0 ? null : this.reading(k);
  }

  /** Every reading visible at `at`, oldest first. */
  readings(at: number): SimReading[] {
    const last = this.latestIndex(at);
    const out: SimReading[] = [];
    for (let k = 0; k <= last; k++) if (this.exists(k, at)) out.push(this.reading(k));
    return out;
  }

  /** Graph points: every 5th reading, lagging the current one, over ~12 h, oldest first. */
  graph(at: number): SimReading[] {
    const last = this.latestIndex(at);
    if (last < 0) return [];
    const end = this.timeOf(last) - this.graphLagMs;
    const start = end - GRAPH_WINDOW_PERIODS * this.periodMs;
    const out: SimReading[] = [];
    let k = Math.max(0, Math.ceil((start - this.firstAt) / this.periodMs));
    k += (GRAPH_EVERY - (k % GRAPH_EVERY)) % GRAPH_EVERY;
    for (; k <= last && this.timeOf(k) <= end; k += GRAPH_EVERY) {
      if (this.exists(k, at)) out.push(this.reading(k));
    }
    return out;
  }

  /** Logbook: alarm-triggering readings (type 3) on entering low or high alarm, newest first. */
  logbook(at: number): Array<SimReading & { alarmType: number }> {
    const last = this.latestIndex(at);
    const out: Array<SimReading & { alarmType: number }> = [];
    let prev = 0;
    for (let k = Math.max(0, last - LOGBOOK_MAX_READINGS); k <= last; k++) {
      if (!this.exists(k, at)) continue;
      const r = this.reading(k);
      const state = r.mgdl < this.targetLow ? 1 : r.mgdl >= DEFAULT_ALARM_HIGH ? 2 : 0;
      if (state !== 0 && state !== prev) out.push({ ...r, alarmType: state });
      prev = state;
    }
    return out.reverse();
  }
}

function floorSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
