// A plain MQTT subscriber for end-to-end tests: remembers the last payload per topic and every
// message in arrival order. `waitUntil` polls a condition with a generous limit instead of sleeping.

import mqtt, { type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

export class Collector {
  readonly messages: Received[] = [];
  readonly last = new Map<string, string>();
  private constructor(private readonly client: MqttClient) {}

  static async connect(
    url: string,
    topics: string[] = ['#'],
    options: mqtt.IClientOptions = {},
  ): Promise<Collector> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 100, ...options });
    const collector = new Collector(client);
    client.on('message', (topic, payload, packet) => {
      const text = payload.toString();
      collector.messages.push({ topic, payload: text, retain: packet.retain });
      collector.last.set(topic, text);
    });
    await client.subscribeAsync(topics, { qos: 1 });
    return collector;
  }

  json<T = Record<string, unknown>>(topic: string): T | undefined {
    const text = this.last.get(topic);
    return text === undefined || text === '' ? undefined : (JSON.parse(text) as T);
  }

  on(topic: string): Received[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
