// Churn and refresh of the per-person, per-account and bridge handles: readings never rebuild
// discovery; a change of what discovery shows rebuilds exactly that person's, and re-sends only the
// configs whose JSON changed; Home Assistant's birth message and a reconnect re-send everything.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { patientDiscovery } from '../../src/homeassistant/discovery.js';
import { discoveryInputs, PATIENT_ENTITIES } from '../../src/homeassistant/entities.js';
import { BIRTH_RESEND_DELAY_MS } from '../../src/homeassistant/publisher.js';
import { Topics } from '../../src/mqtt/topics.js';
import { reading, T0 } from '../bridge/fixtures.js';
import { account, anna, ben, recordingPublisher, type Sent } from './wire-fixture.js';

const configs = (sent: Sent[]) => sent.filter((m) => m.topic.endsWith('/config'));
const ANNA = anna().patientId;
const BEN = ben().patientId;

/** A new reading every 5 minutes, with everything that moves with it. */
function annaAt(i: number) {
  const mgdl = 100 + ((i * 7) % 120);
  return anna({
    latest: reading(T0 + i * 300_000, mgdl, { trend: i % 2 ? 'rising' : 'falling' }),
    high: mgdl > 180,
    low: mgdl < 70,
    range: mgdl > 180 ? 'high' : 'in_range',
    stale: i % 10 === 0,
    stats: { ...anna().stats, rate: i / 10, delta: i, timeInRange: 50 + (i % 50), average: 100 + i },
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('discovery churn', () => {
  it('builds a person’s discovery once for 200 readings, and sends no config after the first', async () => {
    const w = await recordingPublisher();
    w.publisher.patientChanged(annaAt(0));
    const first = configs(w.sent).length;
    expect(first).toBe(2 + PATIENT_ENTITIES.length);
    for (let i = 1; i <= 200; i++) {
      w.publisher.patientChanged(annaAt(i));
      await w.publisher.reading(annaAt(i), annaAt(i).latest!);
    }
    expect(w.publisher.discoveryBuilds(ANNA)).toBe(1);
    expect(configs(w.sent)).toHaveLength(first);
    // The states did go out: one per reading.
    expect(w.sent.filter((m) => m.topic === w.topics.patientState('anna_smith'))).toHaveLength(201);
  });

  it('a name change rebuilds exactly that person’s discovery and re-sends all of its configs', async () => {
    const w = await recordingPublisher();
    w.publisher.patientChanged(anna());
    w.publisher.patientChanged(ben());
    const before = w.sent.length;
    w.publisher.patientChanged(anna({ name: 'Anna S.' }));
    expect(w.publisher.discoveryBuilds(ANNA)).toBe(2);
    expect(w.publisher.discoveryBuilds(BEN)).toBe(1);
    const resent = configs(w.sent.slice(before));
    expect(resent).toHaveLength(PATIENT_ENTITIES.length);
    for (const m of resent) expect(JSON.parse(m.payload).device.name).toBe('Anna S.');
  });

  it('a unit change re-sends only the configs that show the unit, for that person only', async () => {
    const w = await recordingPublisher();
    w.publisher.patientChanged(anna());
    w.publisher.patientChanged(ben());
    const before = w.sent.length;
    w.publisher.patientChanged(anna({ unit: 'mmol/L' }));
    expect(w.publisher.discoveryBuilds(ANNA)).toBe(2);
    expect(w.publisher.discoveryBuilds(BEN)).toBe(1);
    const keys = configs(w.sent.slice(before)).map((m) => m.topic.split('/').at(-2));
    expect(keys.sort()).toEqual(['average', 'delta', 'glucose', 'rate']);
  });

  it('an account’s status changes never rebuild its discovery; a new label does', async () => {
    const w = await recordingPublisher();
    const accountConfigs = () => configs(w.sent).filter((m) => m.topic.includes('acct_12345678'));
    for (let i = 0; i < 30; i++)
      w.publisher.accountChanged(account({ requests: i, ok: i % 3 !== 0, lastErrorAt: T0 + i }));
    expect(accountConfigs()).toHaveLength(2);
    expect(w.sent.filter((m) => m.topic === w.topics.accountState('acct_12345678'))).toHaveLength(30);
    w.publisher.accountChanged(account({ label: 'ne***@example.com' }));
    expect(accountConfigs()).toHaveLength(4);
  });
});

describe('discovery inputs', () => {
  it('discovery reads nothing of a snapshot but its discovery inputs', () => {
    const ctx = { topics: new Topics('librelinkup2mqtt', 'homeassistant'), version: '1', supportUrl: 'u' };
    for (const p of [anna(), ben(), annaAt(3)]) {
      for (const row of PATIENT_ENTITIES) {
        expect(patientDiscovery(row, p, ctx)).toEqual(patientDiscovery(row, discoveryInputs(p), ctx));
      }
    }
  });
});

describe('refresh', () => {
  async function populated() {
    const w = await recordingPublisher();
    w.publisher.accountChanged(account());
    w.publisher.patientChanged(anna());
    w.publisher.patientChanged(ben());
    const expected = new Set(w.sent.filter((m) => m.retain).map((m) => m.topic));
    w.sent.length = 0;
    return { w, expected };
  }

  it('on Home Assistant’s birth message every handle re-sends its configs and states, after a pause', async () => {
    vi.useFakeTimers();
    const { w, expected } = await populated();
    w.haOnline();
    vi.advanceTimersByTime(BIRTH_RESEND_DELAY_MS - 1);
    expect(w.sent).toHaveLength(0);
    vi.advanceTimersByTime(1);
    const resent = new Set(w.sent.map((m) => m.topic));
    for (const t of expected) expect(resent.has(t), t).toBe(true);
    expect(resent.has(w.topics.bridgeState())).toBe(true);
    expect(w.sent.every((m) => m.retain && m.qos === 1)).toBe(true);
  });

  it('on reconnect (the broker may have lost retained messages) everything retained is re-sent at once', async () => {
    const { w, expected } = await populated();
    w.reconnect();
    const resent = new Map(w.sent.map((m) => [m.topic, m.payload]));
    for (const t of expected) expect(resent.has(t), t).toBe(true);
    expect(resent.get(w.topics.patientAvailability('ben'))).toBe('offline');
    expect(JSON.parse(resent.get(w.topics.patientState('anna_smith'))!).glucose).toBe(190);
  });

  it('an unchanged state, availability or account state is not published again; a reconnect sends it whole', async () => {
    const w = await recordingPublisher();
    w.publisher.patientChanged(anna());
    w.publisher.accountChanged(account());
    w.sent.length = 0;
    for (let i = 0; i < 5; i++) {
      w.publisher.patientChanged(anna());
      w.publisher.accountChanged(account());
    }
    expect(w.sent).toEqual([]);
    w.publisher.patientChanged(anna({ stale: true }));
    expect(w.sent.map((m) => [m.topic, m.payload])).toContainEqual([
      w.topics.patientAvailability('anna_smith'),
      'offline',
    ]);
    w.sent.length = 0;
    w.reconnect();
    const resent = w.sent.map((m) => m.topic);
    expect(resent).toContain(w.topics.patientState('anna_smith'));
    expect(resent).toContain(w.topics.patientAvailability('anna_smith'));
    expect(resent).toContain(w.topics.accountState(account().key));
  });

  it('a removed person is not re-sent, and its configs are cleared', async () => {
    const { w } = await populated();
    w.publisher.patientRemoved(ben());
    const cleared = configs(w.sent).filter((m) => m.payload === '');
    expect(cleared).toHaveLength(PATIENT_ENTITIES.length);
    w.sent.length = 0;
    w.reconnect();
    expect(w.sent.some((m) => m.topic.includes('/ben/'))).toBe(false);
    expect(w.publisher.discoveryBuilds(BEN)).toBe(0);
  });
});
