// The fake LibreLinkUp server in a process of its own, so its CPU and memory are not counted against
// the bridge under test. Driven over IPC (see ipc.ts): start, truth, requests, stop.

import { startFakeLibreLinkUp } from '../src/simulator/server.js';
import type { FakeLibreLinkUpServer } from '../src/simulator/types.js';
import { serve } from './ipc.js';
import type { RequestEntry, Truth } from './metrics.js';
import { simOptions, type WorkloadDesc } from './workload.js';

let sim: FakeLibreLinkUpServer | null = null;

serve(async (m) => {
  switch (m.type) {
    case 'start': {
      sim = await startFakeLibreLinkUp(simOptions(m.workload as WorkloadDesc));
      return { type: 'ready', apiUrl: sim.apiUrl, regionUrl: sim.regionUrl };
    }
    case 'truth': {
      const from = m.from as number;
      const to = m.to as number;
      const truth: Truth = {};
      for (const pid of m.patients as string[]) {
        truth[pid] = sim!
          .readingsOf(pid)
          .filter((r) => r.availableAt >= from && r.availableAt <= to)
          .map((r) => [r.timestamp, r.availableAt]);
      }
      return { type: 'truth', truth };
    }
    case 'requests': {
      const from = m.from as number;
      const to = m.to as number;
      const out: RequestEntry[] = [];
      for (const r of sim!.requests) {
        if (r.at >= from && r.at <= to)
          out.push({ at: r.at, email: r.email, endpoint: r.endpoint, status: r.status, outcome: r.outcome });
      }
      return { type: 'requests', requests: out };
    }
    case 'cpu':
      return { type: 'cpu', cpu: process.cpuUsage(), rss: process.memoryUsage.rss() };
    case 'stop':
      await sim?.close();
      setImmediate(() => process.exit(0));
      return { type: 'stopped' };
    default:
      throw new Error(`unknown message ${m.type}`);
  }
});
