// One handle per thing Home Assistant sees as a device or a group of entities: the bridge, each
// LibreLinkUp account, each followed person. A handle owns its topics and the digests of the
// discovery it last sent; it rebuilds discovery only when the inputs discovery depends on changed
// (never for a new reading), and re-sends everything of its own on refresh (Home Assistant's
// birth message, an MQTT reconnect to a broker that may have lost retained messages).

import type { AccountStatus, PatientSnapshot } from '../bridge/events.js';
import { accountPayload } from './bridge-entities.js';
import {
  accountDiscovery,
  bridgeDiscovery,
  type DiscoveryContext,
  type DiscoveryMessage,
  patientDiscovery,
  stableJson,
} from './discovery.js';
import { PATIENT_ENTITIES } from './entities.js';
import { discoveryInputs } from './patient-entity.js';
import { statePayload } from './payloads.js';

export interface HandleOutput {
  ctx: DiscoveryContext;
  /** mqtt.discovery: false publishes states only */
  discovery: boolean;
  send(topic: string, payload: string, retain: boolean): void;
}

/**
 * A 53-bit digest of a config's JSON (cyrb53): only compared with the one sent before on the same
 * topic, to skip re-sending an unchanged config. A crypto hash object per message cost more memory
 * at start (thousands of configs) than the configs themselves.
 */
export function digestOf(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The last payload per retained topic of one handle (keyed by topic name, so a slug change resends). */
class LastSent {
  private readonly last = new Map<string, string>();

  /** Whether `payload` differs from what was last sent as `what` (always true when forced); records it. */
  changed(what: string, payload: string, force: boolean): boolean {
    if (!force && this.last.get(what) === payload) return false;
    this.last.set(what, payload);
    return true;
  }

  clear(): void {
    this.last.clear();
  }
}

/**
 * The discovery a handle sent, as digests in message order (the messages of one handle keep their
 * order and topics): ~15 configs per person would otherwise keep ~1 KB of JSON each in memory.
 */
abstract class DiscoveryOwner {
  private digests: number[] = [];
  private inputsKey: string | null = null;
  /** how often discovery was built: once, then only when its inputs changed or on refresh */
  builds = 0;

  constructor(protected readonly out: HandleOutput) {}

  protected abstract inputs(): unknown;
  protected abstract build(): DiscoveryMessage[];

  protected discover(force: boolean): void {
    if (!this.out.discovery) return;
    const key = stableJson(this.inputs());
    if (!force && key === this.inputsKey) return;
    this.inputsKey = key;
    this.builds += 1;
    this.build().forEach((m, i) => {
      const json = stableJson(m.payload);
      const digest = digestOf(json);
      if (!force && this.digests[i] === digest) return;
      this.digests[i] = digest;
      this.out.send(m.topic, json, true);
    });
  }

  /**
   * What was last sent on each retained topic: a poll that changes nothing a user sees publishes
   * nothing (every account polls several times a minute). Sent again whole on refresh.
   */
  protected readonly sent = new LastSent();

  /** Empty retained configs: Home Assistant removes the entities. */
  protected undiscover(): void {
    if (this.out.discovery) for (const m of this.build()) this.out.send(m.topic, '', true);
    this.digests = [];
    this.inputsKey = null;
    this.sent.clear();
  }
}

export class BridgeHandle extends DiscoveryOwner {
  private connected = false;

  protected inputs(): unknown {
    return null;
  }

  protected build(): DiscoveryMessage[] {
    return bridgeDiscovery(this.out.ctx);
  }

  start(): void {
    this.discover(false);
    this.sendConnectivity(true);
  }

  setConnected(connected: boolean): void {
    this.connected = connected;
    this.sendConnectivity(false);
  }

  refresh(): void {
    this.out.send(this.out.ctx.topics.bridgeState(), 'online', true);
    this.discover(true);
    this.sendConnectivity(true);
  }

  private sendConnectivity(force: boolean): void {
    const payload = this.connected ? 'ON' : 'OFF';
    if (this.sent.changed('connectivity', payload, force))
      this.out.send(this.out.ctx.topics.bridgeConnectivity(), payload, true);
  }
}

export class AccountHandle extends DiscoveryOwner {
  constructor(
    out: HandleOutput,
    private status: AccountStatus,
  ) {
    super(out);
  }

  get ok(): boolean {
    return this.status.ok;
  }

  protected inputs(): unknown {
    return { key: this.status.key, label: this.status.label };
  }

  protected build(): DiscoveryMessage[] {
    return accountDiscovery(this.status, this.out.ctx);
  }

  update(status: AccountStatus): void {
    this.status = status;
    this.discover(false);
    this.sendState(false);
  }

  refresh(): void {
    this.discover(true);
    this.sendState(true);
  }

  private sendState(force: boolean): void {
    const { topics } = this.out.ctx;
    const json = JSON.stringify(accountPayload(this.status));
    if (this.sent.changed('state', json, force))
      this.out.send(topics.accountState(this.status.key), json, true);
  }
}

export class PatientHandle extends DiscoveryOwner {
  constructor(
    out: HandleOutput,
    private snapshot: PatientSnapshot,
  ) {
    super(out);
  }

  protected inputs(): unknown {
    return discoveryInputs(this.snapshot);
  }

  protected build(): DiscoveryMessage[] {
    const inputs = discoveryInputs(this.snapshot);
    return PATIENT_ENTITIES.map((row) => patientDiscovery(row, inputs, this.out.ctx));
  }

  update(p: PatientSnapshot): void {
    this.snapshot = p;
    this.discover(false);
    this.sendState(false);
  }

  refresh(): void {
    this.discover(true);
    this.sendState(true);
  }

  /** The person is no longer followed: entities, state and availability are cleared. */
  remove(p: PatientSnapshot): void {
    this.snapshot = p;
    this.undiscover();
    const { topics } = this.out.ctx;
    this.out.send(topics.patientState(this.snapshot.slug), '', true);
    this.out.send(topics.patientAvailability(this.snapshot.slug), '', true);
  }

  private sendState(force: boolean): void {
    const p = this.snapshot;
    const { topics } = this.out.ctx;
    const state = statePayload(p);
    const json = state === null ? null : JSON.stringify(state);
    if (json !== null && this.sent.changed(`state ${p.slug}`, json, force))
      this.out.send(topics.patientState(p.slug), json, true);
    const availability = p.stale ? 'offline' : 'online';
    if (this.sent.changed(`availability ${p.slug}`, availability, force))
      this.out.send(topics.patientAvailability(p.slug), availability, true);
  }
}
