// The snapshot memo: the 24 h figures are computed once per set of inputs, never served stale.
import { describe, expect, it } from 'vitest';
import { addToHistory } from '../../src/bridge/history.js';
import { namingSnapshot, snapshotOf } from '../../src/bridge/snapshot.js';
import { Driver } from './core-world.js';
import { connection, reading, T0 } from './fixtures.js';

const NOW = T0 + 6_000;

function held() {
  const d = new Driver();
  d.startAndAnswer(NOW, [connection({ latest: reading(T0, 120) })]);
  return { world: d.world, t: d.record() };
}

describe('snapshot memo', () => {
  it('the same inputs at the same time give the same snapshot, computed once', () => {
    const { world, t } = held();
    expect(snapshotOf(world, t, NOW)).toBe(snapshotOf(world, t, NOW));
  });

  it('a later time, a new reading or a new history gives a new snapshot', () => {
    const { world, t } = held();
    const first = snapshotOf(world, t, NOW);
    expect(snapshotOf(world, t, NOW + 16 * 60_000).stale).toBe(true);
    t.history = addToHistory(t.history, [reading(T0 - 60_000, 200)], NOW);
    expect(snapshotOf(world, t, NOW)).not.toBe(first);
    t.latest = reading(T0 + 60_000, 90);
    expect(snapshotOf(world, t, NOW + 60_000).latest?.mgdl).toBe(90);
  });

  it('a reading is handed over with the last snapshot while its inputs are unchanged, whatever the time', () => {
    const { world, t } = held();
    const last = snapshotOf(world, t, NOW);
    expect(namingSnapshot(world, t, NOW + 5_000)).toBe(last);
    t.latest = reading(T0 + 60_000, 90);
    expect(namingSnapshot(world, t, NOW + 60_000)).not.toBe(last);
  });
});
