// The error policy table is the one place a kind's behaviour is decided: every kind has a message,
// a troubleshooting row and a wait, and backoff, /health and the docs follow the table instead of
// listing kinds of their own.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { retryDelay } from '../../src/bridge/backoff.js';
import type { AccountStatus } from '../../src/bridge/events.js';
import { healthReport } from '../../src/http/health.js';
import { describeLluError } from '../../src/librelinkup/describe.js';
import { ERROR_POLICY, type KindPolicy, policyOf } from '../../src/librelinkup/error-policy.js';
import { LluError, type LluErrorDetails, type LluErrorKind } from '../../src/librelinkup/errors.js';
import { renderTroubleshooting, waitSentence } from '../../src/librelinkup/troubleshooting-doc.js';

const NOW = Date.UTC(2026, 10, 25, 22, 10, 0);
const KINDS = Object.keys(ERROR_POLICY) as LluErrorKind[];

/** Every variant of each kind's message, as the client produces them. */
const SAMPLES: Record<LluErrorKind, LluErrorDetails[]> = {
  bad_credentials: [{}],
  terms: [{ step: 'tou' }, { step: 'pp' }, { step: 'verifyEmail' }, { step: 'mfa' }, {}],
  locked: [{ retryAt: NOW + 300_000 }],
  rate_limited: [{ retryAt: NOW + 60_000 }, {}],
  version: [{ minimumVersion: '4.18.0' }, {}],
  unauthorized: [{}],
  missing_cached_user: [{}],
  blocked: [{ httpStatus: 403 }, {}],
  server: [{ httpStatus: 502 }, {}],
  malformed: [{ endpoint: 'graph' }, {}],
  timeout: [{}],
  network: [{ cause: Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }) }, {}],
  patient_not_found: [{}],
  redirect: [{ region: 'zz' }, { region: 'eu' }, {}],
  header_missing: [{}],
  internal: [{ cause: new TypeError('boom') }, {}],
};

/** A quote of the troubleshooting table as a pattern for the start of a message (` ...` may be empty). */
function quotePattern(quote: string): RegExp {
  const parts = quote.split(/( ?\.\.\.|HH:MM)/).map((p) => {
    if (p === ' ...') return '(?: .+?)?';
    if (p === '...') return '.+?';
    if (p === 'HH:MM') return '\\d{2}:\\d{2}';
    return p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('')}`);
}

const account = (kind: LluErrorKind, i: number): AccountStatus => ({
  key: `acct_${i}`,
  label: `a${i}@example.com`,
  ok: false,
  errorKind: kind,
  message: 'failing',
  lastSuccessAt: null,
  lastErrorAt: NOW,
  nextPollAt: null,
  blockedUntil: null,
  requests: 1,
  logins: 1,
});

describe('error policy table', () => {
  it('every kind of the client has an entry', () => {
    expect(KINDS).toHaveLength(Object.keys(SAMPLES).length);
    for (const kind of Object.keys(SAMPLES)) expect(ERROR_POLICY).toHaveProperty(kind);
  });

  it.each(KINDS)(
    '%s: its message is the one describeLluError renders, and every variant is quoted',
    (kind) => {
      const p: KindPolicy = policyOf(kind);
      expect(p.shows.length).toBeGreaterThan(0);
      const messages = SAMPLES[kind].map((d) => describeLluError(new LluError(kind, 'detail', d), NOW));
      for (const [i, d] of SAMPLES[kind].entries()) {
        expect(p.message(new LluError(kind, 'detail', d), NOW)).toBe(messages[i]);
      }
      for (const m of messages) {
        expect(m.length).toBeGreaterThan(20);
        expect(m).not.toMatch(/undefined|\[object/);
        expect(
          p.shows.some((q) => quotePattern(q).test(m)),
          `no quote of ${kind} starts "${m}"`,
        ).toBe(true);
      }
      for (const q of p.shows) {
        expect(
          messages.some((m) => quotePattern(q).test(m)),
          `"${q}" starts no message of ${kind}`,
        ).toBe(true);
      }
    },
  );

  it.each(KINDS)('%s: a troubleshooting row with its title, advice and wait', (kind) => {
    const p = policyOf(kind);
    const rows = renderTroubleshooting()
      .split('\n')
      .filter((r) => r.includes(`(\`${kind}\`)`));
    expect(rows).toHaveLength(1);
    const row = rows[0] ?? '';
    expect(p.title.length).toBeGreaterThan(10);
    expect(p.troubleshooting.length).toBeGreaterThan(10);
    expect(row).toContain(p.title.replace(/\|/g, '\\|'));
    expect(row).toContain(p.troubleshooting);
    expect(row).toContain(waitSentence(p.wait));
  });

  it.each(KINDS)('%s: a wait that backoff computes from the table', (kind) => {
    const w = policyOf(kind).wait;
    for (let attempt = 1; attempt <= 12; attempt++) {
      for (const random of [0, 0.5, 0.999]) {
        const d = retryDelay({ kind, retryAt: undefined }, attempt, NOW, () => random);
        expect(Number.isFinite(d) && d > 0).toBe(true);
        if (w.rule === 'fixed') expect(d).toBe(w.ms);
        if (w.rule === 'retry_at') expect(d).toBe(w.defaultMs);
        if (w.rule === 'doubling') {
          const base = Math.min(w.maxMs, w.baseMs * 2 ** (attempt - 1));
          expect(d).toBeLessThanOrEqual(base);
          expect(d).toBeGreaterThanOrEqual(w.jitter ? base / 2 : base);
        }
      }
    }
    if (w.rule === 'retry_at') {
      expect(retryDelay({ kind, retryAt: NOW + 90_000 }, 1, NOW, () => 0)).toBe(91_000);
    }
  });

  it.each(KINDS)('%s: /health asks for a restart only when a restart can help (needsUser)', (kind) => {
    const startedAt = NOW - 24 * 3600_000;
    const report = healthReport({ brokerConnected: true, accounts: [account(kind, 1)], now: NOW, startedAt });
    expect(report.httpStatus).toBe(policyOf(kind).needsUser ? 200 : 503);
    // One account needing the user keeps the add-on from restart loops even when another is down.
    const mixed = healthReport({
      brokerConnected: true,
      accounts: [account(kind, 1), account('server', 2)],
      now: NOW,
      startedAt,
    });
    expect(mixed.httpStatus).toBe(policyOf(kind).needsUser ? 200 : 503);
  });

  it('backoff, /health and the entities list no kinds of their own', () => {
    const src = join(import.meta.dirname, '..', '..', 'src');
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = join(dir, n);
        return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
      });
    const derived = [
      join(src, 'bridge', 'backoff.ts'),
      ...files(join(src, 'http')),
      ...files(join(src, 'homeassistant')),
    ];
    const literal = new RegExp(`['"\`](${KINDS.join('|')})['"\`]`);
    const offending = derived.filter((f) => literal.test(readFileSync(f, 'utf8')));
    expect(offending).toEqual([]);
  });
});
