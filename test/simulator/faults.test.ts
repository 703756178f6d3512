// FaultBook (which request gets which scripted fault) and corrupt (the malformed variants) as pure
// units; server-faults.test.ts checks the same on the wire.

import { describe, expect, it } from 'vitest';
import { type Answer, corrupt, FaultBook } from '../../src/simulator/faults.js';
import { parseLlu } from './helpers.js';

const f500 = { kind: 'server_error' as const };
const f911 = { kind: 'maintenance' as const };

describe('FaultBook', () => {
  it('serves a rule `times` times (default 1), then nothing', () => {
    const book = new FaultBook();
    book.add({ endpoint: 'connections', fault: f500 });
    expect(book.take('connections', null)).toEqual(f500);
    expect(book.take('connections', null)).toBeNull();
    book.add({ endpoint: 'connections', fault: f500, times: 3 });
    expect([1, 2, 3, 4].map(() => book.take('connections', null))).toEqual([f500, f500, f500, null]);
  });

  it('lasts with Infinity until clear()', () => {
    const book = new FaultBook();
    book.add({ endpoint: 'any', fault: f911, times: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 100; i++) expect(book.take(i % 2 ? 'login' : 'other', null)).toEqual(f911);
    book.clear();
    expect(book.take('login', null)).toBeNull();
  });

  it('matches the endpoint, or every endpoint for "any"', () => {
    const book = new FaultBook();
    book.add({ endpoint: 'graph', fault: f500 });
    expect(book.take('connections', null)).toBeNull();
    expect(book.take('logbook', null)).toBeNull();
    expect(book.take('graph', null)).toEqual(f500);
  });

  it('matches the e-mail case-insensitively; a scoped rule never matches an unknown account', () => {
    const book = new FaultBook();
    book.add({ endpoint: 'login', fault: f500, email: 'A@Example.com' });
    expect(book.take('login', null)).toBeNull();
    expect(book.take('login', 'b@example.com')).toBeNull();
    expect(book.take('login', 'a@example.COM')).toEqual(f500);
  });

  it('takes the first matching rule in the order added', () => {
    const book = new FaultBook();
    book.add({ endpoint: 'login', fault: f500, email: 'x@example.com' });
    book.add({ endpoint: 'login', fault: f911 });
    expect(book.take('login', 'y@example.com')).toEqual(f911);
    expect(book.take('login', 'x@example.com')).toEqual(f500);
  });
});

describe('corrupt', () => {
  const ok: Answer = {
    status: 200,
    body: {
      status: 0,
      data: [
        {
          patientId: 'p',
          glucoseMeasurement: { ValueInMgPerDl: 100, FactoryTimestamp: '1/1/2024 1:00:00 AM' },
        },
      ],
    },
  };

  it('not_json, empty, missing_data and truncated replace the body', () => {
    const notJson = corrupt(ok, 'not_json', 'connections');
    expect(notJson.status).toBe(200);
    expect(() => JSON.parse(notJson.body as string)).toThrow();
    expect(corrupt(ok, 'empty', 'connections')).toMatchObject({ status: 200, body: '' });
    expect(corrupt(ok, 'missing_data', 'connections')).toEqual({ status: 200, body: { status: 0 } });
    const cut = corrupt(ok, 'truncated', 'connections').body as string;
    expect(JSON.stringify(ok.body).startsWith(cut)).toBe(true);
    expect(cut.length).toBeLessThan(JSON.stringify(ok.body).length);
  });

  it('wrong_types and bad_timestamp change a copy, never the original answer', () => {
    const wrong = corrupt(ok, 'wrong_types', 'connections').body as typeof ok.body & {
      data: Array<{ glucoseMeasurement: Record<string, unknown> }>;
    };
    expect(wrong.data[0]!.glucoseMeasurement.ValueInMgPerDl).toBe('HIGH');
    const bad = corrupt(ok, 'bad_timestamp', 'connections').body as typeof wrong;
    expect(() => parseLlu(bad.data[0]!.glucoseMeasurement.FactoryTimestamp as string)).toThrow();
    expect(JSON.stringify(ok.body)).toContain('"ValueInMgPerDl":100');
  });

  it('logbook entries are corrupted one by one', () => {
    const book: Answer = {
      status: 200,
      body: { status: 0, data: [{ ValueInMgPerDl: 60 }, { ValueInMgPerDl: 300 }] },
    };
    const out = corrupt(book, 'wrong_types', 'logbook').body as { data: Array<{ ValueInMgPerDl: unknown }> };
    expect(out.data.map((e) => e.ValueInMgPerDl)).toEqual(['HIGH', 'HIGH']);
  });
});
