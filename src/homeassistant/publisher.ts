// The bridge's sink: hands snapshots and account statuses to their handles (handles.ts), which own
// discovery and state; publishes readings and events, which are not retained. On Home Assistant's
// birth message and on an MQTT reconnect every handle re-sends itself, since HA only reads retained
// states that arrive after it subscribed and a broker without persistence forgets them.

import type { AccountStatus, Alert, BridgeSink, PatientSnapshot } from '../bridge/events.js';
import type { MqttConfig } from '../config/types.js';
import type { Reading } from '../librelinkup/model.js';
import type { Logger } from '../log.js';
import type { MqttConnection } from '../mqtt/client.js';
import { safeTimeout } from '../timers.js';
import { SUPPORT_URL } from '../version.js';
import { BurstLog } from './burst-log.js';
import { DEFAULT_BASE_TOPIC, type DiscoveryContext } from './discovery.js';
import { AccountHandle, BridgeHandle, type HandleOutput, PatientHandle } from './handles.js';
import { isOwnLegacyConfig, legacyAccountTopics, legacyBridgeFilter } from './legacy.js';
import { eventPayload, readingPayload } from './payloads.js';

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
  private readonly out: HandleOutput;
  private readonly bridge: BridgeHandle;
  /** by patientId */
  private readonly patients = new Map<string, PatientHandle>();
  /** by account key */
  private readonly accounts = new Map<string, AccountHandle>();
  private lastPollNow = Number.NEGATIVE_INFINITY;
  private readonly ignored = new BurstLog(COMMAND_BURST_QUIET_MS);
  private birthTimer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly options: PublisherOptions) {
    this.ctx = { topics: options.mqtt.topics, version: options.version, supportUrl: SUPPORT_URL };
    this.now = options.now ?? Date.now;
    this.out = {
      ctx: this.ctx,
      discovery: options.config.discovery,
      send: (topic, payload, retain) => this.send(topic, payload, retain),
    };
    this.bridge = new BridgeHandle(this.out);
  }

  /** How often a person's discovery was built (tests measure churn with it); 0 for an unknown person. */
  discoveryBuilds(patientId: string): number {
    return this.patients.get(patientId)?.builds ?? 0;
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
      this.birthTimer = safeTimeout(() => this.republishAll(), BIRTH_RESEND_DELAY_MS);
    });
    await mqtt.subscribe(this.topics.pollRequest(), (_topic, payload, retained) =>
      this.onPollRequest(payload, retained),
    );
    // The broker may have restarted without persistence and lost our retained discovery.
    mqtt.onReconnect(() => this.republishAll());
    if (this.scoped)
      await mqtt.subscribe(legacyBridgeFilter(this.prefix), (t, p, r) => this.onLegacy(t, p, r));
    this.bridge.start();
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
    this.send(topic, '', true);
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

  private send(topic: string, payload: string, retain: boolean): void {
    this.options.mqtt.publishQuiet(topic, payload, { retain, qos: 1 }, this.publishFailed(topic));
  }

  private publishFailed(topic: string): (error: Error) => void {
    return (error) => this.options.logger.warn({ topic, err: error }, 'MQTT publish failed');
  }

  patientChanged(p: PatientSnapshot): void {
    const handle = this.patients.get(p.patientId);
    if (handle) handle.update(p);
    else {
      const created = new PatientHandle(this.out, p);
      this.patients.set(p.patientId, created);
      created.update(p);
    }
  }

  patientRemoved(p: PatientSnapshot): void {
    const handle = this.patients.get(p.patientId) ?? new PatientHandle(this.out, p);
    this.patients.delete(p.patientId);
    handle.remove(p);
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
    this.send(this.topics.patientEvent(p.slug), JSON.stringify(eventPayload(p, a)), false);
  }

  accountChanged(a: AccountStatus): void {
    let handle = this.accounts.get(a.key);
    if (handle === undefined) {
      if (this.scoped) {
        for (const topic of legacyAccountTopics(this.prefix, a.key))
          void this.options.mqtt.subscribe(topic, (t, p, r) => this.onLegacy(t, p, r));
      }
      handle = new AccountHandle(this.out, a);
      this.accounts.set(a.key, handle);
    }
    handle.update(a);
    this.bridge.setConnected([...this.accounts.values()].some((h) => h.ok));
  }

  /** After HA's birth message or an MQTT reconnect: every handle re-sends itself. */
  private republishAll(): void {
    this.bridge.refresh();
    for (const a of this.accounts.values()) a.refresh();
    for (const p of this.patients.values()) p.refresh();
  }
}
