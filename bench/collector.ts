// An MQTT subscriber standing in for Home Assistant: notes when each reading arrives on
// `<base>/<slug>/reading` (receive time by this process's clock), keyed by patient and timestamp, and
// when each reading's timestamp first shows on the retained `<base>/<slug>/state` (the entity HA shows).

import mqtt, { type MqttClient } from 'mqtt';
import { type Seen, see } from './metrics.js';

export const BASE_TOPIC = 'librelinkup2mqtt';

export class ReadingCollector {
  readonly seen: Seen = new Map();
  /** first appearance of each reading on the state topic */
  readonly seenOnState: Seen = new Map();
  /** first reading message per slug (receive time) */
  readonly firstAt = new Map<string, number>();
  messages = 0;
  unknown = 0;
  private readonly bySlug = new Map<string, string>();

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      const at = Date.now();
      const [, slug = '', kind] = topic.split('/');
      if (kind === 'state') {
        const patientId = this.bySlug.get(slug);
        if (patientId === undefined || payload.length === 0) return;
        try {
          const ts = Date.parse((JSON.parse(payload.toString()) as { timestamp?: string }).timestamp ?? '');
          if (Number.isFinite(ts)) see(this.seenOnState, patientId, ts, at);
        } catch {
          // not a state payload
        }
        return;
      }
      this.messages++;
      if (!this.firstAt.has(slug)) this.firstAt.set(slug, at);
      const patientId = this.bySlug.get(slug);
      let ts = Number.NaN;
      try {
        ts = Date.parse((JSON.parse(payload.toString()) as { timestamp?: string }).timestamp ?? '');
      } catch {
        // counted below
      }
      if (patientId === undefined || !Number.isFinite(ts)) {
        this.unknown++;
        return;
      }
      see(this.seen, patientId, ts, at);
    });
  }

  /** Tell the collector which patient a slug belongs to. */
  map(slug: string, patientId: string): void {
    this.bySlug.set(slug, patientId);
  }

  static async connect(url: string): Promise<ReadingCollector> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 200, clientId: `bench-${process.pid}` });
    const collector = new ReadingCollector(client);
    await client.subscribeAsync([`${BASE_TOPIC}/+/reading`, `${BASE_TOPIC}/+/state`], { qos: 1 });
    return collector;
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
