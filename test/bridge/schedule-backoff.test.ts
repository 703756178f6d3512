import { describe, expect, it } from 'vitest';
import { CREDENTIALS_MAX_MS, HOUR, MINUTE, retryDelay, TRANSIENT_MAX_MS } from '../../src/bridge/backoff.js';
import { EMPTY_CADENCE, LEARNING_SAMPLES, lagOf, observe, periodOf } from '../../src/bridge/cadence.js';
import { DUE_MARGIN_MS, nextPollAt, START_STEP_MS, startWindowOf } from '../../src/bridge/schedule.js';
import { T0 } from './fixtures.js';

const base = { minIntervalMs: 10_000, intervalMs: 60_000, spread: 0 };

describe('cadence', () => {
  it('learns the period and lag from observed readings', () => {
    let c = EMPTY_CADENCE;
    let prev: number | null = null;
    for (let k = 0; k < 40; k++) {
      const ts = T0 + k * 30_000;
      c = observe(c, ts, prev, ts + 4_000 + (k % 3) * 1_000, 10_000);
      prev = ts;
    }
    expect(periodOf(c)).toBe(30_000);
    // Every first poll found its reading, so the aim moves earlier than the 4-6 s bounds.
    expect(lagOf(c)).toBeLessThan(4_000);
  });

  it('ignores spacings that span missed readings', () => {
    let c = observe(EMPTY_CADENCE, T0 + 60_000, T0, T0 + 61_000, 10_000);
    c = observe(c, T0 + 600_000, T0 + 60_000, T0 + 601_000, 10_000);
    expect(periodOf(c)).toBe(60_000);
  });
});

/**
 * Polls an upstream whose readings come every `period` ms (reading k visible `lag(k)` ms after its
 * timestamp) with the real schedule and cadence learner. Returns what the bridge saw, when, and how
 * many polls it made.
 */
function simulatePolling(
  period: number,
  lag: number | ((k: number) => number),
  intervalMs: number,
  minIntervalMs: number,
  untilMs: number,
) {
  const lagOfK = typeof lag === 'number' ? () => lag : lag;
  let cadence = EMPTY_CADENCE;
  let latestTs: number | null = null;
  let lastPollAt: number | null = null;
  let now = T0;
  const seen: number[] = [];
  const freshness: number[] = [];
  let polls = 0;
  while (now < T0 + untilMs) {
    polls++;
    let k = Math.floor((now - T0) / period);
    while (k >= 0 && T0 + k * period + lagOfK(k) > now) k--;
    const visible = T0 + k * period;
    if (k >= 0 && visible !== latestTs) {
      cadence = observe(cadence, visible, latestTs, now, lastPollAt === null ? 0 : now - lastPollAt);
      latestTs = visible;
      seen.push(visible);
      freshness.push(now - (visible + lagOfK(k)));
    }
    lastPollAt = now;
    now = nextPollAt({
      now,
      lastPollAt,
      minIntervalMs,
      intervalMs,
      spread: 0,
      patients: [{ latestTs, cadence }],
    });
  }
  return { seen, polls, cadence, freshness };
}

/** Deterministic 1-20 s lags, as the benchmark's workload (a pure function of the reading index). */
const uniformLag = (k: number) => 1_000 + ((k * 2_654_435_761) % 19_000);

describe('schedule and cadence together', () => {
  it('learns a cadence shorter than the poll interval instead of locking onto the poll spacing', () => {
    const { seen, cadence } = simulatePolling(1_000, 100, 2_000, 250, 30_000);
    expect(periodOf(cadence)).toBe(1_000);
    const tail = seen.filter((t) => t >= T0 + 10_000);
    for (let i = 1; i < tail.length; i++) expect(tail[i]! - tail[i - 1]!).toBe(1_000);
  });

  it('costs close to one poll per reading once the 60 s cadence is learned', () => {
    const { seen, polls, cadence } = simulatePolling(60_000, 8_000, 60_000, 10_000, 6 * 3_600_000);
    expect(periodOf(cadence)).toBe(60_000);
    expect(cadence.periods.length).toBeGreaterThanOrEqual(LEARNING_SAMPLES);
    expect(polls / seen.length).toBeLessThan(1.25);
  });

  it('aims just after a steady upload lag: fresh within seconds, not drifting later', () => {
    const { freshness, cadence } = simulatePolling(60_000, 8_000, 60_000, 10_000, 6 * 3_600_000);
    const steady = freshness.slice(20).sort((a, b) => a - b);
    expect(steady[Math.floor(steady.length / 2)]!).toBeLessThanOrEqual(3_000);
    expect(lagOf(cadence)).toBeLessThan(12_000);
  });

  it('recovers within ~15 readings after a burst of slow uploads instead of staying late for an hour', () => {
    // 8 s lags, then 15 readings lagging 55 s, then 8 s again.
    const lag = (k: number) => (k >= 60 && k < 75 ? 55_000 : 8_000);
    const { freshness } = simulatePolling(60_000, lag, 60_000, 10_000, 3 * 3_600_000);
    const after = freshness.slice(92, 120).sort((a, b) => a - b);
    expect(after[Math.floor(after.length / 2)]!).toBeLessThanOrEqual(5_000);
  });

  it('with lags spread over 1-20 s: about 1.2 polls per reading, and the aim stays inside the spread', () => {
    const { seen, polls, cadence, freshness } = simulatePolling(
      60_000,
      uniformLag,
      60_000,
      10_000,
      12 * 3_600_000,
    );
    expect(polls / seen.length).toBeLessThanOrEqual(1.2);
    // Taking the aim from the lag bounds alone would drift to the largest lag (~20 s).
    expect(lagOf(cadence)).toBeLessThan(19_000);
    expect(Math.max(...freshness.slice(20))).toBeLessThanOrEqual(21_000);
  });
});

describe('nextPollAt', () => {
  const cadence = { periods: [60_000, 60_000, 60_000, 60_000], lags: [5_000, 5_000, 5_000] };

  it('polls just after the next reading is due', () => {
    const at = nextPollAt({
      ...base,
      now: T0 + 6_000,
      lastPollAt: T0 + 6_000,
      patients: [{ latestTs: T0, cadence }],
    });
    expect(at).toBe(T0 + 60_000 + 5_000 + DUE_MARGIN_MS);
  });

  it('never polls sooner than min_interval nor later than interval', () => {
    const soon = nextPollAt({
      ...base,
      now: T0 + 64_000,
      lastPollAt: T0 + 64_000,
      patients: [{ latestTs: T0 + 2_000, cadence: { periods: [1_000], lags: [0] } }],
    });
    expect(soon).toBeGreaterThanOrEqual(T0 + 74_000);
    const late = nextPollAt({ ...base, now: T0, lastPollAt: T0, patients: [] });
    expect(late).toBe(T0 + 60_000);
  });

  it('chases an overdue reading at min_interval, then falls back to interval after a long silence', () => {
    const overdue = nextPollAt({
      ...base,
      now: T0 + 70_000,
      lastPollAt: T0 + 70_000,
      patients: [{ latestTs: T0, cadence }],
    });
    expect(overdue).toBe(T0 + 80_000);
    const silent = nextPollAt({
      ...base,
      now: T0 + 30 * MINUTE,
      lastPollAt: T0 + 30 * MINUTE,
      patients: [{ latestTs: T0, cadence }],
    });
    expect(silent).toBe(T0 + 30 * MINUTE + 60_000);
  });

  it('spreads accounts by their offset', () => {
    const input = { ...base, now: T0, lastPollAt: T0, patients: [{ latestTs: T0 - 50_000, cadence }] };
    const a = nextPollAt({ ...input, spread: 0 });
    const b = nextPollAt({ ...input, spread: 0.5 });
    expect(b).toBeGreaterThan(a);
  });
});

describe('aim and chase', () => {
  const periods = [60_000, 60_000, 60_000, 60_000];
  const tracked = { periods, lags: [15_000, 15_000, 15_000], lagAim: 5_000, aimStep: 1_000 };
  const pace = { freshness: 'balanced' as const, spacingMs: 10_000 };

  it('polls right at the tracked aim: no margin on top of it', () => {
    const at = nextPollAt({
      ...base,
      now: T0 + 6_000,
      lastPollAt: T0 + 6_000,
      patients: [{ latestTs: T0, cadence: tracked }],
    });
    expect(at).toBe(T0 + 60_000 + 5_000);
  });

  it('re-polls a miss at the spacing, not later', () => {
    const missedAt = T0 + 65_000;
    const at = nextPollAt({
      ...base,
      now: missedAt,
      lastPollAt: missedAt,
      patients: [{ latestTs: T0, cadence: tracked }],
    });
    expect(at).toBe(missedAt + 10_000);
  });

  it('a stalled upload (the chase missed too) waits for the next reading instead of a poll every spacing', () => {
    const chasedAt = T0 + 75_000;
    const at = nextPollAt({
      ...base,
      now: chasedAt,
      lastPollAt: chasedAt,
      patients: [{ latestTs: T0, cadence: tracked }],
    });
    expect(at).toBe(T0 + 120_000 + 5_000);
  });

  it('fast keeps chasing at 5 s though min_interval is 1 s', () => {
    const missedAt = T0 + 65_000;
    const input = { ...base, minIntervalMs: 1_000, now: missedAt, lastPollAt: missedAt };
    const at = nextPollAt({ ...input, freshness: 'fast', patients: [{ latestTs: T0, cadence: tracked }] });
    expect(at).toBe(missedAt + 5_000);
  });

  it('a near miss moves the aim later, a hit earlier, a stall not at all', () => {
    const prev = T0;
    const ts = T0 + 60_000;
    // near miss: the first poll (at the aim) missed, the chase one spacing later found it
    const near = observe(tracked, ts, prev, ts + 15_000, 10_000, pace);
    expect(near.lagAim).toBeGreaterThan(5_000);
    // hit: the poll before the finding one came before the aim
    const hit = observe(tracked, ts, prev, ts + 5_000, 60_000, pace);
    expect(hit.lagAim).toBeLessThan(5_000);
    // stall: the poll before the finding one was itself a chase (a spacing after the aim)
    const stall = observe(tracked, ts, prev, ts + 65_000, 50_000, pace);
    expect(stall.lagAim).toBe(5_000);
  });

  it('the aim settles at the share of first-poll hits of each setting', () => {
    // lags uniform over 1-4 s, a reading every 15 s, polls 1 s apart: economical aims higher than fast
    const aims = (['economical', 'balanced', 'fast'] as const).map((freshness) => {
      let c = EMPTY_CADENCE;
      let prev: number | null = null;
      let seed = 1;
      for (let k = 0; k < 600; k++) {
        seed = (seed * 48_271) % 2_147_483_647;
        const ts = T0 + k * 15_000;
        const lag = 1_000 + (seed % 3_000);
        const aimAt = ts + lagOf(c);
        // the first poll is at the aim; a miss is found by the chase a second later
        const [seenAt, gap] = lag <= lagOf(c) ? [aimAt, 15_000] : [aimAt + 1_000, 1_000];
        c = observe(c, ts, prev, seenAt, gap, { freshness, spacingMs: 1_000 });
        prev = ts;
      }
      return lagOf(c);
    });
    expect(aims[0]!).toBeGreaterThan(aims[1]!);
    expect(aims[1]!).toBeGreaterThan(aims[2]!);
    // inside the lag's spread, not beyond it (a 5 s step would throw it past 4 s after every miss)
    for (const aim of aims) expect(aim).toBeLessThanOrEqual(4_500);
  });
});

describe('retryDelay', () => {
  const rnd = () => 0.5;
  it('waits 5 minutes after a wrong password, doubling up to an hour', () => {
    const e = { kind: 'bad_credentials' as const, retryAt: undefined };
    expect(retryDelay(e, 1, T0, rnd)).toBe(5 * MINUTE);
    expect(retryDelay(e, 2, T0, rnd)).toBe(10 * MINUTE);
    expect(retryDelay(e, 10, T0, rnd)).toBe(CREDENTIALS_MAX_MS);
  });

  it('waits an hour for the terms step', () => {
    expect(retryDelay({ kind: 'terms', retryAt: undefined }, 1, T0, rnd)).toBe(HOUR);
  });

  it('honours a lockout or Retry-After exactly (plus a second), without jitter', () => {
    expect(retryDelay({ kind: 'locked', retryAt: T0 + 300_000 }, 1, T0, Math.random)).toBe(301_000);
    expect(retryDelay({ kind: 'rate_limited', retryAt: undefined }, 1, T0, rnd)).toBe(5 * MINUTE);
  });

  it('backs off transient faults exponentially with jitter from 10 s to 15 min', () => {
    const e = { kind: 'server' as const, retryAt: undefined };
    expect(retryDelay(e, 1, T0, () => 0)).toBe(5_000);
    expect(retryDelay(e, 1, T0, () => 1)).toBe(10_000);
    expect(retryDelay(e, 3, T0, () => 1)).toBe(40_000);
    expect(retryDelay(e, 30, T0, () => 1)).toBe(TRANSIENT_MAX_MS);
  });
});

describe('first polls at start', () => {
  const base = { now: T0, lastPollAt: null, minIntervalMs: 10_000, intervalMs: 60_000, patients: [] };

  it('spread a few accounts over the first 2 s, as before', () => {
    expect(startWindowOf(1, 10_000, 60_000)).toBe(2_000);
    expect(startWindowOf(3, 10_000, 60_000)).toBe(2_000);
    expect(startWindowOf(2, 1_000, 60_000)).toBe(1_000);
    expect(nextPollAt({ ...base, spread: 0 })).toBe(T0);
    expect(nextPollAt({ ...base, spread: 0.5, accounts: 2 })).toBe(T0 + 1_000);
  });

  it(`spread hundreds of accounts ${START_STEP_MS} ms apart, never past the poll interval`, () => {
    expect(startWindowOf(200, 10_000, 60_000)).toBe(10_000);
    expect(startWindowOf(5_000, 10_000, 60_000)).toBe(60_000);
    const starts = Array.from({ length: 200 }, (_, i) =>
      nextPollAt({ ...base, spread: i / 200, accounts: 200 }),
    );
    expect(Math.max(...starts) - T0).toBeLessThan(10_000);
    // No two accounts of the 200 log in within the same 50 ms.
    const sorted = [...starts].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(START_STEP_MS - 1);
  });
});
