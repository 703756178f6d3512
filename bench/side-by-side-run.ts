// The body of side-by-side.ts, imported only after the clock is warped.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startApp } from '../src/app.js';
import { configFrom } from '../src/config/from-partial.js';
import { createLogger, silentLogger } from '../src/log.js';
import { startEmbeddedBroker } from '../src/mqtt/broker.js';
import { startFakeLibreLinkUp } from '../src/simulator/server.js';
import { ReadingCollector } from './collector.js';
import { type Economy, economy, type Freshness, freshness, type Truth } from './metrics.js';
import type { SideBySideOptions } from './side-by-side.js';
import { STRATEGIES, type StrategyName, StrategyRunner } from './strategies.js';
import {
  type AccountDesc,
  group,
  MINUTE,
  PASSWORD,
  prng,
  quantile,
  simOptions,
  slugOf,
  type WorkloadDesc,
} from './workload.js';

export interface ContenderResult {
  name: 'ours' | StrategyName;
  label: string;
  freshness: Freshness;
  economy: Economy;
  failures: number;
}

export interface SideBySideResult {
  factor: number;
  virtualMinutes: number;
  warmupMinutes: number;
  graceMinutes: number;
  accounts: number;
  patients: number;
  /** figure 1: ours over the longer window */
  oursFreshness: Freshness;
  /** the same readings as first seen on the retained state topic */
  oursStateTopic: Freshness;
  /** figure 2: ours over [warmup, end] */
  oursEconomy: Economy;
  /** whole run including the learning minutes */
  oursWholeRun: Economy;
  /** ours: requests per virtual minute over the run, to show the learning phase */
  oursRequestsPerMinute: number[];
  /** ours by 10-minute window after the warm-up: how freshness drifts as the cadence estimate settles */
  oursByWindow: Array<{
    fromMinute: number;
    toMinute: number;
    freshness: Freshness;
    requestsPerReading: number | null;
  }>;
  /**
   * Where the first poll after a reading aims at the end (cadence.ts lagOf: the tracked aim), per
   * patient, from its state files; the true lag is uniform 1-20 s.
   */
  oursLearnedLagS: { min: number; median: number; max: number } | null;
  /** what the bridge itself counted (LluClient stats), whole run */
  oursClientStats: { requests: number; logins: number };
  contenders: ContenderResult[];
  unknownMessages: number;
}

/** lagOf() of every patient in the bridge's state files (data_dir/<account>.json → patients → cadence). */
function learnedLags(dataDir: string): SideBySideResult['oursLearnedLagS'] {
  const lags: number[] = [];
  for (const file of readdirSync(dataDir).filter((f) => f.endsWith('.json'))) {
    try {
      const state = JSON.parse(readFileSync(join(dataDir, file), 'utf8')) as {
        patients?: Record<string, { cadence?: { lags?: number[] } }>;
      };
      for (const p of Object.values(state.patients ?? {})) {
        const lag = quantile(p.cadence?.lags ?? [], 0.25);
        if (lag !== null) lags.push(lag / 1000);
      }
    } catch {
      // not a state file
    }
  }
  if (lags.length === 0) return null;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { min: r(Math.min(...lags)), median: r(quantile(lags, 0.5)!), max: r(Math.max(...lags)) };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runSideBySide(o: SideBySideOptions): Promise<SideBySideResult> {
  const t0 = Date.now();
  const base = group('sb', o.accountSizes.length, o.accountSizes, t0, 13 * 60 * MINUTE);
  const clone = (prefix: string): AccountDesc[] =>
    base.accounts.map((a, i) => ({ email: `${prefix}-${i}@bench.invalid`, patients: a.patients }));
  const names: StrategyName[] = ['fixed60', 'cron5', 'go1'];
  const strategyAccounts = Object.fromEntries(names.map((n) => [n, clone(n)])) as Record<
    StrategyName,
    AccountDesc[]
  >;
  const world: WorkloadDesc = {
    patients: base.patients,
    accounts: [...base.accounts, ...names.flatMap((n) => strategyAccounts[n])],
  };
  const sim = await startFakeLibreLinkUp(simOptions(world));
  const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
  const collector = await ReadingCollector.connect(broker.url);
  for (const p of base.patients) collector.map(slugOf(p), p.patientId);

  const dataDir = mkdtempSync(join(tmpdir(), 'llu-bench-sbs-'));
  // The default poll settings: the clock is compressed instead of the configuration.
  const config = configFrom({
    accounts: base.accounts.map((a) => ({
      email: a.email,
      password: PASSWORD,
      api_url: sim.apiUrl,
      region_url: sim.regionUrl,
    })),
    mqtt: { url: broker.url, client_id: 'librelinkup2mqtt-bench' },
    data_dir: dataDir,
    log_level: 'info',
  });
  const logger = createLogger({
    level: 'info',
    destination: pino.destination({ dest: o.logFile, sync: true }),
  });
  const start = Date.now();
  const app = await startApp(config, { logger, version: 'bench' });
  const random = prng(o.seed);
  const runners = names.map(
    (n) =>
      new StrategyRunner(n, strategyAccounts[n], { apiUrl: sim.apiUrl, regionUrl: sim.regionUrl }, random),
  );
  for (const r of runners) r.start();

  const virtualMs = o.realDurationMs * o.factor;
  await sleep(virtualMs);
  const end = Date.now();
  for (const r of runners) r.stop();
  const oursClientStats = app.bridge
    .accounts()
    .reduce((s, a) => ({ requests: s.requests + a.requests, logins: s.logins + a.logins }), {
      requests: 0,
      logins: 0,
    });
  await app.stop();
  await sleep(200);
  await collector.close();
  await broker.close();

  const truth: Truth = {};
  for (const p of base.patients) {
    truth[p.patientId] = sim
      .readingsOf(p.patientId, end)
      .filter((r) => r.availableAt >= start && r.availableAt <= end)
      .map((r) => [r.timestamp, r.availableAt]);
  }
  const requests = sim.requests.map((r) => ({
    at: r.at,
    email: r.email,
    endpoint: r.endpoint,
    status: r.status,
    outcome: r.outcome,
  }));
  await sim.close();
  const learnedLagS = learnedLags(dataDir);
  rmSync(dataDir, { recursive: true, force: true });

  const from = start + o.warmupMs;
  const judgedTo = end - o.graceMs;
  const perMinute: number[] = [];
  for (const r of requests) {
    if (r.email === null || !r.email.startsWith('sb-')) continue;
    const m = Math.floor((r.at - start) / MINUTE);
    if (m >= 0) perMinute[m] = (perMinute[m] ?? 0) + 1;
  }
  const contenders: ContenderResult[] = [
    {
      name: 'ours',
      label: 'librelinkup2mqtt (this bridge, defaults)',
      freshness: freshness(truth, collector.seen, from, judgedTo),
      economy: economy(base.accounts, requests, truth, from, end),
      failures: 0,
    },
    ...runners.map((r) => ({
      name: r.name,
      label: STRATEGIES[r.name].label,
      freshness: freshness(truth, r.seen, from, judgedTo),
      economy: economy(strategyAccounts[r.name], requests, truth, from, end),
      failures: r.failures,
    })),
  ];
  const oursByWindow: SideBySideResult['oursByWindow'] = [];
  for (let w = from; w + 5 * MINUTE <= end - o.oursGraceMs; w += 10 * MINUTE) {
    const to = Math.min(w + 10 * MINUTE, end - o.oursGraceMs);
    oursByWindow.push({
      fromMinute: Math.round((w - start) / MINUTE),
      toMinute: Math.round((to - start) / MINUTE),
      freshness: freshness(truth, collector.seen, w, to),
      requestsPerReading: economy(base.accounts, requests, truth, w, to).pooledRequestsPerReading,
    });
  }
  return {
    factor: o.factor,
    virtualMinutes: Math.round(((end - start) / MINUTE) * 10) / 10,
    warmupMinutes: o.warmupMs / MINUTE,
    graceMinutes: o.graceMs / MINUTE,
    accounts: base.accounts.length,
    patients: base.patients.length,
    oursFreshness: freshness(truth, collector.seen, from, end - o.oursGraceMs),
    oursStateTopic: freshness(truth, collector.seenOnState, from, end - o.oursGraceMs),
    oursEconomy: economy(base.accounts, requests, truth, from, end),
    oursWholeRun: economy(base.accounts, requests, truth, start, end),
    oursRequestsPerMinute: Array.from(perMinute, (x) => x ?? 0),
    oursByWindow,
    oursLearnedLagS: learnedLagS,
    oursClientStats,
    contenders,
    unknownMessages: collector.unknown,
  };
}
