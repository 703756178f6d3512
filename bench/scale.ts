// Scale: the real CLI with N accounts x 3 patients in real time; freshness, delivery, CPU, RSS and
// event-loop delay measured after the start-up burst.

import { join } from 'node:path';
import { cpuPercent, type Fake, finishCli, mb, type ProbeReport, sleep, startCli } from './children.js';
import type { ReadingCollector } from './collector.js';
import { economy, freshness } from './metrics.js';
import type { ScalePlan } from './plans.js';
import { MINUTE, slugOf, type WorkloadDesc } from './workload.js';

export interface ScaleOutcome {
  label: string;
  accounts: number;
  patients: number;
  durationS: number;
  measuredFromS: number;
  /** readings that became available in the last graceS seconds are not judged */
  graceS: number;
  goal: boolean;
  readings: number;
  delivered: number;
  fraction: number;
  freshnessMedianS: number | null;
  freshnessP95S: number | null;
  /** the same readings as first seen on the retained state topic */
  stateTopic: { fraction: number; medianS: number | null; p95S: number | null };
  cpuPercent: number;
  rssMB: number;
  rssPeakMB: number;
  heapUsedMB: number;
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  /** spawn → every patient's first reading on MQTT (null: some never published) */
  allFirstPublishedS: number | null;
  requestsPerMinute: number;
  requestsPerReading: number | null;
  loginsInWindow: number;
  upstreamErrors: number;
  /** the fake LibreLinkUp server's process over the same window (not counted above) */
  fakeCpuPercent: number;
  /** this process (MQTT broker + subscriber) over the same window (not counted above) */
  brokerCpuPercent: number;
}

export async function runScale(
  s: ScalePlan,
  world: WorkloadDesc,
  fake: Fake,
  brokerUrl: string,
  collector: ReadingCollector,
  logDir: string,
  profile = false,
): Promise<ScaleOutcome> {
  const cli = await startCli(`scale-${s.prefix}`, world.accounts, fake, { url: brokerUrl }, logDir);
  await sleep(Math.max(0, cli.spawnAt + s.markAtMs - Date.now()));
  const markAt = Date.now();
  const fakeCpu0 = await fake.cpu();
  const ownCpu0 = process.cpuUsage();
  await cli.peer.call({ type: 'mark' });
  if (profile) await cli.peer.call({ type: 'profile-start' });
  await sleep(Math.max(0, cli.spawnAt + s.durationMs - Date.now()));
  const report = await cli.peer.call<ProbeReport>({ type: 'report' });
  const end = Date.now();
  const percentOf = (cpuMs: number) => Math.round((cpuMs / (end - markAt)) * 1000) / 10;
  const fakeCpuPercent = percentOf((await fake.cpu()) - fakeCpu0);
  const own = process.cpuUsage(ownCpu0);
  const brokerCpuPercent = percentOf((own.user + own.system) / 1000);
  if (profile) {
    await cli.peer.call({ type: 'profile-stop', file: join(logDir, `scale-${s.prefix}.cpuprofile`) });
    await cli.peer.call({ type: 'heap-snapshot', file: join(logDir, `scale-${s.prefix}.heapsnapshot`) });
  }
  await finishCli(cli);
  const patients = world.patients.map((p) => p.patientId);
  const truth = await fake.truth(patients, cli.spawnAt, end);
  // A reading that was superseded upstream before its account's first poll cannot be expected; the
  // start-up time is reported separately. So each patient is judged from its first publish on.
  const firstOf = new Map(world.patients.map((p) => [p.patientId, collector.firstAt.get(slugOf(p))]));
  const fresh = freshness(truth, collector.seen, cli.spawnAt + s.judgeFromMs, end - s.graceMs, (pid) =>
    firstOf.get(pid),
  );
  const onState = freshness(
    truth,
    collector.seenOnState,
    cli.spawnAt + s.judgeFromMs,
    end - s.graceMs,
    (pid) => firstOf.get(pid),
  );
  const firsts = [...firstOf.values()];
  const allFirst = firsts.every((x) => x !== undefined)
    ? (Math.max(...(firsts as number[])) - cli.spawnAt) / 1000
    : null;
  const requests = await fake.requests(markAt, end);
  const eco = economy(world.accounts, requests, truth, markAt, end);
  const total = eco.accounts.reduce((n, a) => n + a.requests, 0);
  return {
    label: s.label,
    accounts: world.accounts.length,
    patients: world.patients.length,
    durationS: s.durationMs / 1000,
    measuredFromS: s.markAtMs / 1000,
    graceS: s.graceMs / 1000,
    goal: s.goal,
    readings: fresh.readings,
    delivered: fresh.delivered,
    fraction: fresh.fraction,
    freshnessMedianS: fresh.medianS,
    freshnessP95S: fresh.p95S,
    stateTopic: { fraction: onState.fraction, medianS: onState.medianS, p95S: onState.p95S },
    cpuPercent: cpuPercent(report),
    rssMB: mb(report.rss),
    rssPeakMB: mb(report.rssMax),
    heapUsedMB: mb(report.heapUsed),
    eldP50Ms: Math.round(report.eld.p50Ms * 10) / 10,
    eldP99Ms: Math.round(report.eld.p99Ms * 10) / 10,
    eldMaxMs: Math.round(report.eld.maxMs * 10) / 10,
    allFirstPublishedS: allFirst,
    requestsPerMinute: Math.round((total / ((end - markAt) / MINUTE)) * 10) / 10,
    requestsPerReading: eco.pooledRequestsPerReading,
    loginsInWindow: eco.accounts.reduce((n, a) => n + a.logins, 0),
    upstreamErrors: eco.errors,
    fakeCpuPercent,
    brokerCpuPercent,
  };
}
