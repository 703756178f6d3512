// patientIds in unique_ids, device identifiers and discovery topics: a real (UUID) id keeps
// exactly today's unique_id; odd ids never collide and never put a separator or wildcard in a topic.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PatientSnapshot } from '../../src/bridge/events.js';
import { EMPTY_STATS } from '../../src/bridge/patient.js';
import { patientDiscovery, patientNode } from '../../src/homeassistant/discovery.js';
import { PATIENT_ENTITIES } from '../../src/homeassistant/entities.js';
import { idSegment } from '../../src/homeassistant/ids.js';
import { Topics } from '../../src/mqtt/topics.js';

const UUID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const ODD = ['a/b', 'a+b', 'a#b', '..', '.', 'a b', 'a_b', 'ä', '😀', 'a\u0000b', 'A'.repeat(129), ''];
const ctx = { topics: new Topics('base', 'homeassistant'), version: '1', supportUrl: 'https://x' };

function snap(patientId: string): PatientSnapshot {
  return {
    accountKey: 'k',
    patientId,
    slug: 'anna',
    name: 'Anna',
    unit: 'mg/dL',
    thresholds: { targetLowMgdl: 70, targetHighMgdl: 180, urgentLowMgdl: 54 },
    sensor: null,
    deviceTypeId: null,
    latest: null,
    stale: true,
    high: null,
    low: null,
    range: null,
    stats: EMPTY_STATS,
  };
}

describe('idSegment', () => {
  it('keeps a UUID (and any plain id) exactly, so existing entities keep their unique_id', () => {
    expect(idSegment(UUID)).toBe(UUID);
    expect(idSegment(UUID.toUpperCase())).toBe(UUID.toUpperCase());
    const row = PATIENT_ENTITIES[0]!;
    const m = patientDiscovery(row, snap(UUID), ctx);
    expect(m.payload.unique_id).toBe(`librelinkup2mqtt_${UUID}_${row.key}`);
    expect(patientNode(UUID)).toBe(`librelinkup2mqtt_${UUID}`);
    expect(m.topic).toBe(`homeassistant/${row.component}/librelinkup2mqtt_${UUID}/${row.key}/config`);
  });

  it('gives every odd id its own topic-safe form', () => {
    const forms = ODD.map(idSegment);
    expect(new Set(forms).size).toBe(ODD.length);
    for (const f of forms) expect(f).toMatch(/^h_[0-9a-f]{32}$/);
  });

  it('never maps two distinct ids to one segment, and every segment is topic-safe (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), fc.string({ maxLength: 200 }), (a, b) => {
        fc.pre(a !== b);
        expect(idSegment(a)).not.toBe(idSegment(b));
        expect(idSegment(a)).toMatch(/^[A-Za-z0-9_-]{1,130}$/);
      }),
    );
  });

  it('gives odd ids distinct unique_ids, devices and discovery topics', () => {
    const row = PATIENT_ENTITIES[0]!;
    const messages = ['a/b', 'a+b', 'a#b', '..'].map((id) => patientDiscovery(row, snap(id), ctx));
    const uniqueIds = messages.map((m) => m.payload.unique_id);
    const topics = messages.map((m) => m.topic);
    expect(new Set(uniqueIds).size).toBe(4);
    expect(new Set(topics).size).toBe(4);
    for (const t of topics) expect(t.split('/')).toHaveLength(5);
  });
});
