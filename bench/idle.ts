// Idle and start-up: the real CLI with one account, once with an external broker and once with the
// embedded one, over the same real window (never compressed).

import {
  cpuPercent,
  type Fake,
  finishCli,
  mb,
  type ProbeReport,
  sleep,
  startCli,
  waitFor,
} from './children.js';
import type { ReadingCollector } from './collector.js';
import type { Plan } from './plans.js';
import { type AccountDesc, slugOf, type WorkloadDesc } from './workload.js';

export interface IdleOutcome {
  windowS: number;
  external: { rssMB: number; rssPeakMB: number; heapUsedMB: number; cpuPercent: number };
  embedded: { rssMB: number; rssPeakMB: number; heapUsedMB: number; cpuPercent: number };
  firstPublish: {
    /** process spawn → first reading on MQTT */
    spawnToPublishS: number | null;
    /** process spawn → node started and the probe loaded (node start-up itself) */
    spawnToNodeReadyS: number;
    /** the fake answered the first connections request → reading on MQTT */
    upstreamAnswerToPublishS: number | null;
    /** process spawn → first connections answer (node start, imports, config, broker connect, login) */
    spawnToUpstreamAnswerS: number | null;
  };
}

export async function runIdle(
  plan: Plan,
  fake: Fake,
  brokerUrl: string,
  collector: ReadingCollector,
  idle: WorkloadDesc,
  logDir: string,
  afterFirstPublish: () => void,
): Promise<IdleOutcome> {
  const [extAccount, embAccount] = idle.accounts as [AccountDesc, AccountDesc];
  const extSlug = slugOf(idle.patients.find((p) => p.patientId === extAccount.patients[0])!);
  const ext = await startCli('idle-external', [extAccount], fake, { url: brokerUrl }, logDir);
  const published = await waitFor(
    () => collector.firstAt.has(extSlug) || ext.child.exitCode !== null,
    30_000,
  );
  if (ext.child.exitCode !== null)
    throw new Error(`the bridge exited early; see ${logDir}/idle-external.log`);
  const emb = await startCli('idle-embedded', [embAccount], fake, { embedded: true }, logDir);
  afterFirstPublish();
  const requests = await fake.requests(ext.spawnAt, Date.now());
  const answer = requests.find(
    (r) => r.email === extAccount.email && r.endpoint === 'connections' && r.outcome === 'ok',
  );
  const publishAt = collector.firstAt.get(extSlug);
  const firstPublish = {
    spawnToPublishS: published && publishAt !== undefined ? (publishAt - ext.spawnAt) / 1000 : null,
    spawnToNodeReadyS: (ext.probeReadyAt - ext.spawnAt) / 1000,
    upstreamAnswerToPublishS:
      answer !== undefined && publishAt !== undefined ? (publishAt - answer.at) / 1000 : null,
    spawnToUpstreamAnswerS: answer !== undefined ? (answer.at - ext.spawnAt) / 1000 : null,
  };
  // Both measured over the same real window after their start (no compressed time here).
  await sleep(Math.max(0, ext.spawnAt + plan.idleMs - Date.now()));
  const r1 = await ext.peer.call<ProbeReport>({ type: 'report' });
  await sleep(Math.max(0, emb.spawnAt + plan.idleMs - Date.now()));
  const r2 = await emb.peer.call<ProbeReport>({ type: 'report' });
  await Promise.all([finishCli(ext), finishCli(emb)]);
  const view = (r: ProbeReport) => ({
    rssMB: mb(r.rss),
    rssPeakMB: mb(r.rssMax),
    heapUsedMB: mb(r.heapUsed),
    cpuPercent: cpuPercent(r),
  });
  return { windowS: plan.idleMs / 1000, external: view(r1), embedded: view(r2), firstPublish };
}
