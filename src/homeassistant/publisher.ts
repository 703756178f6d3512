// The bridge's sink: renders snapshots, readings and alerts to MQTT for Home Assistant. Discovery is
// retained and re-sent only when it changed; states and availability are retained; readings and
// events are not. On Home Assistant's birth message everything is re-sent, since HA only reads
// retained states that arrive after it subscribed.

import { createHash } from 'node:crypto';
import type { AccountStatus, Alert, BridgeSink, PatientSnapshot } from '../bridge/events.js';
import type { MqttConfig } from '../config/types.js';
import type { Reading } from '../librelinkup/model.js';
import type { Logger } from '../log.js';
import type { MqttConnection } from '../mqtt/client.js';
import { safeTimeout } from '../timers.js';
import { SUPPORT_URL } from '../version.js';
import { BurstLog } from './burst-log.js';
import {
  accountDiscovery,
  accountPayload,
  bridgeDiscovery,
  DEFAULT_BASE_TOPIC,
  type DiscoveryContext,
  type DiscoveryMessage,
  patientDiscovery,
  stableJson,
} from './discovery.js';
import { PATIENT_ENTITIES } from './entities.js';
import { isOwnLegacyConfig, legacyAccountTopics, legacyBridgeFilter } from './legacy.js';
import { eventPayload, readingPayload, statePayload } from './payloads.js';

export const BIRTH_RESEND_DELAY_MS = 2_000;
export const POLL_NOW_MIN_SPACING_MS = 10_000;
/** An ignored command after this much quiet starts a new burst (and a new log line). */
export const COMMAND_BURST_QUIET_MS = 60_000;

export interface PublisherOptions {
  mqtt: MqttConnection;
  config: MqttConfig;
  version: string;
  logger: Logger;
  onPollNow: () => void;
  now?: () => number;
}

export class HomeAssistantPublisher implements BridgeSink {
  private readonly ctx: DiscoveryContext;
  /** config topic → JSON last published */
  private readonly discovered = new Map<string, string>();
  private readonly patients = new Map<string, PatientSnapshot>();
  private readonly accounts = new Map<string, AccountStatus>();
  private lastPollNow = Number.NEGATIVE_INFINITY;
  private readonly ignored = new BurstLog(COMMAND_BURST_QUIET_MS);
  private birthTimer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly options: PublisherOptions) {
    this.ctx = { topics: options.mqtt.topics, version: options.version, supportUrl: SUPPORT_URL };
    this.now = options.now ?? Date.now;
  }

  private get topics() {
    return this.ctx.topics;
  }

  async start(): Promise<void> {
    const { mqtt, logger } = this.options;
    await mqtt.subscribe(this.topics.haStatus(), (_topic, payload) => {
      if (payload.toString() !== 'online') return;
      logger.info('Home Assistant came online: re-sending discovery and states');
      if (this.birthTimer) clearTimeout(this.birthTimer);
      this.birthTimer = safeTimeout(() => void this.republishAll(true), BIRTH_RESEND_DELAY_MS);
    });
    await mqtt.subscribe(this.topics.pollRequest(), (_topic, payload, retained) =>
      this.onPollRequest(payload, retained),
    );
    // The broker may have restarted without persistence and lost our retained discovery.
    mqtt.onReconnect(() => void this.republishAll(true));
    if (this.scoped)
      await mqtt.subscribe(legacyBridgeFilter(this.prefix), (t, p, r) => this.onLegacy(t, p, r));
    for (const m of bridgeDiscovery(this.ctx)) this.sendDiscovery(m);
    this.publishConnectivity();
  }

  async stop(): Promise<void> {
    if (this.birthTimer) clearTimeout(this.birthTimer);
  }

  /** Logs an ignored command once per burst; later lines say how many were swallowed meanwhile. */
  private ignoredCommand(key: string, level: 'info' | 'warn', message: string): void {
    const { log, suppressed } = this.ignored.note(key, this.now());
    if (!log) return;
    if (suppressed > 0) this.options.logger[level]({ ignored_before: suppressed }, message);
    else this.options.logger[level](message);
  }

  /** A non-default base_topic: bridge and account ids carry the instance (discovery.ts instanceOf). */
  private get scoped(): boolean {
    return this.options.config.discovery && this.topics.base !== DEFAULT_BASE_TOPIC;
  }

  private get prefix(): string {
    return this.options.config.discovery_prefix;
  }

  /** Our own discovery from before the ids were scoped: removed, so no duplicate entities linger. */
  private onLegacy(topic: string, payload: Buffer, retained: boolean): void {
    if (!retained || !isOwnLegacyConfig(payload.toString(), this.topics.bridgeState())) return;
    this.options.logger.info(
      { topic },
      'removing an old Home Assistant entity of this bridge (ids now include the base_topic)',
    );
    void this.send(topic, '', true);
  }

  private onPollRequest(payload: Buffer, retained: boolean): void {
    if (retained) {
      this.ignoredCommand(
        'retained',
        'warn',
        `ignoring a retained message on ${this.topics.pollRequest()}: commands must not be retained`,
      );
      return;
    }
    const text = payload.toString().trim();
    if (text !== 'PRESS' && text !== '') {
      this.ignoredCommand(
        'unknown',
        'warn',
        `ignoring "${text.slice(0, 40)}" on ${this.topics.pollRequest()}: send PRESS to poll now`,
      );
      return;
    }
    const now = this.now();
    if (now - this.lastPollNow < POLL_NOW_MIN_SPACING_MS) {
      this.ignoredCommand('too_soon', 'info', 'poll now ignored: pressed less than 10 s ago');
      return;
    }
    const { logger } = this.options;
    this.lastPollNow = now;
    logger.info('poll now requested');
    this.options.onPollNow();
  }

  private send(topic: string, payload: string, retain: boolean): Promise<void> {
    return this.options.mqtt.publish(topic, payload, { retain, qos: 1 }).catch((error: Error) => {
      this.options.logger.warn({ topic, err: error }, 'MQTT publish failed');
    });
  }

  private sendDiscovery(m: DiscoveryMessage, force = false): void {
    if (!this.options.config.discovery) return;
    const json = stableJson(m.payload);
    // A digest, not the JSON: ~15 configs per patient would otherwise keep ~1 KB each in memory.
    const digest = createHash('sha1').update(json).digest('base64');
    if (!force && this.discovered.get(m.topic) === digest) return;
    this.discovered.set(m.topic, digest);
    void this.send(m.topic, json, true);
  }

  patientChanged(p: PatientSnapshot): void {
    this.patients.set(p.patientId, p);
    this.publishPatient(p, false);
  }

  private publishPatient(p: PatientSnapshot, force: boolean): void {
    for (const row of PATIENT_ENTITIES) this.sendDiscovery(patientDiscovery(row, p, this.ctx), force);
    const state = statePayload(p);
    if (state !== null) void this.send(this.topics.patientState(p.slug), JSON.stringify(state), true);
    void this.send(this.topics.patientAvailability(p.slug), p.stale ? 'offline' : 'online', true);
  }

  patientRemoved(p: PatientSnapshot): void {
    this.patients.delete(p.patientId);
    for (const row of PATIENT_ENTITIES) {
      const { topic } = patientDiscovery(row, p, this.ctx);
      this.discovered.delete(topic);
      if (this.options.config.discovery) void this.send(topic, '', true);
    }
    void this.send(this.topics.patientState(p.slug), '', true);
    void this.send(this.topics.patientAvailability(p.slug), '', true);
    this.options.logger.info({ patient: p.slug }, 'removed a patient and its Home Assistant entities');
  }

  reading(p: PatientSnapshot, r: Reading, options?: { backfilled: boolean }): Promise<void> {
    // Not caught here: the bridge keeps the reading queued and retries if this fails.
    return this.options.mqtt.publish(
      this.topics.patientReading(p.slug),
      JSON.stringify(readingPayload(p, r, options?.backfilled === true)),
      {
        retain: false,
        qos: 1,
      },
    );
  }

  alert(p: PatientSnapshot, a: Alert): void {
    this.options.logger.info({ patient: p.slug, event: a.type }, 'event');
    void this.send(this.topics.patientEvent(p.slug), JSON.stringify(eventPayload(p, a)), false);
  }

  accountChanged(a: AccountStatus): void {
    if (this.scoped && !this.accounts.has(a.key)) {
      for (const topic of legacyAccountTopics(this.prefix, a.key))
        void this.options.mqtt.subscribe(topic, (t, p, r) => this.onLegacy(t, p, r));
    }
    this.accounts.set(a.key, a);
    for (const m of accountDiscovery(a, this.ctx)) this.sendDiscovery(m);
    void this.send(this.topics.accountState(a.key), JSON.stringify(accountPayload(a)), true);
    this.publishConnectivity();
  }

  private publishConnectivity(): void {
    const ok = [...this.accounts.values()].some((a) => a.ok);
    void this.send(this.topics.bridgeConnectivity(), ok ? 'ON' : 'OFF', true);
  }

  /** After HA's birth message (force discovery) or an MQTT reconnect. */
  private async republishAll(forceDiscovery: boolean): Promise<void> {
    void this.send(this.topics.bridgeState(), 'online', true);
    for (const m of bridgeDiscovery(this.ctx)) this.sendDiscovery(m, forceDiscovery);
    for (const a of this.accounts.values()) {
      for (const m of accountDiscovery(a, this.ctx)) this.sendDiscovery(m, forceDiscovery);
      void this.send(this.topics.accountState(a.key), JSON.stringify(accountPayload(a)), true);
    }
    this.publishConnectivity();
    for (const p of this.patients.values()) this.publishPatient(p, forceDiscovery);
  }
}
