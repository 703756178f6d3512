// The bridge's MQTT connection (mqtt.js): last will `offline`, `online` on every (re)connect,
// reconnect with growing back-off, re-subscribe, and a reconnect signal on which the owners of our
// retained messages (the Home Assistant handles) re-send them, in case the broker lost them.
// Publishes made while offline are queued by mqtt.js and sent in order once connected; QoS 1
// publishes resolve on PUBACK.

import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { MqttConfig } from '../config/types.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { Topics } from './topics.js';

export const RECONNECT_MAX_MS = 10_000;

/** The broker refused our CONNECT (bad credentials, not authorized, client id rejected, ...). */
export class MqttRefusedError extends AppError<'mqtt_refused'> {
  override readonly name = 'MqttRefusedError';
  constructor(
    message: string,
    readonly reasonCode: number,
  ) {
    super('mqtt_refused', message);
  }
}

const CREDENTIAL_CODES = new Set([4, 5, 134, 135]);
/**
 * Refusals no retry can cure (bad protocol, client id, username/password): fail the start at once.
 * Others (3/136/137 server unavailable or busy, 5/135 not authorized) can be a broker still booting,
 * e.g. Mosquitto asking Home Assistant to check a user before Core is up: retried for a while first.
 */
const FATAL_AT_START = new Set([1, 2, 4, 133, 134]);
/** How long refusals that may be transient are retried at start before the start fails (exit 1). */
export const STARTUP_REFUSAL_GRACE_MS = 120_000;

/** Words for a CONNACK refusal, naming the broker, the user and the fix; never the password. */
export function refusalMessage(code: number, broker: string, username: string | undefined): string {
  const who = username ? `user "${username}"` : 'no username';
  if (CREDENTIAL_CODES.has(code)) {
    return (
      `MQTT broker ${broker} refused the login with ${who} (not authorized, reason ${code}). ` +
      'Check mqtt.username and mqtt.password (on the Mosquitto add-on: a Home Assistant user or a login in its options).'
    );
  }
  if (code === 2 || code === 133) {
    return `MQTT broker ${broker} rejected the client id (reason ${code}). Set a unique mqtt.client_id.`;
  }
  return `MQTT broker ${broker} refused the connection (reason ${code}) with ${who}.`;
}

export type MessageHandler = (topic: string, payload: Buffer, retained: boolean) => void;

export interface PublishOptions {
  retain: boolean;
  qos: 0 | 1;
}

export class MqttConnection {
  readonly topics: Topics;
  private client: MqttClient | null = null;
  private readonly handlers = new Map<string, MessageHandler>();
  private reconnectDelay = 1_000;
  private closing = false;
  private connectedOnce = false;
  private readonly reconnectListeners: Array<() => void> = [];

  constructor(
    private readonly options: {
      config: MqttConfig & { url: string };
      logger: Logger;
      /** default STARTUP_REFUSAL_GRACE_MS */
      startupRefusalGraceMs?: number;
    },
  ) {
    this.topics = new Topics(options.config.base_topic, options.config.discovery_prefix);
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Called after every reconnect (not the first connect): whoever publishes retained messages re-sends them. */
  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  private clientOptions(): IClientOptions {
    const { config } = this.options;
    const tls = config.tls;
    return {
      clientId: config.client_id,
      username: config.username,
      password: config.password,
      clean: true,
      reconnectPeriod: 1_000,
      // mqtt.js stops for good after a refused CONNACK; a broker that refuses us while it restarts
      // must not leave the bridge offline forever (the refusal is logged as an error each time).
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      keepalive: 30,
      will: { topic: this.topics.bridgeState(), payload: Buffer.from('offline'), qos: 1, retain: true },
      ...(tls
        ? {
            ca: tls.ca ? readFileSync(tls.ca) : undefined,
            cert: tls.cert ? readFileSync(tls.cert) : undefined,
            key: tls.key ? readFileSync(tls.key) : undefined,
            rejectUnauthorized: tls.reject_unauthorized,
          }
        : {}),
    };
  }

  private describeBroker(): string {
    const url = new URL(this.options.config.url);
    const user = this.options.config.username ? ` as ${this.options.config.username}` : '';
    return `${url.protocol}//${url.host}${user}`;
  }

  /** Resolves on the first successful connection; keeps retrying until then (a broker may start late). */
  async connect(): Promise<void> {
    const { logger } = this.options;
    const client = mqtt.connect(this.options.config.url, this.clientOptions());
    this.client = client;
    client.on('connect', () => {
      this.reconnectDelay = 1_000;
      client.options.reconnectPeriod = 1_000;
      logger.info(`connected to MQTT broker ${this.describeBroker()}`);
      void this.afterConnect();
    });
    client.on('reconnect', () => {
      // Grow the pause between attempts, capped at 10 s: a broker restart (Mosquitto add-on update)
      // should cost seconds of delay at night, and one attempt per 10 s costs a broker nothing.
      this.reconnectDelay = Math.min(RECONNECT_MAX_MS, this.reconnectDelay * 2);
      client.options.reconnectPeriod = this.reconnectDelay;
    });
    client.on('offline', () => {
      if (!this.closing)
        logger.warn(`MQTT broker ${this.describeBroker()} unreachable; readings are queued until it is back`);
    });
    let refuseFirst: ((error: Error) => void) | null = null;
    let firstRefusalAt: number | null = null;
    const grace = this.options.startupRefusalGraceMs ?? STARTUP_REFUSAL_GRACE_MS;
    client.on('error', (error) => {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'number' && code > 0 && /refused/i.test(error.message)) {
        const message = refusalMessage(code, this.describeBroker(), this.options.config.username);
        if (!this.connectedOnce && refuseFirst) {
          firstRefusalAt ??= Date.now();
          const givingUp = FATAL_AT_START.has(code) || Date.now() - firstRefusalAt >= grace;
          logger.error(
            { reason_code: code },
            givingUp ? message : `${message} Retrying (the broker may still be starting).`,
          );
          // A start that cannot connect is a configuration problem: fail loudly (exit 1), never wait silently.
          if (givingUp) refuseFirst(new MqttRefusedError(message, code));
          return;
        }
        logger.error({ reason_code: code }, message);
        return;
      }
      logger.warn({ err: error }, `MQTT error at ${this.describeBroker()}: ${error.message}`);
    });
    client.on('message', (topic, payload, packet) => {
      for (const [filter, handler] of this.handlers) {
        if (matches(filter, topic)) {
          try {
            handler(topic, payload, packet.retain);
          } catch (error) {
            logger.error({ err: error, topic }, 'MQTT message handler failed');
          }
        }
      }
    });
    await new Promise<void>((resolve, reject) => {
      refuseFirst = (error) => {
        client.end(true);
        this.client = null;
        reject(error);
      };
      client.once('connect', () => {
        refuseFirst = null;
        resolve();
      });
    });
  }

  private async afterConnect(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const filters = [...this.handlers.keys()];
    if (filters.length > 0) await client.subscribeAsync(filters, { qos: 1 }).catch(() => {});
    await this.publish(this.topics.bridgeState(), 'online', { retain: true, qos: 1 }).catch(() => {});
    // The broker may have lost our retained messages (restart without persistence): their owners
    // re-send them, from what they hold anyway rather than from a second copy kept here.
    if (this.connectedOnce) for (const l of this.reconnectListeners) l();
    this.connectedOnce = true;
  }

  async subscribe(filter: string, handler: MessageHandler): Promise<void> {
    this.handlers.set(filter, handler);
    if (this.client?.connected) await this.client.subscribeAsync(filter, { qos: 1 });
  }

  /** Resolves once the broker acknowledged (QoS 1) or the packet was written (QoS 0). */
  async publish(topic: string, payload: string, options: PublishOptions): Promise<void> {
    if (!this.client) throw new Error('MQTT not connected yet');
    await this.client.publishAsync(topic, payload, { retain: options.retain, qos: options.qos });
  }

  /**
   * The same, for messages nobody waits for (states, discovery): no promise is kept per message
   * until its PUBACK, which at start, with thousands of configs in flight, was most of the memory.
   */
  publishQuiet(topic: string, payload: string, options: PublishOptions, onError: (e: Error) => void): void {
    if (!this.client) {
      onError(new Error('MQTT not connected yet'));
      return;
    }
    this.client.publish(topic, payload, { retain: options.retain, qos: options.qos }, (error) => {
      if (error) onError(error);
    });
  }

  /** Publish `offline`, let queued messages flush (bounded), disconnect. */
  async close(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.closing = true;
    if (client.connected) {
      await Promise.race([
        client.publishAsync(this.topics.bridgeState(), 'offline', { retain: true, qos: 1 }),
        new Promise((r) => setTimeout(r, 1_000).unref()),
      ]).catch(() => {});
    }
    await Promise.race([client.endAsync(false), new Promise((r) => setTimeout(r, 1_000).unref())]).catch(
      () => {},
    );
    client.end(true);
  }
}

/** MQTT topic filter match with + and #. */
export function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
