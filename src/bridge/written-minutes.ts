// What a history file already holds, per UTC minute as history.ts keeps it, so appending the same
// readings again (each graph read returns hours of points) writes nothing. Small numbers only: one
// entry per minute written, encoding the reading's rank and its offset within the minute.

import type { Reading } from '../librelinkup/model.js';
import { rank } from './history.js';

const MINUTE_MS = 60_000;

/** Higher wins the minute: the higher rank, then the later timestamp within the minute. */
function strength(r: Reading): number {
  return rank(r) * MINUTE_MS + (r.timestamp - Math.floor(r.timestamp / MINUTE_MS) * MINUTE_MS);
}

export class WrittenMinutes {
  private readonly held = new Map<number, number>();

  constructor(readings: readonly Reading[]) {
    this.add(readings);
  }

  /** The readings that would change what the file gives back: new minutes, or stronger readings. */
  unwritten(readings: readonly Reading[]): Reading[] {
    const out: Reading[] = [];
    const seen = new Map<number, number>();
    for (const r of readings) {
      const minute = Math.floor(r.timestamp / MINUTE_MS);
      const held = Math.max(this.held.get(minute) ?? -1, seen.get(minute) ?? -1);
      if (strength(r) <= held) continue;
      seen.set(minute, strength(r));
      out.push(r);
    }
    return out;
  }

  add(readings: readonly Reading[]): void {
    for (const r of readings) {
      const minute = Math.floor(r.timestamp / MINUTE_MS);
      this.held.set(minute, Math.max(this.held.get(minute) ?? -1, strength(r)));
    }
  }
}
