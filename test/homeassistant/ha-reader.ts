// An MQTT client that reads discovery the way Home Assistant does (reference A.1–A.12), for
// end-to-end tests: it subscribes to `<prefix>/#` and to every topic the configs name, expands
// abbreviations and `~`, validates each config (ha-checklist.ts), and keeps per entity what HA would
// show: state, availability and attributes. Every rule violation HA would log (an invalid config, a
// state outside an enum's options, a non-numeric state of a numeric sensor, …) lands in `errors`, so a
// test can assert that Home Assistant would have logged nothing.
//
// Templates are rendered by a deliberately tiny renderer that knows exactly the forms our configs use;
// any other form is refused (and recorded), so a new template cannot slip by untested.
//
// One approximation: HA receives a topic's retained message when it subscribes. Here every message a
// topic received since the last `reset()` stands in for that retained copy when an entity is created
// after it arrived (the bridge publishes states and availability retained; events are never replayed).

import mqtt, { type MqttClient } from 'mqtt';
import { checkDiscovery } from './ha-checklist.js';

// ---------------------------------------------------------------------------------------------
// Abbreviations (core abbreviations.py, reference A.4)

const ABBREVIATIONS: Readonly<Record<string, string>> = {
  atype: 'automation_type',
  avty: 'availability',
  avty_mode: 'availability_mode',
  avty_t: 'availability_topic',
  avty_tpl: 'availability_template',
  cmd_t: 'command_topic',
  cmd_tpl: 'command_template',
  cmps: 'components',
  def_ent_id: 'default_entity_id',
  dev: 'device',
  dev_cla: 'device_class',
  e: 'encoding',
  en: 'enabled_by_default',
  ent_cat: 'entity_category',
  ent_pic: 'entity_picture',
  evt_typ: 'event_types',
  exp_aft: 'expire_after',
  frc_upd: 'force_update',
  ic: 'icon',
  json_attr_t: 'json_attributes_topic',
  json_attr_tpl: 'json_attributes_template',
  migr_discvry: 'migrate_discovery',
  o: 'origin',
  obj_id: 'object_id',
  ops: 'options',
  p: 'platform',
  pl: 'payload',
  pl_avail: 'payload_available',
  pl_not_avail: 'payload_not_available',
  pl_off: 'payload_off',
  pl_on: 'payload_on',
  pl_prs: 'payload_press',
  ret: 'retain',
  stat_cla: 'state_class',
  stat_t: 'state_topic',
  stype: 'subtype',
  sug_dsp_prc: 'suggested_display_precision',
  t: 'topic',
  uniq_id: 'unique_id',
  unit_of_meas: 'unit_of_measurement',
  val_tpl: 'value_template',
};

const DEVICE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  cns: 'connections',
  cu: 'configuration_url',
  hw: 'hw_version',
  ids: 'identifiers',
  mdl: 'model',
  mdl_id: 'model_id',
  mf: 'manufacturer',
  sa: 'suggested_area',
  sn: 'serial_number',
  sw: 'sw_version',
};

const ORIGIN_ABBREVIATIONS: Readonly<Record<string, string>> = { sw: 'sw_version', url: 'support_url' };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function expandKeys(object: Json, table: Readonly<Record<string, string>>): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(object)) out[table[key] ?? key] = value;
  return out;
}

/** Expands the top level, `device`, `origin`, `availability[]` and (device discovery) `components`. */
export function expandAbbreviations(payload: Json): Json {
  const out = expandKeys(payload, ABBREVIATIONS);
  if (isObject(out.device)) out.device = expandKeys(out.device, DEVICE_ABBREVIATIONS);
  if (isObject(out.origin)) out.origin = expandKeys(out.origin, ORIGIN_ABBREVIATIONS);
  if (Array.isArray(out.availability)) {
    out.availability = out.availability.map((a) => (isObject(a) ? expandKeys(a, ABBREVIATIONS) : a));
  }
  if (isObject(out.components)) {
    out.components = Object.fromEntries(
      Object.entries(out.components).map(([id, c]) => [id, isObject(c) ? expandAbbreviations(c) : c]),
    );
  }
  return out;
}

/** `~` at the start or end of a `*_topic` / `*_t` value (and of `availability[].topic`) is the base. */
export function replaceTopicBase(payload: Json): Json {
  if (!('~' in payload)) return payload;
  const { '~': base, ...rest } = payload;
  const sub = (v: string) =>
    v.startsWith('~')
      ? `${String(base)}${v.slice(1)}`
      : v.endsWith('~')
        ? `${v.slice(0, -1)}${String(base)}`
        : v;
  for (const [key, value] of Object.entries(rest)) {
    if (typeof value === 'string' && value !== '' && /(topic|_t)$/.test(key)) rest[key] = sub(value);
  }
  if (Array.isArray(rest.availability)) {
    rest.availability = rest.availability.map((a) =>
      isObject(a) && typeof a.topic === 'string' && a.topic !== '' ? { ...a, topic: sub(a.topic) } : a,
    );
  }
  return rest;
}

// ---------------------------------------------------------------------------------------------
// Templates: exactly the forms src/homeassistant uses, rendered with Python/Jinja semantics.

export class UnsupportedTemplateError extends Error {
  override readonly name = 'UnsupportedTemplateError';
}

export interface Rendered {
  /** the rendered text, or null when rendering failed (HA logs an error and skips the update) */
  text: string | null;
  /** what HA would log while rendering (template variable warnings, errors) */
  problems: string[];
}

export type CompiledTemplate = (payload: string) => Rendered;

const KEY = '([A-Za-z_][A-Za-z0-9_]*)';
const STR = `(?:'([^']*)'|"([^"]*)")`;
const VALUE_FORM = new RegExp(`^\\{\\{\\s*value_json\\.${KEY}\\s*\\}\\}$`);
const IF_FORM = new RegExp(`^\\{\\{\\s*${STR}\\s+if\\s+value_json\\.${KEY}\\s+else\\s+${STR}\\s*\\}\\}$`);
const IF_EQ_FORM = new RegExp(
  `^\\{\\{\\s*${STR}\\s+if\\s+value_json\\.${KEY}\\s*==\\s*${STR}\\s+else\\s+${STR}\\s*\\}\\}$`,
);

/** Python's str() of a JSON value, as Jinja prints it. */
export function pythonStr(value: unknown): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    const text = String(value);
    // Python writes exponents with a sign and at least two digits: 1e-07, 1e+21.
    return text.replace(
      /e([+-]?)(\d+)$/,
      (_m, sign: string, digits: string) => `e${sign === '-' ? '-' : '+'}${digits.padStart(2, '0')}`,
    );
  }
  return JSON.stringify(value);
}

function pythonTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** Throws UnsupportedTemplateError for any form other than the three our configs use. */
export function compileTemplate(template: string): CompiledTemplate {
  const str = (a: string | undefined, b: string | undefined) => a ?? b ?? '';
  const lookup = (
    payload: string,
    key: string,
  ): { found: boolean; value: unknown; problems: string[] } | null => {
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      return null;
    }
    if (isObject(json) && Object.hasOwn(json, key)) return { found: true, value: json[key], problems: [] };
    return {
      found: false,
      value: undefined,
      problems: [`template variable warning: value_json has no attribute '${key}' rendering '${template}'`],
    };
  };
  const notJson = (payload: string): Rendered => ({
    text: null,
    problems: [`error rendering '${template}': payload is not JSON: '${payload.slice(0, 80)}'`],
  });

  let m = VALUE_FORM.exec(template);
  if (m) {
    const key = m[1]!;
    return (payload) => {
      const v = lookup(payload, key);
      if (v === null) return notJson(payload);
      if (!v.found) return { text: '', problems: v.problems };
      const problems =
        isObject(v.value) || Array.isArray(v.value) ? [`'${template}' renders a dict or list`] : [];
      return { text: pythonStr(v.value), problems };
    };
  }
  m = IF_FORM.exec(template);
  if (m) {
    const [yes, key, no] = [str(m[1], m[2]), m[3]!, str(m[4], m[5])];
    return (payload) => {
      const v = lookup(payload, key);
      if (v === null) return notJson(payload);
      return { text: pythonTruthy(v.value) ? yes : no, problems: v.problems };
    };
  }
  m = IF_EQ_FORM.exec(template);
  if (m) {
    const [yes, key, expected, no] = [str(m[1], m[2]), m[3]!, str(m[4], m[5]), str(m[6], m[7])];
    return (payload) => {
      const v = lookup(payload, key);
      if (v === null) return notJson(payload);
      return { text: v.value === expected ? yes : no, problems: v.problems };
    };
  }
  throw new UnsupportedTemplateError(
    `ha-reader does not know the template form ${JSON.stringify(template)}: add it to the renderer with a test`,
  );
}

// ---------------------------------------------------------------------------------------------
// Entities

export type Component = 'sensor' | 'binary_sensor' | 'event' | 'button';
const COMPONENTS = new Set<string>(['sensor', 'binary_sensor', 'event', 'button']);
/** Options a device discovery payload shares with its components (core SHARED_OPTIONS). */
const SHARED_OPTIONS = [
  'availability',
  'availability_mode',
  'availability_template',
  'availability_topic',
  'command_topic',
  'encoding',
  'payload_available',
  'payload_not_available',
  'qos',
  'state_topic',
];
/** Keys that change HA's behaviour and that this reader does not emulate: refused, not ignored. */
const NOT_EMULATED = [
  'expire_after',
  'off_delay',
  'json_attributes_template',
  'availability_template',
  'last_reset_value_template',
  'encoding',
];
const NON_NUMERIC_SENSOR_CLASSES = new Set(['enum', 'timestamp', 'date']);
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/;
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;

interface AvailabilityItem {
  topic: string;
  payloadAvailable: string;
  payloadNotAvailable: string;
  template: CompiledTemplate | null;
}

interface Entity {
  hash: string;
  discoveryTopic: string;
  component: Component;
  uniqueId: string;
  config: Json;
  valueTemplate: CompiledTemplate | null;
  availability: AvailabilityItem[];
  mode: 'all' | 'any' | 'latest';
  availableByTopic: Map<string, boolean>;
  latestAvailable: boolean;
  state: string | null;
  updatedAt: number | null;
  attributes: Json;
  events: FiredEvent[];
  history: Array<{ state: string | null; at: number }>;
}

export interface EntityView {
  uniqueId: string;
  component: Component;
  /** HA's state: null = unknown. binary_sensor 'on'/'off'; event: ISO time of the last event */
  state: string | null;
  available: boolean;
  /** json_attributes_topic (sensor, binary_sensor) or the last event's attributes */
  attributes: Json;
  /** the discovery config after abbreviation and `~` expansion */
  config: Json;
  /** Date.now() of the last state update, null when none since discovery or reset */
  updatedAt: number | null;
  discoveryTopic: string;
}

export interface FiredEvent {
  eventType: string;
  attributes: Json;
  at: number;
}

interface Cached {
  payload: string;
  seq: number;
}

export interface HaReaderOptions {
  prefix?: string;
  clientId?: string;
}

export class HaReader {
  /** every rule violation seen, in words close to what HA logs */
  readonly errors: string[] = [];
  private readonly byHash = new Map<string, Entity>();
  private readonly byUniqueId = new Map<string, Entity>();
  /** device discovery topic → hashes of its components */
  private readonly deviceComponents = new Map<string, Set<string>>();
  /** last payload per topic since the last reset, standing in for the broker's retained copy */
  private readonly cache = new Map<string, Cached>();
  private readonly subscribed = new Set<string>();
  private readonly pending = new Set<Promise<unknown>>();
  private seq = 0;
  private connected = true;
  private readonly prefix: string;

  private constructor(
    private readonly client: MqttClient,
    prefix: string,
  ) {
    this.prefix = prefix;
  }

  static async connect(url: string, options: HaReaderOptions = {}): Promise<HaReader> {
    const client = await mqtt.connectAsync(url, {
      clientId: options.clientId ?? `ha-reader-${Math.random().toString(36).slice(2, 8)}`,
      reconnectPeriod: 100,
    });
    const reader = new HaReader(client, options.prefix ?? 'homeassistant');
    client.on('message', (topic, payload, packet) =>
      reader.onMessage(topic, payload.toString(), packet.retain),
    );
    client.on('close', () => {
      reader.connected = false;
    });
    client.on('connect', () => {
      reader.connected = true;
    });
    await client.subscribeAsync(`${reader.prefix}/#`, { qos: 1 });
    reader.subscribed.add(`${reader.prefix}/#`);
    return reader;
  }

  // ---- queries -------------------------------------------------------------------------------

  entity(uniqueId: string): EntityView | undefined {
    const e = this.byUniqueId.get(uniqueId);
    return e === undefined ? undefined : this.view(e);
  }

  entities(): EntityView[] {
    return [...this.byUniqueId.values()].map((e) => this.view(e));
  }

  events(uniqueId: string): FiredEvent[] {
    return [...(this.byUniqueId.get(uniqueId)?.events ?? [])];
  }

  /** Every state the entity took (one entry per applied state message, repeats included). */
  history(uniqueId: string): Array<{ state: string | null; at: number }> {
    return [...(this.byUniqueId.get(uniqueId)?.history ?? [])];
  }

  /**
   * Resolves once `predicate` holds; rejects when it throws (so expectations inside it surface) or
   * after `ms`, naming `what` and the errors seen so far.
   */
  async waitFor(predicate: () => boolean, what: string, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) {
        const errors = this.errors.length ? `; ha-reader errors: ${this.errors.slice(0, 5).join(' | ')}` : '';
        throw new Error(
          `timed out after ${ms} ms waiting for ${what} (${this.entities().length} entities)${errors}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Resolves when every subscription made so far is acknowledged. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Forget every entity, state and availability (Home Assistant restarting); errors are kept. */
  reset(): void {
    this.byHash.clear();
    this.byUniqueId.clear();
    this.deviceComponents.clear();
    this.cache.clear();
  }

  async publish(
    topic: string,
    payload: string,
    options: { retain?: boolean; qos?: 0 | 1 } = {},
  ): Promise<void> {
    await this.client.publishAsync(topic, payload, {
      qos: options.qos ?? 0,
      retain: options.retain ?? false,
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }

  private view(e: Entity): EntityView {
    return {
      uniqueId: e.uniqueId,
      component: e.component,
      state: e.state,
      available: this.isAvailable(e),
      attributes: e.attributes,
      config: e.config,
      updatedAt: e.updatedAt,
      discoveryTopic: e.discoveryTopic,
    };
  }

  private isAvailable(e: Entity): boolean {
    if (!this.connected) return false;
    if (e.availability.length === 0) return true;
    const values = e.availability.map((a) => e.availableByTopic.get(a.topic) === true);
    if (e.mode === 'all') return values.every(Boolean);
    if (e.mode === 'any') return values.some(Boolean);
    return e.latestAvailable;
  }

  private error(message: string): void {
    this.errors.push(message);
  }

  // ---- messages ------------------------------------------------------------------------------

  private onMessage(topic: string, payload: string, retained: boolean): void {
    if (topic.startsWith(`${this.prefix}/`) && topic.endsWith('/config')) {
      this.onDiscovery(topic, payload);
      return;
    }
    const seq = ++this.seq;
    this.cache.set(topic, { payload, seq });
    for (const e of this.byHash.values()) this.dispatch(e, topic, payload, retained);
  }

  private dispatch(e: Entity, topic: string, payload: string, retained: boolean): void {
    if (e.availability.some((a) => a.topic === topic)) this.onAvailability(e, topic, payload);
    if (e.config.state_topic === topic) this.onState(e, topic, payload, retained);
    if (e.config.json_attributes_topic === topic) this.onAttributes(e, topic, payload);
  }

  private onAvailability(e: Entity, topic: string, payload: string): void {
    for (const a of e.availability) {
      if (a.topic !== topic) continue;
      let value = payload;
      if (a.template) {
        const r = a.template(payload);
        for (const p of r.problems) this.error(`${e.uniqueId} availability: ${p}`);
        if (r.text === null) continue;
        value = r.text;
      }
      // Anything other than the two payloads is ignored (an empty retained message clears the topic).
      if (value === a.payloadAvailable) {
        e.availableByTopic.set(topic, true);
        e.latestAvailable = true;
      } else if (value === a.payloadNotAvailable) {
        e.availableByTopic.set(topic, false);
        e.latestAvailable = false;
      }
    }
  }

  private onAttributes(e: Entity, topic: string, payload: string): void {
    if (e.component === 'event') return;
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      this.error(
        `${e.uniqueId}: erroneous JSON on json_attributes_topic ${topic}: '${payload.slice(0, 80)}'`,
      );
      return;
    }
    if (!isObject(json)) {
      this.error(`${e.uniqueId}: JSON result on ${topic} was not a dictionary`);
      return;
    }
    e.attributes = json;
  }

  private setState(e: Entity, state: string | null): void {
    if (state !== null && state.length > 255) {
      this.error(`${e.uniqueId}: state longer than 255 characters: '${state.slice(0, 40)}…'`);
      state = null;
    }
    e.state = state;
    e.updatedAt = Date.now();
    e.history.push({ state, at: e.updatedAt });
  }

  private onState(e: Entity, topic: string, payload: string, retained: boolean): void {
    if (e.component === 'event') {
      this.onEvent(e, topic, payload, retained);
      return;
    }
    if (e.component === 'button') return;
    let text = payload;
    if (e.valueTemplate) {
      const r = e.valueTemplate(payload);
      for (const p of r.problems) this.error(`${e.uniqueId}: ${p}`);
      if (r.text === null) return;
      text = r.text;
    }
    const where = `${e.uniqueId} (state_topic ${topic})`;
    if (e.component === 'binary_sensor') {
      const on = typeof e.config.payload_on === 'string' ? e.config.payload_on : 'ON';
      const off = typeof e.config.payload_off === 'string' ? e.config.payload_off : 'OFF';
      if (text === on) this.setState(e, 'on');
      else if (text === off) this.setState(e, 'off');
      else if (text === 'None') this.setState(e, null);
      else this.error(`${where}: no matching payload found for binary_sensor: '${text}'`);
      return;
    }
    // sensor
    if (text === 'None') {
      this.setState(e, null);
      return;
    }
    const dc = e.config.device_class;
    const numeric =
      (dc !== undefined && dc !== null && !NON_NUMERIC_SENSOR_CLASSES.has(String(dc))) ||
      e.config.unit_of_measurement !== undefined ||
      e.config.state_class !== undefined ||
      e.config.suggested_display_precision !== undefined;
    if (text === '') return; // "Ignore empty state"
    if (numeric) {
      if (!NUMBER.test(text.trim()) || !Number.isFinite(Number(text))) {
        this.error(`${where}: numeric sensor has the non-numeric value '${text}'`);
        return;
      }
      this.setState(e, text);
      return;
    }
    if (dc === 'enum') {
      const options = Array.isArray(e.config.options) ? e.config.options.map(String) : [];
      if (!options.includes(text)) {
        this.error(`${where}: ignoring invalid option, got '${text}', allowed: ${options.join(', ')}`);
        return;
      }
      this.setState(e, text);
      return;
    }
    if (dc === 'timestamp') {
      if (ISO_WITHOUT_ZONE.test(text)) {
        this.error(`${where}: timestamp '${text}' has no time zone`);
        this.setState(e, null);
        return;
      }
      if (!ISO_WITH_ZONE.test(text) || !Number.isFinite(Date.parse(text))) {
        this.error(`${where}: invalid state message '${text}' for a timestamp sensor`);
        this.setState(e, null);
        return;
      }
      this.setState(e, text);
      return;
    }
    this.setState(e, text);
  }

  private onEvent(e: Entity, topic: string, payload: string, retained: boolean): void {
    const where = `${e.uniqueId} (event topic ${topic})`;
    if (retained) {
      this.error(`${where}: event payload is retained (HA ignores replayed retained events): '${payload}'`);
      return;
    }
    if (payload === '' || payload === 'None' || payload === '{}') return;
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      this.error(`${where}: no valid JSON event payload: '${payload.slice(0, 80)}'`);
      return;
    }
    if (!isObject(json)) {
      this.error(`${where}: no valid JSON event payload: '${payload.slice(0, 80)}'`);
      return;
    }
    const { event_type: type, ...attributes } = json;
    if (type === undefined) {
      this.error(`${where}: \`event_type\` missing in JSON event payload`);
      return;
    }
    const types = Array.isArray(e.config.event_types) ? e.config.event_types.map(String) : [];
    if (typeof type !== 'string' || !types.includes(type)) {
      this.error(`${where}: invalid event type '${String(type)}', allowed: ${types.join(', ')}`);
      return;
    }
    const at = Date.now();
    e.events.push({ eventType: type, attributes, at });
    e.attributes = { event_type: type, ...attributes };
    this.setState(e, new Date(at).toISOString());
  }

  // ---- discovery -----------------------------------------------------------------------------

  private onDiscovery(topic: string, payload: string): void {
    const m = new RegExp(
      `^${this.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(\\w+)/(?:([A-Za-z0-9_-]+)/)?([A-Za-z0-9_-]+)/config$`,
    ).exec(topic);
    if (!m) {
      this.error(`received message on illegal discovery topic '${topic}'`);
      return;
    }
    const [component, node, object] = [m[1]!, m[2], m[3]!];
    if (component === 'device') {
      this.onDeviceDiscovery(topic, object, payload);
      return;
    }
    const hash = `${component} ${node === undefined ? object : `${node} ${object}`}`;
    if (payload === '') {
      this.remove(hash);
      return;
    }
    const parsed = this.parse(topic, payload);
    if (parsed === null) return;
    if (parsed.migrate_discovery !== undefined) {
      this.error(`${topic}: migrate_discovery is not emulated by ha-reader`);
      return;
    }
    this.discover(hash, topic, component, replaceTopicBase(parsed));
  }

  private parse(topic: string, payload: string): Json | null {
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      this.error(`unable to parse JSON on ${topic}: '${payload.slice(0, 80)}'`);
      return null;
    }
    if (!isObject(json)) {
      this.error(`discovery payload on ${topic} is not a JSON object`);
      return null;
    }
    return expandAbbreviations(json);
  }

  private onDeviceDiscovery(topic: string, deviceId: string, payload: string): void {
    const before = this.deviceComponents.get(topic) ?? new Set<string>();
    const now = new Set<string>();
    if (payload !== '') {
      const parsed = this.parse(topic, payload);
      if (parsed === null) return;
      const { device, origin, components } = parsed;
      if (!isObject(device) || !isObject(origin) || !isObject(components)) {
        this.error(
          `invalid MQTT device discovery payload for ${deviceId}: device, origin and components are required`,
        );
        return;
      }
      const shared = Object.fromEntries(SHARED_OPTIONS.filter((k) => k in parsed).map((k) => [k, parsed[k]]));
      for (const [id, raw] of Object.entries(components)) {
        if (!isObject(raw) || typeof raw.platform !== 'string') {
          this.error(
            `invalid MQTT device discovery payload for ${deviceId}: component ${id} has no platform`,
          );
          continue;
        }
        const { platform, ...rest } = raw;
        const hash = `${platform} ${deviceId} ${id}`;
        if (Object.keys(rest).length === 0) continue; // `{p: …}` only: removed below
        now.add(hash);
        const config = replaceTopicBase({ ...shared, ...rest, device, origin });
        this.discover(hash, `${this.prefix}/${platform}/${deviceId}/${id}/config`, platform, config);
      }
    }
    for (const hash of before) if (!now.has(hash)) this.remove(hash);
    this.deviceComponents.set(topic, now);
  }

  private remove(hash: string): void {
    const e = this.byHash.get(hash);
    if (e === undefined) return;
    this.byHash.delete(hash);
    if (this.byUniqueId.get(e.uniqueId) === e) this.byUniqueId.delete(e.uniqueId);
  }

  private discover(hash: string, topic: string, component: string, config: Json): void {
    const problems = checkDiscovery(this.prefix, topic, config);
    if (!COMPONENTS.has(component)) problems.push(`component ${component} is not emulated by ha-reader`);
    for (const key of NOT_EMULATED) if (key in config) problems.push(`${key} is not emulated by ha-reader`);
    let valueTemplate: CompiledTemplate | null = null;
    const availability: AvailabilityItem[] = [];
    try {
      if (typeof config.value_template === 'string') valueTemplate = compileTemplate(config.value_template);
      if (Array.isArray(config.availability)) {
        for (const a of config.availability) {
          if (!isObject(a) || typeof a.topic !== 'string') continue; // reported by checkDiscovery
          availability.push({
            topic: a.topic,
            payloadAvailable: typeof a.payload_available === 'string' ? a.payload_available : 'online',
            payloadNotAvailable:
              typeof a.payload_not_available === 'string' ? a.payload_not_available : 'offline',
            template: typeof a.value_template === 'string' ? compileTemplate(a.value_template) : null,
          });
        }
      } else if (typeof config.availability_topic === 'string') {
        availability.push({
          topic: config.availability_topic,
          payloadAvailable:
            typeof config.payload_available === 'string' ? config.payload_available : 'online',
          payloadNotAvailable:
            typeof config.payload_not_available === 'string' ? config.payload_not_available : 'offline',
          template: null,
        });
      }
    } catch (error) {
      problems.push((error as Error).message);
    }
    const mode = config.availability_mode ?? 'latest';
    if (!['all', 'any', 'latest'].includes(String(mode))) problems.push(`availability_mode ${String(mode)}`);
    if (component === 'sensor' && Array.isArray(config.options) && config.device_class !== 'enum')
      problems.push('options given without device_class enum');
    const uniqueId = String(config.unique_id ?? '');
    const existing = this.byHash.get(hash);
    const owner = this.byUniqueId.get(uniqueId);
    if (owner !== undefined && owner !== existing) {
      problems.push(`unique ID ${uniqueId} already exists (discovered on ${owner.discoveryTopic})`);
    }
    if (problems.length > 0) {
      for (const p of problems)
        this.error(`error '${p}' when processing MQTT discovery message topic: '${topic}'`);
      return;
    }
    if (existing !== undefined && JSON.stringify(existing.config) === JSON.stringify(config)) return; // unchanged
    const entity: Entity = existing ?? {
      hash,
      discoveryTopic: topic,
      component: component as Component,
      uniqueId,
      config,
      valueTemplate,
      availability,
      mode: mode as Entity['mode'],
      availableByTopic: new Map(),
      latestAvailable: false,
      state: null,
      updatedAt: null,
      attributes: {},
      events: [],
      history: [],
    };
    if (existing !== undefined) {
      // Updated in place: same entity, new options; the state stays until the next message.
      if (existing.uniqueId !== uniqueId) this.byUniqueId.delete(existing.uniqueId);
      Object.assign(existing, { config, valueTemplate, availability, mode, uniqueId });
    }
    this.byHash.set(hash, entity);
    this.byUniqueId.set(uniqueId, entity);
    const topics = new Set<string>(availability.map((a) => a.topic));
    for (const key of ['state_topic', 'json_attributes_topic']) {
      if (typeof config[key] === 'string') topics.add(config[key] as string);
    }
    // What the broker would hand a new subscriber: replay the cached messages in arrival order.
    const replay = [...topics]
      .map((t) => ({ topic: t, cached: this.cache.get(t) }))
      .filter((x): x is { topic: string; cached: Cached } => x.cached !== undefined)
      .sort((a, b) => a.cached.seq - b.cached.seq);
    for (const { topic: t, cached } of replay) {
      if (entity.component === 'event' && t === config.state_topic) continue; // never replay events
      this.dispatch(entity, t, cached.payload, true);
    }
    for (const t of topics) this.subscribe(t);
  }

  private subscribe(topic: string): void {
    if (this.subscribed.has(topic)) return;
    this.subscribed.add(topic);
    const p = this.client
      .subscribeAsync(topic, { qos: 1 })
      .catch((error: Error) => this.error(`could not subscribe to ${topic}: ${error.message}`))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }
}
