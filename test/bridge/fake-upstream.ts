import type { UpstreamClient } from '../../src/bridge/account-poller.js';
import type { LluError } from '../../src/librelinkup/errors.js';
import type { Connection, Graph, Reading } from '../../src/librelinkup/model.js';
import { connection, reading } from './fixtures.js';

/** One patient producing a reading every `periodMs`, visible `lagMs` later, on the given clock. */
export class FakeUpstream implements UpstreamClient {
  stats = { requests: 0, logins: 0 };
  failWith: LluError | null = null;
  calls: string[] = [];
  present = true;
  paused: number | null = null;

  constructor(
    private readonly start: number,
    private readonly periodMs = 60_000,
    private readonly lagMs = 5_000,
    private readonly now: () => number = Date.now,
    readonly base: Partial<Connection> = {},
  ) {}

  readingsUntil(now: number): Reading[] {
    const out: Reading[] = [];
    const until = this.paused ?? now;
    for (let ts = this.start; ts + this.lagMs <= until; ts += this.periodMs) {
      const k = (ts - this.start) / this.periodMs;
      out.push(reading(ts, 100 + (k % 50)));
    }
    return out;
  }
  async connections(): Promise<Connection[]> {
    this.stats.requests++;
    this.calls.push('connections');
    if (this.failWith) throw this.failWith;
    if (!this.present) return [];
    return [connection({ ...this.base, latest: this.readingsUntil(this.now()).at(-1) ?? null })];
  }
  async graph(): Promise<Graph> {
    this.stats.requests++;
    this.calls.push('graph');
    const step = Math.max(1, Math.round(300_000 / this.periodMs));
    const points = this.readingsUntil(this.now() - 15 * 60_000).filter(
      (r) => ((r.timestamp - this.start) / this.periodMs) % step === 0,
    );
    return {
      connection: connection(this.base),
      activeSensors: [],
      readings: points.map((r) => ({ ...r, trend: null, type: 0 })),
    };
  }
}
