// The rows own their fields: every entity reads a field its payload writes, through a template made
// from that field; the payloads are exactly the rows' fields, in the rows' order.

import { describe, expect, it } from 'vitest';
import { ACCOUNT_ENTITIES, ACCOUNT_ROWS, accountPayload } from '../../src/homeassistant/bridge-entities.js';
import { accountDiscovery, patientDiscovery } from '../../src/homeassistant/discovery.js';
import { PATIENT_ENTITIES, READING_ROWS, STATE_ROWS } from '../../src/homeassistant/entities.js';
import { legacyAccountTopics } from '../../src/homeassistant/legacy.js';
import { eventPayload, readingPayload, statePayload } from '../../src/homeassistant/payloads.js';
import { Topics } from '../../src/mqtt/topics.js';
import { T0 } from '../bridge/fixtures.js';
import { account, anna } from './wire-fixture.js';

const ctx = { topics: new Topics('librelinkup2mqtt', 'homeassistant'), version: '1', supportUrl: 'u' };

describe('entity rows', () => {
  it('each person entity with a field reads it from the state JSON, which writes it', () => {
    const state = statePayload(anna())!;
    for (const row of PATIENT_ENTITIES) {
      const template = patientDiscovery(row, anna(), ctx).payload.value_template;
      if (row.field === null) {
        expect(template, row.key).toBeUndefined();
        continue;
      }
      expect(Object.keys(state), row.key).toContain(row.field);
      expect(template, row.key).toContain(`value_json.${row.field} `);
    }
  });

  it('the state, reading and event payloads are the rows’ fields in order', () => {
    const p = anna();
    expect(Object.keys(statePayload(p)!)).toEqual([...READING_ROWS, ...STATE_ROWS].map((r) => r.field));
    expect(Object.keys(readingPayload(p, p.latest!))).toEqual(READING_ROWS.map((r) => r.field));
    const event = eventPayload(p, { type: 'stale', reading: null, at: T0 });
    expect(Object.keys(event)).toEqual(['event_type', ...READING_ROWS.map((r) => r.field)]);
    expect(event).toMatchObject({ timestamp: null, glucose: null, unit: 'mg/dL' });
  });

  it('each account entity reads a field the account state writes', () => {
    const state = accountPayload(account());
    expect(Object.keys(state)).toEqual(ACCOUNT_ROWS.map((r) => r.field));
    const configs = accountDiscovery(account(), ctx);
    ACCOUNT_ENTITIES.forEach((row, i) => {
      expect(Object.keys(state)).toContain(row.field);
      expect(configs[i]!.payload.value_template).toContain(`value_json.${row.field} `);
    });
  });

  it('entity keys are unique, so no two entities share a unique_id', () => {
    const keys = PATIENT_ENTITIES.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('the old, unscoped account config topics (cleaned up on scoped instances) follow from the rows', () => {
    expect(legacyAccountTopics('homeassistant', 'acct_1')).toEqual([
      'homeassistant/binary_sensor/librelinkup2mqtt_acct_1/problem/config',
      'homeassistant/sensor/librelinkup2mqtt_acct_1/last_error/config',
    ]);
  });
});
