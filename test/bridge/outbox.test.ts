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

function drain(log: ReadingLog, now: number): { log: ReadingLog; published: number[]; backfilled: number[] } {
  const published: number[] = [];
  const backfilled: number[] = [];
  for (let r = nextToPublish(log, now); r !== null; r = nextToPublish(log, now)) {
    published.push(r.reading.timestamp);
    if (r.backfilled) backfilled.push(r.reading.timestamp);
    log = markPublished(log, r.reading.timestamp);
  }
  return { log, published, backfilled };
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

  it('publishes live readings after a gap at once; the gap follows from the graph, in order, marked backfilled', () => {
    let log = markPublished(EMPTY_LOG, T0);
    const after = T0 + 30 * MIN;
    log = addLive(log, reading(after, 150), MIN, after);
    expect(wantsGraph(log, after)).toBe(true);
    // Live readings never wait for the graph.
    let out = drain(log, after);
    expect(out.published).toEqual([after]);
    expect(out.backfilled).toEqual([]);
    log = addLive(out.log, reading(after + MIN, 151), MIN, after + MIN);
    out = drain(log, after + MIN);
    expect(out.published).toEqual([after + MIN]);
    log = out.log;
    expect(log.gap).not.toBeNull();
    // The graph lags: it has points up to 10 minutes into the gap.
    log = addGraph(
      log,
      [reading(T0 - 5 * MIN, 90), reading(T0 + 5 * MIN, 110), reading(T0 + 10 * MIN, 120)],
      after + MIN,
    );
    out = drain(log, after + MIN);
    expect(out.published).toEqual([T0 + 5 * MIN, T0 + 10 * MIN]);
    expect(out.backfilled).toEqual([T0 + 5 * MIN, T0 + 10 * MIN]);
    log = out.log;
    expect(wantsGraph(log, after + MIN)).toBe(false);
    // Later the graph has caught up with the gap's end.
    const later = after + 6 * MIN;
    log = addGraph(
      log,
      [reading(T0 + 15 * MIN, 130), reading(T0 + 20 * MIN, 135), reading(T0 + 25 * MIN, 140)],
      later,
    );
    out = drain(log, later);
    expect(out.published).toEqual([T0 + 15 * MIN, T0 + 20 * MIN, T0 + 25 * MIN]);
    expect(out.log.gap).toBeNull();
    expect(out.log.lastPublishedTs).toBe(after + MIN);
    // The live stream goes on from its own watermark: nothing is published twice.
    log = addGraph(out.log, [reading(T0 + 25 * MIN, 140)], later);
    expect(drain(log, later).published).toEqual([]);
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

  it('publishes whatever the graph gave of a gap after the maximum hold, and then closes it', () => {
    let log = markPublished(EMPTY_LOG, T0);
    log = addLive(log, reading(T0 + 20 * MIN, 150), MIN, T0 + 20 * MIN);
    log = drain(log, T0 + 20 * MIN).log;
    log = addGraph(log, [reading(T0 + 5 * MIN, 110), reading(T0 + 10 * MIN, 120)], T0 + 20 * MIN);
    // Only points the graph has moved past are final...
    expect(drain(log, T0 + 20 * MIN).published).toEqual([T0 + 5 * MIN, T0 + 10 * MIN]);
    log = addGraph(log, [reading(T0 + 15 * MIN, 130)], T0 + 20 * MIN + MAX_GAP_HOLD_MS);
    const out = drain(log, T0 + 20 * MIN + MAX_GAP_HOLD_MS);
    expect(out.published).toEqual([T0 + 5 * MIN, T0 + 10 * MIN, T0 + 15 * MIN]);
    expect(out.log.gap).toBeNull();
  });

  it('a restart in the middle of a backfill publishes nothing twice (gap readings survive the watermark)', () => {
    let log = markPublished(EMPTY_LOG, T0);
    const after = T0 + 30 * MIN;
    log = addLive(log, reading(after, 150), MIN, after);
    log = drain(log, after).log;
    log = addGraph(log, [reading(T0 + 5 * MIN, 110), reading(T0 + 10 * MIN, 120)], after);
    const first = nextToPublish(log, after)!;
    log = markPublished(log, first.reading.timestamp);
    // What a state file holds now: one gap reading published, one still queued below the watermark.
    const saved = JSON.parse(JSON.stringify(log)) as ReadingLog;
    expect(saved.outbox.map((r) => r.timestamp)).toEqual([T0 + 10 * MIN]);
    expect(drain(saved, after).published).toEqual([T0 + 10 * MIN]);
  });
});
