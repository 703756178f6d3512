// The "Poll now" command topic under a burst: each press is weighed, but the log gets one line per
// burst of ignored presses, with the count of the swallowed ones on the next line.
import { describe, expect, it } from 'vitest';
import type { MqttConfig } from '../../src/config/types.js';
import { BurstLog } from '../../src/homeassistant/burst-log.js';
import {
  COMMAND_BURST_QUIET_MS,
  HomeAssistantPublisher,
  POLL_NOW_MIN_SPACING_MS,
} from '../../src/homeassistant/publisher.js';
import { createLogger } from '../../src/log.js';
import type { MqttConnection } from '../../src/mqtt/client.js';
import { Topics } from '../../src/mqtt/topics.js';
import { captureLogs } from '../helpers/logs.js';

type Handler = (topic: string, payload: Buffer, retained: boolean) => void;

async function publisherWithClock() {
  const handlers = new Map<string, Handler>();
  const topics = new Topics('librelinkup2mqtt', 'homeassistant');
  const mqtt = {
    topics,
    subscribe: async (filter: string, handler: Handler) => void handlers.set(filter, handler),
    publish: async () => {},
    publishQuiet: () => {},
    onReconnect: () => {},
  } as unknown as MqttConnection;
  const { capture, destination } = captureLogs();
  let now = 1_000_000;
  let polls = 0;
  const publisher = new HomeAssistantPublisher({
    mqtt,
    config: { discovery: false } as MqttConfig,
    version: 'test',
    logger: createLogger({ level: 'info', destination }),
    onPollNow: () => {
      polls += 1;
    },
    now: () => now,
  });
  await publisher.start();
  const press = (payload = 'PRESS', retained = false) =>
    handlers.get(topics.pollRequest())?.(topics.pollRequest(), Buffer.from(payload), retained);
  return {
    press,
    advance: (ms: number) => {
      now += ms;
    },
    polls: () => polls,
    lines: (needle: string) => capture.lines.filter((l) => l.includes(needle)).map((l) => JSON.parse(l)),
  };
}

describe('poll now command under a burst', () => {
  it('polls once and logs one line for a burst of 50 presses in 5 s', async () => {
    const p = await publisherWithClock();
    for (let i = 0; i < 50; i++) {
      p.press();
      p.advance(100);
    }
    expect(p.polls()).toBe(1);
    expect(p.lines('poll now requested')).toHaveLength(1);
    expect(p.lines('poll now ignored')).toHaveLength(1);
  });

  it('says how many were swallowed when the next burst starts, and polls again after the spacing', async () => {
    const p = await publisherWithClock();
    for (let i = 0; i < 20; i++) {
      p.press();
      p.advance(100);
    }
    p.advance(COMMAND_BURST_QUIET_MS);
    p.press(); // polls: the spacing has passed
    p.press(); // ignored: a new burst, which reports the 18 swallowed from the last one
    expect(p.polls()).toBe(2);
    const ignored = p.lines('poll now ignored');
    expect(ignored).toHaveLength(2);
    expect(ignored[0].ignored_before).toBeUndefined();
    expect(ignored[1].ignored_before).toBe(18);
  });

  it('logs unknown payloads and retained commands once per burst each', async () => {
    const p = await publisherWithClock();
    for (let i = 0; i < 30; i++) {
      p.press('ON');
      p.press('PRESS', true);
      p.advance(POLL_NOW_MIN_SPACING_MS / 10);
    }
    expect(p.polls()).toBe(0);
    expect(p.lines('send PRESS to poll now')).toHaveLength(1);
    expect(p.lines('commands must not be retained')).toHaveLength(1);
  });
});

describe('BurstLog', () => {
  it('logs the first of a burst, counts the rest, and reports the count when the next burst starts', () => {
    const b = new BurstLog(1_000);
    expect(b.note('k', 0)).toEqual({ log: true, suppressed: 0 });
    expect(b.note('k', 500)).toEqual({ log: false, suppressed: 1 });
    // Each message extends the burst: 1400 is within 1 s of 500.
    expect(b.note('k', 1_400)).toEqual({ log: false, suppressed: 2 });
    expect(b.note('other', 1_400)).toEqual({ log: true, suppressed: 0 });
    expect(b.note('k', 2_400)).toEqual({ log: true, suppressed: 2 });
    expect(b.note('k', 3_400)).toEqual({ log: true, suppressed: 0 });
  });
});
