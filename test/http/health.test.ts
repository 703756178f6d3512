import { describe, expect, it } from 'vitest';
import type { AccountStatus } from '../../src/bridge/events.js';
import { ACCOUNT_DOWN_AFTER_MS, healthReport, START_GRACE_MS } from '../../src/http/health.js';
import { registerSecret } from '../../src/log.js';

const T0 = Date.UTC(2026, 10, 25, 2, 0, 0);
const MIN = 60_000;
const AFTER_GRACE = T0 + START_GRACE_MS + MIN;

function acct(extra: Partial<AccountStatus> = {}): AccountStatus {
  return {
    key: 'acct_1a2b3c4d',
    label: 'fo***@example.com',
    ok: true,
    errorKind: null,
    message: null,
    lastSuccessAt: AFTER_GRACE - MIN,
    lastErrorAt: null,
    nextPollAt: AFTER_GRACE + MIN,
    blockedUntil: null,
    requests: 3,
    logins: 1,
    ...extra,
  };
}

const failing = (kind: AccountStatus['errorKind'], message: string, lastSuccessAt: number | null = null) =>
  acct({ ok: false, errorKind: kind, message, lastSuccessAt, lastErrorAt: AFTER_GRACE - MIN });

describe('healthReport', () => {
  it('is ok with a connected broker and every account polling', () => {
    const r = healthReport({ brokerConnected: true, accounts: [acct()], now: AFTER_GRACE, startedAt: T0 });
    expect(r.httpStatus).toBe(200);
    expect(r.body.status).toBe('ok');
    expect(r.body.reasons).toEqual([]);
    expect(r.body.accounts).toEqual([
      {
        key: 'acct_1a2b3c4d',
        label: 'fo***@example.com',
        ok: true,
        last_success: new Date(AFTER_GRACE - MIN).toISOString(),
        error_kind: null,
        message: null,
        next_poll: new Date(AFTER_GRACE + MIN).toISOString(),
      },
    ]);
  });

  it('stays healthy during the start-up grace period even with the broker down and no poll yet', () => {
    const pending = acct({ ok: false, lastSuccessAt: null, nextPollAt: null });
    const r = healthReport({ brokerConnected: false, accounts: [pending], now: T0 + MIN, startedAt: T0 });
    expect(r.httpStatus).toBe(200);
    expect(r.body.status).toBe('degraded');
    expect(r.body.accounts[0]?.last_success).toBeNull();
  });

  it('answers 503 when the broker is disconnected after the grace period', () => {
    const r = healthReport({ brokerConnected: false, accounts: [acct()], now: AFTER_GRACE, startedAt: T0 });
    expect(r.httpStatus).toBe(503);
    expect(r.body.status).toBe('error');
    expect(r.body.broker_connected).toBe(false);
    expect(r.body.reasons.join(' ')).toMatch(/MQTT broker/);
  });

  it('answers 503 when every account has failed (network) for longer than the window', () => {
    const now = AFTER_GRACE + ACCOUNT_DOWN_AFTER_MS;
    const down = failing('network', 'LibreLinkUp unreachable', now - ACCOUNT_DOWN_AFTER_MS - MIN);
    const r = healthReport({ brokerConnected: true, accounts: [down], now, startedAt: T0 });
    expect(r.httpStatus).toBe(503);
    expect(r.body.status).toBe('error');
    expect(r.body.accounts[0]?.error_kind).toBe('network');
  });

  it('is only degraded while a failing account succeeded recently', () => {
    const r = healthReport({
      brokerConnected: true,
      accounts: [failing('timeout', 'timed out', AFTER_GRACE - 5 * MIN)],
      now: AFTER_GRACE,
      startedAt: T0,
    });
    expect(r.httpStatus).toBe(200);
    expect(r.body.status).toBe('degraded');
  });

  it('is degraded, not 503, when one of two accounts fails', () => {
    const r = healthReport({
      brokerConnected: true,
      accounts: [acct(), failing('server', 'LibreLinkUp answered 503', null)],
      now: AFTER_GRACE,
      startedAt: T0,
    });
    expect(r.httpStatus).toBe(200);
    expect(r.body.status).toBe('degraded');
  });

  it.each(['bad_credentials', 'terms', 'locked', 'rate_limited', 'blocked'] as const)(
    'never asks for a restart (503) for %s: a restart would only add logins',
    (kind) => {
      const r = healthReport({
        brokerConnected: true,
        accounts: [failing(kind, 'needs the user')],
        now: AFTER_GRACE + ACCOUNT_DOWN_AFTER_MS,
        startedAt: T0,
      });
      expect(r.httpStatus).toBe(200);
      expect(r.body.status).toBe('degraded');
      expect(r.body.reasons).toContain('fo***@example.com: needs the user');
    },
  );

  it('never carries a registered secret, even inside an account message', () => {
    registerSecret('hunter2-very-secret');
    const r = healthReport({
      brokerConnected: true,
      accounts: [failing('bad_credentials', 'login failed for hunter2-very-secret')],
      now: AFTER_GRACE,
      startedAt: T0,
    });
    expect(JSON.stringify(r.body)).not.toContain('hunter2-very-secret');
  });
});
