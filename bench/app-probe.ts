// Preloaded into the real CLI (`node --import app-probe.js cli.js --config ...`) when the bench forks
// it: measures the process from inside without touching the app. Answers over IPC with RSS, CPU time
// and event-loop delay (perf_hooks.monitorEventLoopDelay) since the last `mark`.

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';

if (process.send !== undefined) {
  // The histogram counts the sampling interval itself (an idle loop reads ~10 ms at resolution 10):
  // RESOLUTION_MS is subtracted so the figures are the delay beyond it.
  const RESOLUTION_MS = 10;
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  const beyond = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  delay.enable();
  let base = { cpu: process.cpuUsage(), at: performance.now() };
  let rssMax = process.memoryUsage.rss();
  setInterval(() => {
    rssMax = Math.max(rssMax, process.memoryUsage.rss());
  }, 250).unref();

  const report = () => {
    const cpu = process.cpuUsage(base.cpu);
    const wallMs = performance.now() - base.at;
    const mem = process.memoryUsage();
    rssMax = Math.max(rssMax, mem.rss);
    return {
      type: 'report',
      wallMs,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      rss: mem.rss,
      rssMax,
      heapUsed: mem.heapUsed,
      external: mem.external,
      eld: {
        p50Ms: beyond(delay.percentile(50)),
        p99Ms: beyond(delay.percentile(99)),
        maxMs: beyond(delay.max),
        meanMs: beyond(delay.mean),
      },
    };
  };

  // `npm run bench -- --profile`: a CPU profile of the measured window and a heap snapshot at its end.
  let session: Session | null = null;
  const profileStart = async () => {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  };
  const profileStop = async (file: string) => {
    if (session === null) return;
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    session = null;
  };

  process.on('message', (raw) => {
    const m = raw as { type: string; id?: number; file?: string };
    if (m.type === 'profile-start' || m.type === 'profile-stop' || m.type === 'heap-snapshot') {
      const work =
        m.type === 'profile-start'
          ? profileStart()
          : m.type === 'profile-stop'
            ? profileStop(m.file!)
            : Promise.resolve(void writeHeapSnapshot(m.file!));
      work.then(
        () => process.send?.({ type: 'done', id: m.id }),
        (error: unknown) => process.send?.({ type: 'error', id: m.id, message: String(error) }),
      );
      return;
    }
    if (m.type === 'mark') {
      delay.reset();
      base = { cpu: process.cpuUsage(), at: performance.now() };
      rssMax = process.memoryUsage.rss();
      process.send?.({ type: 'marked', id: m.id });
    } else if (m.type === 'report') {
      process.send?.({ ...report(), id: m.id });
    }
  });
  process.channel?.unref();
  process.send({ type: 'probe-ready', timeOrigin: performance.timeOrigin, at: Date.now() });
}
