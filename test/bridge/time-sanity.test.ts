import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { issueKey, nextIssues } from '../../src/bridge/data-issues.js';
import { EMPTY_LOG, markPublished, rewind } from '../../src/bridge/outbox.js';
import {
  CLOCK_WARN_MS,
  type ClockMemory,
  EMPTY_CLOCK_MEMORY,
  EMPTY_LIVE_MEMORY,
  judgeClock,
  judgeLive,
  type LiveMemory,
  persistedAhead,
  STALE_STRETCH_MS,
  spoken,
} from '../../src/bridge/time-sanity.js';
import type { DataIssue } from '../../src/librelinkup/lenient.js';
import { FUTURE_TOLERANCE_MS } from '../../src/librelinkup/limits.js';
import type { Reading } from '../../src/librelinkup/model.js';
import { upstreamClockFrom } from '../../src/librelinkup/upstream-clock.js';
import { reading } from './fixtures.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const MIN = 60_000;

describe('judgeLive', () => {
  it('refuses a reading more than FUTURE_TOLERANCE_MS ahead of upstream, logging once per episode', () => {
    const future = reading(NOW + 2 * 60 * MIN, 100);
    const first = judgeLive(EMPTY_LIVE_MEMORY, { reading: future, newest: null, upstreamNow: NOW });
    expect(first.accept).toEqual([]);
    expect(first.note).toEqual({ kind: 'future', aheadMs: 2 * 60 * MIN });
    const again = judgeLive(first.memory, { reading: future, newest: null, upstreamNow: NOW + MIN });
    expect(again.accept).toEqual([]);
    expect(again.note).toBeNull();
    // A real reading clears the episode; the next future reading is named again.
    const real = judgeLive(again.memory, { reading: reading(NOW, 90), newest: null, upstreamNow: NOW });
    expect(real.accept).toHaveLength(1);
    const later = judgeLive(real.memory, { reading: future, newest: reading(NOW, 90), upstreamNow: NOW });
    expect(later.note?.kind).toBe('future');
  });

  it('accepts a reading within the tolerance, judged by upstream clock (this machine may be hours late)', () => {
    const r = reading(NOW + FUTURE_TOLERANCE_MS, 100);
    expect(judgeLive(EMPTY_LIVE_MEMORY, { reading: r, newest: null, upstreamNow: NOW }).accept).toEqual([r]);
  });

  it('same timestamp as the newest: nothing new', () => {
    const r = reading(NOW, 100);
    const out = judgeLive(EMPTY_LIVE_MEMORY, { reading: r, newest: r, upstreamNow: NOW });
    expect(out).toMatchObject({ accept: [], rewindFrom: null, note: null });
  });

  it('backwards: held and named once, then the second distinct reading adopts upstream timeline with both', () => {
    const newest = reading(NOW, 100);
    const a = reading(NOW - 10 * MIN, 80);
    const b = reading(NOW - 9 * MIN, 75);
    const one = judgeLive(EMPTY_LIVE_MEMORY, { reading: a, newest, upstreamNow: NOW });
    expect(one).toMatchObject({ accept: [], rewindFrom: null, note: { kind: 'behind', behindMs: 10 * MIN } });
    const same = judgeLive(one.memory, { reading: a, newest, upstreamNow: NOW });
    expect(same).toMatchObject({ accept: [], note: null });
    const two = judgeLive(same.memory, { reading: b, newest, upstreamNow: NOW });
    expect(two.accept).toEqual([a, b]);
    expect(two.rewindFrom).toBe(a.timestamp);
    expect(two.note).toEqual({ kind: 'adopted', behindMs: 9 * MIN, readings: 2 });
    expect(two.memory).toEqual(EMPTY_LIVE_MEMORY);
  });

  it('backwards once, then the newest accepted reading again: back on our timeline, nothing adopted', () => {
    const newest = reading(NOW, 100);
    const one = judgeLive(EMPTY_LIVE_MEMORY, {
      reading: reading(NOW - 5 * MIN, 80),
      newest,
      upstreamNow: NOW,
    });
    const two = judgeLive(one.memory, { reading: newest, newest, upstreamNow: NOW + MIN });
    expect(two).toMatchObject({ accept: [], rewindFrom: null, note: null });
    expect(two.memory).toEqual(EMPTY_LIVE_MEMORY);
  });

  it('an already accepted reading seen again (another account lagging) is ignored, not held', () => {
    const newest = reading(NOW, 100);
    const old = reading(NOW - MIN, 99);
    const out = judgeLive(EMPTY_LIVE_MEMORY, { reading: old, newest, upstreamNow: NOW, known: true });
    expect(out).toMatchObject({ accept: [], rewindFrom: null, note: null });
    expect(out.memory).toEqual(EMPTY_LIVE_MEMORY);
  });

  it('backwards once, then newer than ours again: the held reading was a replay and is dropped', () => {
    const newest = reading(NOW, 100);
    const one = judgeLive(EMPTY_LIVE_MEMORY, {
      reading: reading(NOW - 5 * MIN, 80),
      newest,
      upstreamNow: NOW,
    });
    const next = reading(NOW + MIN, 101);
    const two = judgeLive(one.memory, { reading: next, newest, upstreamNow: NOW + MIN });
    expect(two.accept).toEqual([next]);
    expect(two.rewindFrom).toBeNull();
  });

  it('never leaves a real newer reading unpublished (property): future injections and replays around a real timeline', () => {
    const step = fc.oneof(
      fc.constant({ kind: 'real' as const }),
      fc.record({
        kind: fc.constant('future' as const),
        ahead: fc.integer({ min: FUTURE_TOLERANCE_MS + 1, max: 1e12 }),
      }),
      fc.record({ kind: fc.constant('replay' as const), back: fc.integer({ min: 1, max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        let memory: LiveMemory = EMPTY_LIVE_MEMORY;
        let newest: Reading | null = null;
        let t = NOW;
        const real: Reading[] = [];
        const accepted: Reading[] = [];
        for (const s of steps) {
          let r: Reading;
          if (s.kind === 'real') {
            t += MIN;
            r = reading(t, 100);
            real.push(r);
          } else if (s.kind === 'future') r = reading(t + s.ahead, 300);
          else r = real.at(-s.back) ?? reading(t - s.back * MIN, 100);
          const out = judgeLive(memory, { reading: r, newest, upstreamNow: t });
          memory = out.memory;
          if (out.rewindFrom !== null && newest !== null && newest.timestamp >= out.rewindFrom) newest = null;
          for (const a of out.accept) {
            accepted.push(a);
            newest = a;
          }
        }
        for (const a of accepted) expect(a.timestamp).toBeLessThanOrEqual(NOW + steps.length * MIN);
        const acceptedTs = new Set(accepted.map((a) => a.timestamp));
        for (const r of real) expect(acceptedTs.has(r.timestamp)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('a timeline set back by any amount is followed after one held reading (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 1, max: 24 * 60 }),
        (before, after, backMinutes) => {
          let memory: LiveMemory = EMPTY_LIVE_MEMORY;
          let newest: Reading | null = null;
          const accepted: number[] = [];
          const feed = (r: Reading, upstreamNow: number) => {
            const out = judgeLive(memory, { reading: r, newest, upstreamNow });
            memory = out.memory;
            if (out.rewindFrom !== null) {
              const from = out.rewindFrom;
              newest = null;
              for (let i = accepted.length - 1; i >= 0 && accepted[i]! >= from; i--) accepted.pop();
            }
            for (const a of out.accept) {
              accepted.push(a.timestamp);
              newest = a;
            }
          };
          for (let i = 1; i <= before; i++) feed(reading(NOW + i * MIN, 100), NOW + i * MIN);
          const shifted: number[] = [];
          for (let i = 1; i <= after; i++) {
            const ts = NOW + (before + i) * MIN - backMinutes * MIN;
            shifted.push(ts);
            // New measurements on a shifted clock (a value of their own: one identical in time and
            // value to the newest accepted reading is that reading again).
            feed(reading(ts, 101), NOW + (before + i) * MIN);
          }
          // Every shifted reading is accepted (in order) unless it was newer than ours anyway.
          for (const ts of shifted) expect(accepted).toContain(ts);
          expect([...accepted].sort((a, b) => a - b)).toEqual(accepted);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('persistedAhead', () => {
  it('only a stored reading beyond the tolerance of upstream clock', () => {
    expect(persistedAhead(null, NOW)).toBe(false);
    expect(persistedAhead(NOW + FUTURE_TOLERANCE_MS, NOW)).toBe(false);
    expect(persistedAhead(NOW + FUTURE_TOLERANCE_MS + 1, NOW)).toBe(true);
  });
});

describe('judgeClock', () => {
  const input = (
    localNow: number,
    upstreamNow: number,
    newestTimestamps: number[] = [],
    fromHeader = true,
  ) => ({
    localNow,
    upstreamNow,
    fromHeader,
    newestTimestamps,
  });

  it('warns once when this machine differs by more than CLOCK_WARN_MS, re-armed when it agrees again', () => {
    const late = judgeClock(EMPTY_CLOCK_MEMORY, input(NOW - 3 * 60 * MIN, NOW));
    expect(late.notes).toEqual([{ kind: 'offset', offsetMs: -3 * 60 * MIN }]);
    expect(judgeClock(late.memory, input(NOW - 3 * 60 * MIN, NOW)).notes).toEqual([]);
    const fine = judgeClock(late.memory, input(NOW, NOW));
    expect(fine.memory.offsetWarned).toBe(false);
    expect(judgeClock(EMPTY_CLOCK_MEMORY, input(NOW + CLOCK_WARN_MS, NOW)).notes).toEqual([]);
    expect(judgeClock(EMPTY_CLOCK_MEMORY, input(NOW + 5 * MIN, NOW, [], false)).notes).toEqual([]);
  });

  it('readings stale on arrival by this clock but fresh by upstream, for a stretch → one warning naming the offset', () => {
    let memory: ClockMemory = EMPTY_CLOCK_MEMORY;
    const notes: string[] = [];
    for (let i = 0; i <= 6; i++) {
      const upstream = NOW + i * MIN * 2;
      const out = judgeClock(memory, input(upstream + 30 * MIN, upstream, [upstream - MIN]));
      memory = out.memory;
      notes.push(...out.notes.map((n) => n.kind));
    }
    expect(notes).toEqual(['offset', 'stale_on_arrival']);
    // A fresh reading ends the stretch.
    expect(judgeClock(memory, input(NOW, NOW, [NOW - MIN])).memory.staleAnswers).toBe(0);
    expect(STALE_STRETCH_MS).toBeGreaterThan(0);
  });

  it('old by both clocks (upload lag, phone offline) is not a clock problem', () => {
    const out = judgeClock(EMPTY_CLOCK_MEMORY, input(NOW, NOW, [NOW - 60 * MIN]));
    expect(out.memory.staleAnswers).toBe(0);
  });
});

describe('upstreamClockFrom', () => {
  it('reads the Date header; falls back to the local clock when absent, unparsable or absurd', () => {
    expect(upstreamClockFrom('Sun, 01 Jun 2025 12:00:00 GMT', 5)).toEqual({ now: NOW, fromHeader: true });
    expect(upstreamClockFrom(null, 5)).toEqual({ now: 5, fromHeader: false });
    expect(upstreamClockFrom('yesterday', 5)).toEqual({ now: 5, fromHeader: false });
    expect(upstreamClockFrom('Thu, 01 Jan 1970 00:00:00 GMT', 5)).toEqual({ now: 5, fromHeader: false });
    expect(upstreamClockFrom('x'.repeat(1000), 5)).toEqual({ now: 5, fromHeader: false });
  });
});

describe('spoken', () => {
  it.each([
    [40_000, '40 s'],
    [12 * MIN, '12 min'],
    [-3 * 60 * MIN, '3 h'],
    [125 * MIN, '2 h 5 min'],
  ])('%d → %s', (ms, text) => expect(spoken(ms)).toBe(text));
});

describe('outbox rewind', () => {
  it('forgets the abandoned timeline: unpublished readings and a watermark at or after the time', () => {
    const log = markPublished({ ...EMPTY_LOG, outbox: [reading(NOW, 1), reading(NOW + MIN, 2)] }, NOW);
    expect(log.lastPublishedTs).toBe(NOW);
    const back = rewind(log, NOW - 5 * MIN);
    expect(back).toEqual({ lastPublishedTs: null, outbox: [], gap: null });
    const partial = rewind(
      { lastPublishedTs: NOW - 10 * MIN, outbox: [reading(NOW - 6 * MIN, 1), reading(NOW, 2)], gap: null },
      NOW - 5 * MIN,
    );
    expect(partial.lastPublishedTs).toBe(NOW - 10 * MIN);
    expect(partial.outbox.map((r) => r.timestamp)).toEqual([NOW - 6 * MIN]);
  });
});

describe('nextIssues', () => {
  const issue = (patientId: string | null, field: string, path = `data[0].${field}`): DataIssue => ({
    patientId,
    field,
    path,
    problem: 'odd',
  });

  it('logs a persistent oddity once per patient and field, whatever its index, until it clears', () => {
    const first = nextIssues(new Set(), [issue('a', 'firstName'), issue('b', 'firstName')]);
    expect(first.fresh).toHaveLength(2);
    const second = nextIssues(first.memory, [
      issue('a', 'firstName', 'data[1].firstName'),
      issue('b', 'firstName'),
    ]);
    expect(second.fresh).toEqual([]);
    const third = nextIssues(second.memory, [issue('b', 'firstName')]);
    expect(third.cleared).toEqual([issueKey(issue('a', 'firstName'))]);
    expect(nextIssues(third.memory, [issue('a', 'firstName')]).fresh).toHaveLength(1);
  });
});
