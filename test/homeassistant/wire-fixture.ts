// A publisher on a recording MQTT double, and representative snapshots and accounts: what the golden
// and churn tests drive. Only the publisher's public face is used, so the fixture outlives refactors.

import type { AccountStatus, PatientSnapshot, PatientStats } from '../../src/bridge/events.js';
import type { MqttConfig } from '../../src/config/types.js';
import { HomeAssistantPublisher } from '../../src/homeassistant/publisher.js';
import { createLogger } from '../../src/log.js';
import type { MqttConnection } from '../../src/mqtt/client.js';
import { Topics } from '../../src/mqtt/topics.js';
import { reading, T0 } from '../bridge/fixtures.js';

type Handler = (topic: string, payload: Buffer, retained: boolean) => void;

export interface Sent {
  topic: string;
  payload: string;
  retain: boolean;
  qos: number;
}

export async function recordingPublisher(base = 'librelinkup2mqtt', discovery = true) {
  const handlers = new Map<string, Handler>();
  const reconnects: Array<() => void> = [];
  const sent: Sent[] = [];
  const topics = new Topics(base, 'homeassistant');
  const mqtt = {
    topics,
    subscribe: async (filter: string, handler: Handler) => void handlers.set(filter, handler),
    publish: async (topic: string, payload: string, o: { retain: boolean; qos: number }) =>
      void sent.push({ topic, payload, retain: o.retain, qos: o.qos }),
    publishQuiet: (topic: string, payload: string, o: { retain: boolean; qos: number }) =>
      void sent.push({ topic, payload, retain: o.retain, qos: o.qos }),
    onReconnect: (l: () => void) => void reconnects.push(l),
  } as unknown as MqttConnection;
  const publisher = new HomeAssistantPublisher({
    mqtt,
    config: { discovery, discovery_prefix: 'homeassistant', base_topic: base } as MqttConfig,
    version: '9.9.9',
    logger: createLogger({ level: 'silent' }),
    onPollNow: () => {},
  });
  await publisher.start();
  return {
    publisher,
    sent,
    topics,
    haOnline: () => handlers.get(topics.haStatus())?.(topics.haStatus(), Buffer.from('online'), false),
    reconnect: () => {
      for (const l of reconnects) l();
    },
  };
}

/** topic → last payload published on it, with its flags (what a broker would hold, plus non-retained). */
export function lastByTopic(sent: Sent[]): Record<string, Omit<Sent, 'topic'>> {
  const out: Record<string, Omit<Sent, 'topic'>> = {};
  for (const { topic, ...rest } of sent) out[topic] = rest;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const FULL_STATS: PatientStats = {
  rate: 1.25,
  delta: 3,
  colorBand: 'above_target',
  timeInRange: 82.5,
  average: 141.2,
  gmi: 6.7,
  sensorExpiresAt: T0 + 10 * 86_400_000,
  sensorProblem: null,
};

export function anna(extra: Partial<PatientSnapshot> = {}): PatientSnapshot {
  return {
    accountKey: 'acct_12345678',
    patientId: '1f2e3d4c-0000-4000-8000-000000000001',
    slug: 'anna_smith',
    name: 'Anna Smith',
    unit: 'mg/dL',
    thresholds: { targetLowMgdl: 70, targetHighMgdl: 180, urgentLowMgdl: 54 },
    sensor: { serial: 'SN1', activatedAt: T0 - 4 * 86_400_000, warmupMinutes: 60, productType: 4 },
    deviceTypeId: 40068,
    latest: reading(T0, 190, { trend: 'rising', isHigh: false }),
    stale: false,
    high: true,
    low: false,
    range: 'high',
    stats: FULL_STATS,
    ...extra,
  };
}

export function ben(extra: Partial<PatientSnapshot> = {}): PatientSnapshot {
  return {
    accountKey: 'acct_12345678',
    patientId: 'odd/id+#',
    slug: 'ben',
    name: 'Ben <b>',
    unit: 'mmol/L',
    thresholds: { targetLowMgdl: 72, targetHighMgdl: 180, urgentLowMgdl: 54 },
    sensor: null,
    deviceTypeId: 40066,
    latest: reading(T0 - 20 * 60_000, 62, { trend: null, isLow: false }),
    stale: true,
    high: false,
    low: true,
    range: 'low',
    stats: {
      rate: Number.NaN,
      delta: null,
      colorBand: 'below_low',
      timeInRange: null,
      average: null,
      gmi: null,
      sensorExpiresAt: null,
      sensorProblem: 'none',
    },
    ...extra,
  };
}

export function account(extra: Partial<AccountStatus> = {}): AccountStatus {
  return {
    key: 'acct_12345678',
    label: 'fo***@example.com',
    ok: true,
    errorKind: null,
    message: null,
    lastSuccessAt: T0,
    lastErrorAt: null,
    nextPollAt: T0 + 60_000,
    blockedUntil: null,
    requests: 12,
    logins: 1,
    ...extra,
  };
}
