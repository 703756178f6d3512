import { describe, expect, it } from 'vitest';
import { STALE_AFTER_MS } from '../../src/bridge/classify.js';
import type { AccountStatus, PatientView } from '../../src/bridge/events.js';
import { buildSnapshot, thresholdsFor } from '../../src/bridge/patient.js';
import { computeStats } from '../../src/bridge/stats.js';
import { withLatestInHistory } from '../../src/bridge/view.js';
import { START_GRACE_MS } from '../../src/http/health.js';
import { ageText, buildStatus, CHART_WINDOW_MS, type StatusInput, untilText } from '../../src/http/status.js';
import { maskEmail } from '../../src/librelinkup/mask.js';
import type { Connection, Reading } from '../../src/librelinkup/model.js';
import { registerSecret } from '../../src/log.js';
import { connection, reading, T0 } from '../bridge/fixtures.js';

const MIN = 60_000;
const NOW = T0 + 26 * 60 * MIN;
const EMAIL = 'follower.person@example.com';

function acct(extra: Partial<AccountStatus> = {}): AccountStatus {
  return {
    key: 'acct_1a2b3c4d',
    label: maskEmail(EMAIL),
    ok: true,
    errorKind: null,
    message: null,
    lastSuccessAt: NOW - 30_000,
    lastErrorAt: null,
    nextPollAt: NOW + 40_000,
    blockedUntil: null,
    requests: 12,
    logins: 1,
    ...extra,
  };
}

/** A reading every 5 minutes from `from` to `to` (inclusive), mg/dL from `curve`. */
function series(from: number, to: number, curve: (t: number) => number): Reading[] {
  const out: Reading[] = [];
  for (let t = from; t <= to; t += 5 * MIN) out.push(reading(t, curve(t), { type: 0, trend: null }));
  return out;
}

function view(
  history: Reading[],
  latest: Reading | null,
  extra: Partial<Connection> = {},
  accountKey = 'acct_1a2b3c4d',
): PatientView {
  const c = connection({ ...extra, latest });
  const thresholds = thresholdsFor(c, null);
  const stats = computeStats({
    history,
    latest,
    unit: c.unit,
    thresholds,
    alarms: { highMgdl: c.alarms.highMgdl },
    sensor: c.sensor,
    deviceTypeId: c.deviceTypeId,
    now: NOW,
  });
  const slug = `${c.firstName}_${c.lastName}`.toLowerCase();
  const snapshot = buildSnapshot({
    accountKey,
    connection: c,
    cfg: null,
    slug,
    latest,
    sensor: c.sensor,
    stats,
    now: NOW,
  });
  return withLatestInHistory({ snapshot, history });
}

function input(extra: Partial<StatusInput> = {}): StatusInput {
  return {
    now: NOW,
    startedAt: NOW - START_GRACE_MS - MIN,
    version: '1.2.3',
    brokerConnected: true,
    accounts: [acct()],
    patients: [],
    ...extra,
  };
}

describe('ageText and untilText', () => {
  it('says how long ago in words', () => {
    expect(ageText(0)).toBe('just now');
    expect(ageText(59_999)).toBe('just now');
    expect(ageText(-5_000)).toBe('just now');
    expect(ageText(3 * MIN + 10_000)).toBe('3 min ago');
    expect(ageText(60 * MIN)).toBe('1 h ago');
    expect(ageText(125 * MIN)).toBe('2 h 5 min ago');
    expect(ageText(3 * 24 * 60 * MIN)).toBe('3 days ago');
  });

  it('says how long until in words', () => {
    expect(untilText(-1)).toBe('now');
    expect(untilText(0)).toBe('now');
    expect(untilText(40_000)).toBe('in 40 s');
    expect(untilText(3 * MIN)).toBe('in 3 min');
    expect(untilText(125 * MIN)).toBe('in 2 h 5 min');
  });
});

describe('buildStatus', () => {
  it('shows a fresh mg/dL patient: value, unit, trend arrow and words, age, range and targets', () => {
    const latest = reading(NOW - 3 * MIN, 123, { trend: 'rising' });
    const s = buildStatus(input({ patients: [view([], latest)] }));
    const p = s.patients[0]!;
    expect(p).toMatchObject({
      slug: 'anna_smith',
      name: 'Anna Smith',
      account: 'fo***@example.com',
      unit: 'mg/dL',
      value: 123,
      trend: 'rising',
      trend_arrow: '↗',
      trend_text: 'rising',
      timestamp: new Date(NOW - 3 * MIN).toISOString(),
      age_seconds: 180,
      age_text: '3 min ago',
      stale: false,
      stale_text: null,
      range: 'in_range',
      range_text: 'In range',
      target_low: 70,
      target_high: 180,
    });
    expect(s.refresh_seconds).toBeGreaterThanOrEqual(10);
    expect(s.refresh_seconds).toBeLessThanOrEqual(15);
    expect(s.stale_after_minutes).toBe(15);
    expect(s.version).toBe('1.2.3');
    expect(s.generated_at).toBe(new Date(NOW).toISOString());
  });

  it('converts to mmol/L with the shared unit rules (value, targets, chart)', () => {
    const latest = reading(NOW - MIN, 101, { trend: 'falling_quickly' });
    const s = buildStatus(
      input({ patients: [view([reading(NOW - 6 * MIN, 110, { type: 0 })], latest, { unit: 'mmol/L' })] }),
    );
    const p = s.patients[0]!;
    expect(p.unit).toBe('mmol/L');
    expect(p.value).toBe(5.6);
    expect(p.trend_arrow).toBe('↓');
    expect(p.trend_text).toBe('falling quickly');
    expect(p.target_low).toBe(3.9);
    expect(p.target_high).toBe(10);
    expect(p.chart.points).toEqual([
      { time: NOW - 6 * MIN, value: 6.1 },
      { time: NOW - MIN, value: 5.6 },
    ]);
    expect(p.chart.y_min).toBe(2);
    expect(p.chart.y_max).toBe(14);
  });

  it('marks a patient stale at exactly 15 minutes by reading timestamp, with a reason in words', () => {
    const fresh = buildStatus(input({ patients: [view([], reading(NOW - STALE_AFTER_MS + 1, 100))] }));
    expect(fresh.patients[0]!.stale).toBe(false);
    const stale = buildStatus(input({ patients: [view([], reading(NOW - STALE_AFTER_MS, 100))] }));
    expect(stale.patients[0]!.stale).toBe(true);
    const old = buildStatus(input({ patients: [view([], reading(NOW - 80 * MIN, 100))] }));
    expect(old.patients[0]).toMatchObject({
      stale: true,
      stale_text: 'Stale: no new reading for 1 h 20 min',
      age_text: '1 h 20 min ago',
      value: 100,
    });
  });

  it('shows a patient without any reading as stale, with nulls rather than guesses', () => {
    const s = buildStatus(input({ patients: [view([], null)] }));
    expect(s.patients[0]).toMatchObject({
      value: null,
      trend: null,
      trend_arrow: null,
      timestamp: null,
      age_seconds: null,
      age_text: null,
      stale: true,
      stale_text: 'No reading yet',
      range: null,
      range_text: null,
      time_in_range: null,
      average: null,
      gmi: null,
    });
    expect(s.patients[0]!.chart.points).toEqual([]);
  });

  it('shows no trend arrow when upstream gave none', () => {
    const s = buildStatus(input({ patients: [view([], reading(NOW - MIN, 100, { trend: null }))] }));
    expect(s.patients[0]).toMatchObject({ trend: null, trend_arrow: null, trend_text: null });
  });

  it('names the range in words for low, urgent low and high', () => {
    const at = (mgdl: number) =>
      buildStatus(input({ patients: [view([], reading(NOW - MIN, mgdl))] })).patients[0]!;
    expect(at(60)).toMatchObject({ range: 'low', range_text: 'Low' });
    expect(at(50)).toMatchObject({ range: 'urgent_low', range_text: 'Urgent low' });
    expect(at(200)).toMatchObject({ range: 'high', range_text: 'High' });
  });

  it('passes on time in range, average and GMI from the bridge stats when there is enough data', () => {
    // 24 h of readings, one third above 180.
    const history = series(NOW - 24 * 60 * MIN, NOW - 5 * MIN, (t) =>
      ((t - T0) / (5 * MIN)) % 3 === 0 ? 200 : 120,
    );
    const latest = reading(NOW, 120);
    const s = buildStatus(input({ patients: [view(history, latest)] }));
    const p = s.patients[0]!;
    expect(p.time_in_range).toBeGreaterThan(60);
    expect(p.time_in_range).toBeLessThan(72);
    expect(p.average).toBeGreaterThan(130);
    expect(p.gmi).toBeGreaterThan(6);
    expect(p.delta).toBe(0);
  });

  it('leaves time in range, average and GMI unknown with too few readings', () => {
    const history = series(NOW - 2 * 60 * MIN, NOW - 5 * MIN, () => 120);
    const s = buildStatus(input({ patients: [view(history, reading(NOW, 120))] }));
    expect(s.patients[0]).toMatchObject({ time_in_range: null, average: null, gmi: null });
  });

  it('charts only the last 12 hours, oldest first, one point per minute, including the latest reading', () => {
    const history = series(NOW - 24 * 60 * MIN, NOW - 5 * MIN, () => 150);
    history.push(reading(NOW - 5 * MIN + 1_000, 151)); // same minute as a graph point: one point only
    const latest = reading(NOW - 30_000, 140);
    const s = buildStatus(input({ patients: [view(history, latest)] }));
    const c = s.patients[0]!.chart;
    expect(c.to).toBe(NOW);
    expect(c.from).toBe(NOW - CHART_WINDOW_MS);
    expect(c.points[0]!.time).toBeGreaterThanOrEqual(NOW - CHART_WINDOW_MS);
    expect(c.points.at(-1)).toEqual({ time: NOW - 30_000, value: 140 });
    expect(c.points.length).toBe(12 * 12 + 1);
    const times = c.points.map((p) => p.time);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(times.map((t) => Math.floor(t / MIN))).size).toBe(times.length);
    expect(c.y_min).toBe(40);
    expect(c.y_max).toBe(250);
  });

  it('widens the chart axis for values beyond the usual span', () => {
    const history = [reading(NOW - 20 * MIN, 35, { type: 0 }), reading(NOW - 10 * MIN, 320, { type: 0 })];
    const c = buildStatus(input({ patients: [view(history, reading(NOW - MIN, 300))] })).patients[0]!.chart;
    expect(c.y_min).toBeLessThanOrEqual(35);
    expect(c.y_max).toBeGreaterThan(320);
  });

  it('reports the bridge health: per account state, last error in words, next poll; broker', () => {
    const failing = acct({
      key: 'acct_99999999',
      label: 'ot***@example.org',
      ok: false,
      errorKind: 'rate_limited',
      message: 'LibreLinkUp is rate-limiting requests (HTTP 429); the bridge waits a few minutes.',
      lastSuccessAt: NOW - 7 * MIN,
      nextPollAt: NOW + 3 * MIN,
    });
    const s = buildStatus(input({ accounts: [acct(), failing], brokerConnected: true }));
    expect(s.health.status).toBe('degraded');
    expect(s.health.status_text).toBe('Running with problems');
    expect(s.health.broker_connected).toBe(true);
    expect(s.health.reasons).toEqual([
      'ot***@example.org: LibreLinkUp is rate-limiting requests (HTTP 429); the bridge waits a few minutes.',
    ]);
    expect(s.health.accounts).toEqual([
      {
        name: 'fo***@example.com',
        ok: true,
        state_text: 'OK',
        last_error: null,
        last_success: new Date(NOW - 30_000).toISOString(),
        last_success_text: 'just now',
        next_poll: new Date(NOW + 40_000).toISOString(),
        next_poll_text: 'in 40 s',
      },
      {
        name: 'ot***@example.org',
        ok: false,
        state_text: 'LibreLinkUp is rate-limiting requests (HTTP 429); the bridge waits a few minutes.',
        last_error: 'LibreLinkUp is rate-limiting requests (HTTP 429); the bridge waits a few minutes.',
        last_success: new Date(NOW - 7 * MIN).toISOString(),
        last_success_text: '7 min ago',
        next_poll: new Date(NOW + 3 * MIN).toISOString(),
        next_poll_text: 'in 3 min',
      },
    ]);
  });

  it('says so when the broker is down and an account never polled', () => {
    const s = buildStatus(
      input({
        brokerConnected: false,
        accounts: [acct({ ok: false, lastSuccessAt: null, nextPollAt: null })],
      }),
    );
    expect(s.health.status).toBe('error');
    expect(s.health.status_text).toBe('Not working');
    expect(s.health.reasons).toContain('not connected to the MQTT broker');
    expect(s.health.accounts[0]).toMatchObject({
      ok: false,
      state_text: 'No successful poll yet',
      last_success: null,
      last_success_text: null,
      next_poll: null,
      next_poll_text: null,
    });
  });

  it('names each patient by the masked e-mail of its account', () => {
    const other = acct({ key: 'acct_22222222', label: maskEmail('second@example.net') });
    const s = buildStatus(
      input({
        accounts: [acct(), other],
        patients: [
          view([], reading(NOW - MIN, 100)),
          view([], reading(NOW - MIN, 100), { patientId: 'p-2', firstName: 'Ben' }, 'acct_22222222'),
        ],
      }),
    );
    expect(s.patients.map((p) => p.account)).toEqual(['fo***@example.com', 'se***@example.net']);
  });

  it('never contains secrets or upstream identifiers', () => {
    registerSecret('S3cret-Passw0rd!');
    const failing = acct({
      ok: false,
      errorKind: 'bad_credentials',
      message: 'Wrong password S3cret-Passw0rd! with Bearer eyJhbGciOiJIUzI1NiJ9.abc.def',
    });
    const patient = view(
      series(NOW - 60 * MIN, NOW - 5 * MIN, () => 100),
      reading(NOW, 100),
      {
        patientId: '7d3f2a1e-0000-4000-8000-1234567890ab',
        connectionId: 'conn-5a6b7c8d',
      },
    );
    const text = JSON.stringify(buildStatus(input({ accounts: [failing], patients: [patient] })));
    for (const secret of [
      EMAIL,
      'S3cret-Passw0rd!',
      'eyJhbGciOiJIUzI1NiJ9',
      'acct_1a2b3c4d',
      '7d3f2a1e-0000-4000-8000-1234567890ab',
      'conn-5a6b7c8d',
      'SN1',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/"requests"|"logins"|"key"|"patientId"|"serial"/);
  });

  it('is pure: the same input gives the same output, and the input is not changed', () => {
    const history = series(NOW - 60 * MIN, NOW - 5 * MIN, () => 100);
    const frozen = Object.freeze([...history]);
    const i = input({ patients: [{ ...view(history, reading(NOW, 100)), history: frozen }] });
    expect(buildStatus(i)).toEqual(buildStatus(i));
    expect(frozen).toEqual(history);
  });
});
