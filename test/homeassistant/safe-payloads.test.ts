// Upstream text in what the publisher sends (account state message, device name, sensor serial)
// is redacted like the logger redacts and cut short, whatever the bridge handed over.

import { describe, expect, it } from 'vitest';
import type { AccountStatus, PatientSnapshot } from '../../src/bridge/events.js';
import { EMPTY_STATS } from '../../src/bridge/patient.js';
import { accountPayload, patientDiscovery } from '../../src/homeassistant/discovery.js';
import { PATIENT_ENTITIES } from '../../src/homeassistant/entities.js';
import { NAME_MAX_CHARS, UPSTREAM_TEXT_MAX_CHARS } from '../../src/librelinkup/limits.js';
import { registerSecret } from '../../src/log.js';
import { Topics } from '../../src/mqtt/topics.js';

const SECRET = 'Payload-Secret-990!';
registerSecret(SECRET);
const ctx = {
  topics: new Topics('librelinkup2mqtt', 'homeassistant'),
  version: '1',
  supportUrl: 'https://x',
};

describe('safe payloads', () => {
  it('the account state message: redacted, one line, at most UPSTREAM_TEXT_MAX_CHARS', () => {
    const status: AccountStatus = {
      key: 'acct_12345678',
      label: 'fo***@example.com',
      ok: false,
      errorKind: 'version',
      message: `LibreLinkUp requires ${SECRET} from someone@example.org\n${'y'.repeat(1_000)}`,
      lastSuccessAt: null,
      lastErrorAt: null,
      nextPollAt: null,
      blockedUntil: null,
      requests: 0,
      logins: 0,
    };
    const message = accountPayload(status).message as string;
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain('someone@example.org');
    expect(message).not.toContain('\n');
    expect(Array.from(message).length).toBeLessThanOrEqual(UPSTREAM_TEXT_MAX_CHARS);
    expect(accountPayload(status).account).toBe('fo***@example.com');
  });

  it('a patient name or sensor serial echoing a secret is redacted in the device', () => {
    const p: PatientSnapshot = {
      accountKey: 'acct_12345678',
      patientId: 'pid-1',
      slug: 'anna',
      name: `Anna ${SECRET} ${'z'.repeat(200)}`,
      unit: 'mg/dL',
      thresholds: { targetLowMgdl: 70, targetHighMgdl: 180, urgentLowMgdl: 54 },
      sensor: { serial: `SN-${SECRET}`, activatedAt: 0, warmupMinutes: 60, productType: 4 },
      deviceTypeId: null,
      latest: null,
      stale: true,
      high: null,
      low: null,
      range: null,
      stats: EMPTY_STATS,
    };
    const device = patientDiscovery(PATIENT_ENTITIES[0]!, p, ctx).payload.device as {
      name: string;
      serial_number: string;
    };
    expect(device.name).not.toContain(SECRET);
    expect(device.name.startsWith('Anna [redacted]')).toBe(true);
    expect(Array.from(device.name).length).toBeLessThanOrEqual(NAME_MAX_CHARS);
    expect(device.serial_number).toBe('SN-[redacted]');
  });
});
