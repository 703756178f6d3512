// Bridge and account entities are scoped by the instance (its base_topic), so two bridges on one
// broker keep their own devices; the default instance keeps exactly the ids every installation has.

import { describe, expect, it } from 'vitest';
import type { AccountStatus } from '../../src/bridge/events.js';
import {
  accountDiscovery,
  bridgeDiscovery,
  type DiscoveryMessage,
  instanceOf,
  patientDiscovery,
} from '../../src/homeassistant/discovery.js';
import { PATIENT_ENTITIES } from '../../src/homeassistant/entities.js';
import { Topics } from '../../src/mqtt/topics.js';
import { checkDiscovery } from './ha-checklist.js';

const GLUCOSE = PATIENT_ENTITIES.find((row) => row.key === 'glucose')!;

const account: AccountStatus = {
  key: 'acct_12345678',
  label: 'fo***@example.com',
  ok: true,
  errorKind: null,
  message: null,
  lastSuccessAt: null,
  lastErrorAt: null,
  nextPollAt: null,
  blockedUntil: null,
  requests: 0,
  logins: 0,
};

function ctxFor(base: string) {
  return { topics: new Topics(base, 'homeassistant'), version: '1.2.3', supportUrl: 'https://example.org' };
}

function bridgeAndAccount(base: string): DiscoveryMessage[] {
  const ctx = ctxFor(base);
  return [...bridgeDiscovery(ctx), ...accountDiscovery(account, ctx)];
}

function ids(messages: DiscoveryMessage[]) {
  return messages.map((m) => ({
    topic: m.topic,
    unique_id: m.payload.unique_id,
    default_entity_id: m.payload.default_entity_id,
    device: (m.payload.device as { identifiers: string[] }).identifiers,
  }));
}

describe('instance identity', () => {
  it('the default instance keeps exactly today’s discovery topics, unique_ids and device identifiers', () => {
    // A contract: changing any of these strings makes every existing user lose these entities.
    const device = ['librelinkup2mqtt_bridge'];
    expect(ids(bridgeAndAccount('librelinkup2mqtt'))).toEqual([
      {
        topic: 'homeassistant/binary_sensor/librelinkup2mqtt_bridge/connectivity/config',
        unique_id: 'librelinkup2mqtt_bridge_connectivity',
        default_entity_id: 'binary_sensor.librelinkup_bridge_connectivity',
        device,
      },
      {
        topic: 'homeassistant/button/librelinkup2mqtt_bridge/poll_now/config',
        unique_id: 'librelinkup2mqtt_bridge_poll_now',
        default_entity_id: 'button.librelinkup_bridge_poll_now',
        device,
      },
      {
        topic: 'homeassistant/binary_sensor/librelinkup2mqtt_acct_12345678/problem/config',
        unique_id: 'librelinkup2mqtt_acct_12345678_problem',
        default_entity_id: 'binary_sensor.librelinkup_acct_12345678_problem',
        device,
      },
      {
        topic: 'homeassistant/sensor/librelinkup2mqtt_acct_12345678/last_error/config',
        unique_id: 'librelinkup2mqtt_acct_12345678_last_error',
        default_entity_id: 'sensor.librelinkup_acct_12345678_last_error',
        device,
      },
    ]);
    const device0 = bridgeDiscovery(ctxFor('librelinkup2mqtt'))[0]!.payload.device as { name: string };
    expect(device0.name).toBe('LibreLinkUp Bridge');
  });

  it('other base topics get their own ids, distinct from the default and from each other', () => {
    const bases = ['librelinkup2mqtt', 'home2', 'a/b', 'a_b', 'A_B', 'Küche/llu', '__'];
    const seen = new Map<string, string>();
    for (const base of bases) {
      const messages = bridgeAndAccount(base);
      for (const m of messages) {
        expect(checkDiscovery('homeassistant', m.topic, m.payload), `${base}: ${m.topic}`).toEqual([]);
        for (const key of [m.topic, String(m.payload.unique_id), String(m.payload.default_entity_id)]) {
          expect(seen.get(key), `${key} of ${base}`).toBeUndefined();
          seen.set(key, base);
        }
      }
      const device = messages[0]!.payload.device as { identifiers: string[] };
      expect(device.identifiers).toEqual([instanceOf(base).bridgeId]);
    }
    expect(instanceOf('home2').bridgeId).toMatch(/^librelinkup2mqtt_home2_[0-9a-f]{6}_bridge$/);
  });

  it('patient entities stay keyed by the person only; their device links to this instance’s bridge', () => {
    const snapshot = {
      accountKey: 'acct_12345678',
      patientId: 'pid-1',
      slug: 'anna',
      name: 'Anna',
      unit: 'mg/dL' as const,
      thresholds: { targetLowMgdl: 70, targetHighMgdl: 180, urgentLowMgdl: 54 },
      sensor: null,
      deviceTypeId: null,
      latest: null,
      stale: true,
      high: null,
      low: null,
      range: null,
      stats: {
        rate: null,
        delta: null,
        colorBand: null,
        timeInRange: null,
        average: null,
        gmi: null,
        sensorExpiresAt: null,
        sensorProblem: null,
      },
    };
    const row = GLUCOSE;
    const a = patientDiscovery(row, snapshot, ctxFor('librelinkup2mqtt'));
    const b = patientDiscovery(row, snapshot, ctxFor('home2'));
    expect(a.topic).toBe(b.topic);
    expect(a.payload.unique_id).toBe('librelinkup2mqtt_pid-1_glucose');
    expect(b.payload.unique_id).toBe(a.payload.unique_id);
    expect((a.payload.device as { via_device: string }).via_device).toBe('librelinkup2mqtt_bridge');
    expect((b.payload.device as { via_device: string }).via_device).toBe(instanceOf('home2').bridgeId);
  });
});
