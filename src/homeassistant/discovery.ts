// Discovery payloads, pure: (row, discovery inputs) → topic + JSON, with what every entity shares added in
// one place: unique_id, device (via the bridge device), origin and availability. Keys are written in
// full (Home Assistant accepts them) and serialised with sorted keys so an unchanged config is
// byte-identical and is not re-sent.

import { createHash } from 'node:crypto';
import type { AccountStatus } from '../bridge/events.js';
import { NAME_MAX_CHARS } from '../librelinkup/limits.js';
import { safeText } from '../log.js';
import type { Topics } from '../mqtt/topics.js';
import { ACCOUNT_ENTITIES, BRIDGE_ENTITIES } from './bridge-entities.js';
import { idSegment } from './ids.js';
import type { DiscoveryInputs, EntityRow } from './patient-entity.js';
import { type EntityDef, valueTemplate } from './rows.js';

export { accountPayload } from './bridge-entities.js';

export const PREFIX = 'librelinkup2mqtt';
export const BRIDGE_ID = `${PREFIX}_bridge`;
/** base_topic of the default instance, whose ids every existing installation has: they never change. */
export const DEFAULT_BASE_TOPIC = 'librelinkup2mqtt';

/**
 * What scopes the bridge and account entities of one bridge instance, so two bridges on one broker
 * (each with its own base_topic) never overwrite each other's discovery. Patient entities are not
 * scoped: a person is one device whichever bridge follows them.
 */
export interface Instance {
  /** prefix of the bridge and account object ids and unique_ids */
  node: string;
  /** prefix of the default entity ids */
  entity: string;
  /** the bridge device's identifier */
  bridgeId: string;
  deviceName: string;
}

export function instanceOf(baseTopic: string): Instance {
  if (baseTopic === DEFAULT_BASE_TOPIC) {
    return { node: PREFIX, entity: 'librelinkup', bridgeId: BRIDGE_ID, deviceName: 'LibreLinkUp Bridge' };
  }
  // Readable part plus a hash of the exact base_topic: "a/b" and "a_b" must not share ids.
  const slug = baseTopic
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 24);
  const tag = `${slug === '' ? 'instance' : slug}_${createHash('sha256').update(baseTopic).digest('hex').slice(0, 6)}`;
  return {
    node: `${PREFIX}_${tag}`,
    entity: `librelinkup_${tag}`,
    bridgeId: `${PREFIX}_${tag}_bridge`,
    deviceName: `LibreLinkUp Bridge (${Array.from(baseTopic).slice(0, 40).join('')})`,
  };
}

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
  p: DiscoveryInputs,
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
      // Upstream text: made safe like every other upstream word that leaves the bridge.
      name: safeText(p.name, NAME_MAX_CHARS),
      manufacturer: 'Abbott',
      model: modelOf(p.deviceTypeId),
      via_device: instanceOf(topics.base).bridgeId,
      ...(p.sensor?.serial ? { serial_number: safeText(p.sensor.serial, 64) } : {}),
    },
    origin: origin(ctx),
    ...(row.topic === 'event' ? {} : { json_attributes_topic: topics.patientState(p.slug) }),
    ...valueTemplate(row, row.field),
    ...row.config(p),
  };
  return { topic: topics.discovery(row.component, patientNode(p.patientId), row.key), payload };
}

function bridgeDevice(ctx: DiscoveryContext) {
  const instance = instanceOf(ctx.topics.base);
  return {
    identifiers: [instance.bridgeId],
    name: instance.deviceName,
    manufacturer: 'librelinkup2mqtt',
    model: 'LibreLinkUp to MQTT bridge',
    sw_version: ctx.version,
  };
}

/** Ids of an entity on the bridge device: `node` prefixes topic and unique_id, `entity` the entity id. */
function bridgeEntityIds(def: EntityDef, node: string, entity: string, ctx: DiscoveryContext) {
  return {
    topic: ctx.topics.discovery(def.component, node, def.key),
    ids: {
      unique_id: `${node}_${def.key}`,
      default_entity_id: `${def.component}.${entity}_${def.key}`,
      device: bridgeDevice(ctx),
      origin: origin(ctx),
      availability: [{ topic: ctx.topics.bridgeState() }],
    },
  };
}

export function bridgeDiscovery(ctx: DiscoveryContext): DiscoveryMessage[] {
  const { bridgeId, entity } = instanceOf(ctx.topics.base);
  return BRIDGE_ENTITIES.map((def) => {
    const { topic, ids } = bridgeEntityIds(def, bridgeId, `${entity}_bridge`, ctx);
    return { topic, payload: { ...ids, name: def.name, ...def.topics(ctx.topics), ...def.config } };
  });
}

/** Account entities depend on the account's key and label only, never on its changing status. */
export type AccountInputs = Pick<AccountStatus, 'key' | 'label'>;

export function accountDiscovery(a: AccountInputs, ctx: DiscoveryContext): DiscoveryMessage[] {
  const { topics } = ctx;
  const { node, entity } = instanceOf(topics.base);
  return ACCOUNT_ENTITIES.map((def) => {
    const { topic, ids } = bridgeEntityIds(def, `${node}_${a.key}`, `${entity}_${a.key}`, ctx);
    return {
      topic,
      payload: {
        ...ids,
        name: `Account ${a.label} ${def.name}`,
        state_topic: topics.accountState(a.key),
        json_attributes_topic: topics.accountState(a.key),
        entity_category: 'diagnostic',
        ...valueTemplate(def, def.field),
        ...def.config,
      },
    };
  });
}
