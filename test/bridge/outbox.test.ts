import { describe, expect, it } from 'vitest';
import {
  addGraph,
  addLive,
  EMPTY_LOG,
  MAX_GAP_HOLD_MS,
  markPublished,
  nextToPublish,
  type ReadingLog,
  wantsGraph,
} from '../../src/bridge/outbox.js';
import { reading, T0 } from './fixtures.js';

const MIN = 60_000;

function drain(log: ReadingLog, now: number): { log: ReadingLog; published: number[] } {
  const published: number[] = [];
  for (let r = nextToPublish(log, now); r !== null; r = nextToPublish(log, now)) {
    published.push(r.timestamp);
    log = markPublished(log, r.timestamp);
  }
  return { log, published };
}

describe('reading log', () => {
  it('publishes consecutive live readings once, in order, and ignores repeats and older ones', () => {
    let log = EMPTY_LOG;
    log = addLive(log, reading(T0, 100), MIN, T0);
    log = addLive(log, reading(T0, 100), MIN, T0);
    log = addLive(log, reading(T0 + MIN, 101), MIN, T0 + MIN);
    log = addLive(log, reading(T0 - MIN, 99), MIN, T0 + MIN);
    const out = drain(log, T0 + MIN);
    expect(out.published).toEqual([T0, T0 + MIN]);
    expect(out.log.outbox).toEqual([]);
    expect(out.log.lastPublishedTs).toBe(T0 + MIN);
  });

  it('holds readings after a gap until the graph covers it, then fills it in order', () => {
    let log = markPublished(EMPTY_LOG, T0);
    const after = T0 + 30 * MIN;
    log = addLive(log, reading(after, 150), MIN, after);
    expect(wantsGraph(log, after)).toBe(true);
    expect(nextToPublish(log, after)).toBeNull();
    // The graph lags: it has points up to 10 minutes into the gap.
    log = addGraph(
      log,
      [reading(T0 - 5 * MIN, 90), reading(T0 + 5 * MIN, 110), reading(T0 + 10 * MIN, 120)],
      after,
    );
    let out = drain(log, after);
    expect(out.published).toEqual([T0 + 5 * MIN, T0 + 10 * MIN]);
    log = out.log;
    expect(wantsGraph(log, after)).toBe(false);
    // Later the graph has caught up with the gap's end.
    const later = after + 6 * MIN;
    log = addGraph(
      log,
      [reading(T0 + 15 * MIN, 130), reading(T0 + 20 * MIN, 135), reading(T0 + 25 * MIN, 140)],
      later,
    );
    out = drain(log, later);
    expect(out.published).toEqual([T0 + 15 * MIN, T0 + 20 * MIN, T0 + 25 * MIN, after]);
    expect(out.log.gap).toBeNull();
  });

  it('does not queue again a graph point published after an earlier re-check', () => {
    let log = markPublished(EMPTY_LOG, T0);
    const after = T0 + 30 * MIN;
    log = addLive(log, reading(after, 150), MIN, after);
    log = addGraph(log, [reading(T0 + 5 * MIN, 110)], after);
    log = drain(log, after).log;
    log = addGraph(log, [reading(T0 + 5 * MIN, 110), reading(T0 + 10 * MIN, 120)], after + 5 * MIN);
    expect(drain(log, after + 5 * MIN).published).toEqual([T0 + 10 * MIN]);
  });

  it('releases held readings after the maximum hold, even if the graph never catches up', () => {
    let log = markPublished(EMPTY_LOG, T0);
    log = addLive(log, reading(T0 + 20 * MIN, 150), MIN, T0 + 20 * MIN);
    expect(nextToPublish(log, T0 + 20 * MIN)).toBeNull();
    expect(nextToPublish(log, T0 + 20 * MIN + MAX_GAP_HOLD_MS)?.timestamp).toBe(T0 + 20 * MIN);
  });
});
