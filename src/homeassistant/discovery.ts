// Discovery payloads, pure: (row, snapshot) → topic + JSON, with what every entity shares added in
// one place: unique_id, device (via the bridge device), origin and availability. Keys are written in
// full (Home Assistant accepts them) and serialised with sorted keys so an unchanged config is
// byte-identical and is not re-sent.

import type { AccountStatus, PatientSnapshot } from '../bridge/events.js';
import type { Topics } from '../mqtt/topics.js';
import type { EntityRow } from './entities.js';
import { idSegment } from './ids.js';

export const PREFIX = 'librelinkup2mqtt';
export const BRIDGE_ID = `${PREFIX}_bridge`;

export interface DiscoveryContext {
  topics: Topics;
  version: string;
  supportUrl: string;
}

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

function origin(ctx: DiscoveryContext) {
  return { name: 'librelinkup2mqtt', sw_version: ctx.version, support_url: ctx.supportUrl };
}

export function patientNode(patientId: string): string {
  return `${PREFIX}_${idSegment(patientId)}`;
}

function modelOf(deviceTypeId: number | null): string {
  // dtid 40068 = Libre 3 app, 40066/40067 = LibreLink / Libre 2 (per the reference; not certain).
  if (deviceTypeId === 40068) return 'FreeStyle Libre 3 (via LibreLinkUp)';
  if (deviceTypeId === 40066 || deviceTypeId === 40067) return 'FreeStyle Libre 2 (via LibreLinkUp)';
  return 'FreeStyle Libre (via LibreLinkUp)';
}

export function patientDiscovery(
  row: EntityRow,
  p: PatientSnapshot,
  ctx: DiscoveryContext,
): DiscoveryMessage {
  const { topics } = ctx;
  const availability = [{ topic: topics.bridgeState() }];
  if (row.fresh) availability.push({ topic: topics.patientAvailability(p.slug) });
  const payload: Record<string, unknown> = {
    name: row.name,
    unique_id: `${PREFIX}_${idSegment(p.patientId)}_${row.key}`,
    default_entity_id: `${row.component}.${p.slug}_${row.key}`,
    object_id: `${p.slug}_${row.key}`,
    state_topic: row.topic === 'event' ? topics.patientEvent(p.slug) : topics.patientState(p.slug),
    availability,
    availability_mode: 'all',
    device: {
      identifiers: [patientNode(p.patientId)],
      name: p.name,
      manufacturer: 'Abbott',
      model: modelOf(p.deviceTypeId),
      via_device: BRIDGE_ID,
      ...(p.sensor?.serial ? { serial_number: p.sensor.serial } : {}),
    },
    origin: origin(ctx),
    ...(row.topic === 'event' ? {} : { json_attributes_topic: topics.patientState(p.slug) }),
    ...row.config(p),
  };
  return { topic: topics.discovery(row.component, patientNode(p.patientId), row.key), payload };
}

function bridgeDevice(ctx: DiscoveryContext) {
  return {
    identifiers: [BRIDGE_ID],
    name: 'LibreLinkUp Bridge',
    manufacturer: 'librelinkup2mqtt',
    model: 'LibreLinkUp to MQTT bridge',
    sw_version: ctx.version,
  };
}

export function bridgeDiscovery(ctx: DiscoveryContext): DiscoveryMessage[] {
  const { topics } = ctx;
  const common = {
    device: bridgeDevice(ctx),
    origin: origin(ctx),
    availability: [{ topic: topics.bridgeState() }],
  };
  return [
    {
      topic: topics.discovery('binary_sensor', BRIDGE_ID, 'connectivity'),
      payload: {
        ...common,
        name: 'LibreLinkUp connection',
        unique_id: `${BRIDGE_ID}_connectivity`,
        default_entity_id: 'binary_sensor.librelinkup_bridge_connectivity',
        device_class: 'connectivity',
        entity_category: 'diagnostic',
        state_topic: topics.bridgeConnectivity(),
      },
    },
    {
      topic: topics.discovery('button', BRIDGE_ID, 'poll_now'),
      payload: {
        ...common,
        name: 'Poll now',
        unique_id: `${BRIDGE_ID}_poll_now`,
        default_entity_id: 'button.librelinkup_bridge_poll_now',
        command_topic: topics.pollRequest(),
        payload_press: 'PRESS',
        icon: 'mdi:refresh',
      },
    },
  ];
}

export function accountDiscovery(a: AccountStatus, ctx: DiscoveryContext): DiscoveryMessage[] {
  const { topics } = ctx;
  const common = {
    device: bridgeDevice(ctx),
    origin: origin(ctx),
    availability: [{ topic: topics.bridgeState() }],
    state_topic: topics.accountState(a.key),
    json_attributes_topic: topics.accountState(a.key),
    entity_category: 'diagnostic',
  };
  return [
    {
      topic: topics.discovery('binary_sensor', `${PREFIX}_${a.key}`, 'problem'),
      payload: {
        ...common,
        name: `Account ${a.label} problem`,
        unique_id: `${PREFIX}_${a.key}_problem`,
        default_entity_id: `binary_sensor.librelinkup_${a.key}_problem`,
        device_class: 'problem',
        value_template: "{{ 'OFF' if value_json.ok else 'ON' }}",
      },
    },
    {
      topic: topics.discovery('sensor', `${PREFIX}_${a.key}`, 'last_error'),
      payload: {
        ...common,
        name: `Account ${a.label} last error`,
        unique_id: `${PREFIX}_${a.key}_last_error`,
        default_entity_id: `sensor.librelinkup_${a.key}_last_error`,
        value_template: '{{ value_json.message }}',
        icon: 'mdi:alert-circle-outline',
      },
    },
  ];
}

export function accountPayload(a: AccountStatus): Record<string, unknown> {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    account: a.label,
    ok: a.ok,
    error_kind: a.errorKind,
    message: a.ok ? 'OK' : (a.message ?? 'unknown problem').slice(0, 250),
    last_success: iso(a.lastSuccessAt),
    last_error: iso(a.lastErrorAt),
    next_poll: iso(a.nextPollAt),
    blocked_until: iso(a.blockedUntil),
    requests: a.requests,
    logins: a.logins,
  };
}
