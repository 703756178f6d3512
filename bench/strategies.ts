// How users would otherwise poll, driven by the project's own LluClient against the same fake:
//  - fixed60: GET /llu/connections every 60 s (the Home Assistant integrations);
//  - cron5:   connections + graph of every patient every 5 minutes, on the clock (the Nightscout uploader);
//  - go1:     a fresh login + connections + graph of every patient every minute (the Go uploader).
// Each remembers when it first saw each reading (live or graph point); it publishes nowhere, so its
// freshness has no MQTT hop in it (in its favour).

import { LluClient } from '../src/librelinkup/client.js';
import type { Reading } from '../src/librelinkup/model.js';
import { silentLogger } from '../src/log.js';
import { type Seen, see } from './metrics.js';
import { MINUTE, PASSWORD } from './workload.js';

export type StrategyName = 'fixed60' | 'cron5' | 'go1';

export const STRATEGIES: Record<StrategyName, { label: string; periodMs: number; aligned: boolean }> = {
  fixed60: { label: 'fixed 60 s poll of connections (HA integrations)', periodMs: MINUTE, aligned: false },
  cron5: {
    label: '5-min cron: connections + graph (Nightscout uploader)',
    periodMs: 5 * MINUTE,
    aligned: true,
  },
  go1: { label: 'login + connections + graph every minute (Go uploader)', periodMs: MINUTE, aligned: false },
};

export interface StrategyAccount {
  email: string;
  patients: string[];
}

export class StrategyRunner {
  readonly seen: Seen = new Map();
  failures = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly clients: LluClient[] = [];
  private stopped = false;

  constructor(
    readonly name: StrategyName,
    private readonly accounts: StrategyAccount[],
    private readonly api: { apiUrl: string; regionUrl: string },
    private readonly random: () => number,
  ) {}

  start(): void {
    const spec = STRATEGIES[this.name];
    for (const account of this.accounts) {
      // The region is given, so a login is one request (no redirect): in the strategies' favour.
      const client = new LluClient({
        email: account.email,
        password: PASSWORD,
        region: 'eu',
        apiUrl: this.api.apiUrl,
        regionUrl: this.api.regionUrl,
        version: '4.16.0',
        acceptTerms: false,
        logger: silentLogger(),
      });
      this.clients.push(client);
      // Log in when the tool starts, so the steady-state window only holds the strategy's own logins.
      client.login().catch(() => {
        this.failures++;
      });
      const now = Date.now();
      const first = spec.aligned
        ? Math.ceil(now / spec.periodMs) * spec.periodMs - now
        : Math.floor(this.random() * spec.periodMs);
      const tick = () => void this.cycle(client, account);
      this.timers.push(
        setTimeout(() => {
          if (this.stopped) return;
          tick();
          this.timers.push(setInterval(tick, spec.periodMs));
        }, first),
      );
    }
  }

  private record(patientId: string, readings: ReadonlyArray<Reading | null>): void {
    const at = Date.now();
    for (const r of readings) if (r !== null) see(this.seen, patientId, r.timestamp, at);
  }

  private async cycle(client: LluClient, account: StrategyAccount): Promise<void> {
    if (this.stopped) return;
    try {
      if (this.name === 'go1') await client.login();
      const connections = await client.connections();
      for (const c of connections) this.record(c.patientId, [c.latest]);
      if (this.name === 'fixed60') return;
      for (const c of connections) {
        if (!account.patients.includes(c.patientId)) continue;
        const graph = await client.graph(c.patientId);
        this.record(c.patientId, graph.readings);
      }
    } catch {
      this.failures++;
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const c of this.clients) c.close();
  }
}
