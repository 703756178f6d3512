// A command topic can receive a burst (a button held down, an automation in a loop). Each ignored
// message is worth knowing about, but one log line per message would bury everything else: the
// first of a burst is logged, the rest are counted and the count rides on the next logged line.

export interface BurstDecision {
  log: boolean;
  /** messages of this key swallowed since the last logged one */
  suppressed: number;
}

export class BurstLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  /** A burst ends after `quietMs` with nothing of its key. */
  constructor(private readonly quietMs: number) {}

  note(key: string, now: number): BurstDecision {
    const entry = this.last.get(key);
    if (entry !== undefined && now - entry.at < this.quietMs) {
      entry.at = now;
      entry.suppressed += 1;
      return { log: false, suppressed: entry.suppressed };
    }
    const suppressed = entry?.suppressed ?? 0;
    this.last.set(key, { at: now, suppressed: 0 });
    return { log: true, suppressed };
  }
}
