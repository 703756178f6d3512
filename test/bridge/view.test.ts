import { describe, expect, it } from 'vitest';
import type { PatientSnapshot } from '../../src/bridge/events.js';
import { withLatestInHistory } from '../../src/bridge/view.js';
import { reading, T0 } from './fixtures.js';

const MIN = 60_000;
const snapshot = (latest: PatientSnapshot['latest']) => ({ latest }) as PatientSnapshot;

describe('withLatestInHistory', () => {
  it('adds the latest reading to the history the page charts, sorted, one per minute', () => {
    const history = [reading(T0 + 5 * MIN, 120, { type: 0 }), reading(T0, 110, { type: 0 })];
    const latest = reading(T0 + 5 * MIN + 20_000, 125);
    const view = withLatestInHistory({ snapshot: snapshot(latest), history, readingNow: T0 + 6 * MIN });
    expect(view.history.map((r) => [r.timestamp, r.mgdl])).toEqual([
      [T0, 110],
      [T0 + 5 * MIN + 20_000, 125],
    ]);
    expect(view.readingNow).toBe(T0 + 6 * MIN);
    expect(history).toHaveLength(2);
  });

  it('keeps the history as it is without a latest reading, unusable values dropped', () => {
    const history = [reading(T0, 110, { type: 0 }), reading(T0 + 5 * MIN, Number.NaN, { type: 0 })];
    expect(withLatestInHistory({ snapshot: snapshot(null), history }).history).toEqual([history[0]]);
  });
});
