// Renders a benchmark result as Markdown (printed, and written to bench/results/*.md for the README)
// and as a compact JSON summary (printed; the full result goes to bench/results/*.json).

import { type FrontierRow, renderFrontier } from './frontier-report.js';
import type { IdleOutcome } from './idle.js';
import type { ScaleOutcome } from './scale.js';
import type { SideBySideResult } from './side-by-side-run.js';

export interface Figure {
  id: string;
  name: string;
  value: number | null;
  unit: string;
  goal: string;
  /** null: no goal */
  met: boolean | null;
  detail?: string;
}

export interface BenchResult {
  version: 1;
  mode: string;
  command: string;
  startedAt: string;
  durationS: number;
  machine: {
    cpu: string;
    cores: number;
    node: string;
    totalMemoryGiB: number;
    platform: string;
    loadAverageAtStart: number[];
  };
  workload: Record<string, unknown> & {
    sideBySide: Record<string, unknown> & {
      compression: string;
      warmupMinutesExcluded: number;
      judgedReadingsEndBeforeEndMinutes: number;
    };
  };
  figures: Figure[];
  sideBySide: SideBySideResult & {
    ratios: Array<{
      name: string;
      medianRatio: number | null;
      p95Ratio: number | null;
      requestsRatio: number | null;
    }>;
  };
  scale: ScaleOutcome[];
  idle: IdleOutcome;
  /** every freshness setting on every lag workload against the frontier (simulated clock) */
  frontier?: FrontierRow[];
  logDir: string;
}

const n = (x: number | null | undefined, digits = 2): string =>
  x === null || x === undefined ? 'n/a' : String(Math.round(x * 10 ** digits) / 10 ** digits);
const pct = (x: number) => `${n(x * 100, 1)} %`;
const times = (x: number | null) => (x === null ? 'n/a' : `${n(x, 2)}x`);

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderMarkdown(r: BenchResult): string {
  const m = r.machine;
  const s = r.sideBySide;
  const out: string[] = [];
  out.push('## Benchmark results');
  out.push('');
  out.push(
    `\`${r.command}\` (${r.mode} mode) on ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, took ${r.durationS} s. ` +
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.totalMemoryGiB} GiB RAM, Node ${m.node}, ${m.platform}.`,
  );
  if (r.mode === 'quick')
    out.push('', '**Quick smoke run: windows are too short for the figures to be meaningful.**');
  out.push('');
  out.push('### Goals');
  out.push('');
  out.push(
    table(
      ['#', 'Figure', 'Value', 'Goal', 'Met'],
      r.figures.map((f) => [
        f.id,
        f.name,
        f.detail ?? (f.value === null ? 'n/a' : `${n(f.value)}${f.unit ? ` ${f.unit}` : ''}`),
        f.goal,
        f.met === null ? '-' : f.met ? 'yes' : '**no**',
      ]),
    ),
  );
  out.push('');
  out.push('### 3. Side by side: same workload, same run');
  out.push('');
  out.push(
    `Compressed time ${r.workload.sideBySide.compression} (the whole process clock, timers included; ` +
      `figures are in real seconds). ${s.accounts} accounts of each kind following the same ${s.patients} patients ` +
      `(1-3 per account), ${s.virtualMinutes} min. Judged: readings that became available from minute ${s.warmupMinutes} ` +
      `to ${s.graceMinutes} min before the end (graph points arrive 15-20 min late); requests counted from minute ` +
      `${s.warmupMinutes} to the end (the bridge's cadence learning excluded). Strategies are timed when their client ` +
      'sees a reading (no MQTT hop); readings never seen count as not delivered.',
  );
  out.push('');
  out.push(
    table(
      [
        'Strategy',
        'Delivered',
        'Freshness median / p95 (s)',
        'Requests per reading (worst account / all)',
        'Logins per hour',
        'Median vs ours',
        'p95 vs ours',
        'Requests vs ours',
      ],
      s.contenders.map((c, i) => {
        const ratio = s.ratios[i]!;
        return [
          c.name === 'ours' ? `**ours**: ${c.label}` : c.label,
          `${pct(c.freshness.fraction)} (${c.freshness.delivered}/${c.freshness.readings})`,
          `${n(c.freshness.medianS, 1)} / ${n(c.freshness.p95S, 1)}`,
          `${n(c.economy.maxRequestsPerReading)} / ${n(c.economy.pooledRequestsPerReading)}`,
          n(c.economy.maxLoginsPerHour, 1),
          times(ratio.medianRatio),
          times(ratio.p95Ratio),
          times(ratio.requestsRatio),
        ];
      }),
    ),
  );
  out.push('');
  out.push(
    `Ours over the whole run, learning included: ${n(s.oursWholeRun.maxRequestsPerReading)} requests per reading ` +
      `(worst account), ${n(s.oursWholeRun.pooledRequestsPerReading)} over all; logins: one per account at start ` +
      `(${s.oursWholeRun.accounts.reduce((a, x) => a + x.logins, 0)} login requests incl. the region redirect).`,
  );
  out.push(
    `Figure 1 covers minute ${s.warmupMinutes} to 1 min before the end: ${s.oursFreshness.readings} readings on ` +
      `\`<patient>/reading\`. The same readings first seen on the retained \`<patient>/state\`: median ` +
      `${n(s.oursStateTopic.medianS, 1)} s, p95 ${n(s.oursStateTopic.p95S, 1)} s, ${pct(s.oursStateTopic.fraction)}.`,
  );
  if (s.oursLearnedLagS !== null) {
    out.push(
      `Where the first poll after a reading aims at the end (cadence.ts lagOf, the tracked aim), over patients: ` +
        `min ${s.oursLearnedLagS.min} s, median ${s.oursLearnedLagS.median} s, max ${s.oursLearnedLagS.max} s ` +
        '(true lag: uniform 1-20 s; balanced aims where 90 % of first polls find the reading, about 18 s).',
    );
  }
  if (s.oursByWindow.length > 0) {
    out.push('');
    out.push(
      table(
        ['Ours, minutes', 'Freshness median / p95 (s)', 'Requests per reading (all)'],
        s.oursByWindow.map((w) => [
          `${w.fromMinute}-${w.toMinute}`,
          `${n(w.freshness.medianS, 1)} / ${n(w.freshness.p95S, 1)}`,
          n(w.requestsPerReading),
        ]),
      ),
    );
  }
  out.push('');
  if (r.frontier !== undefined) {
    out.push('### 3b. Freshness settings against the frontier');
    out.push('');
    out.push(
      renderFrontier(r.frontier, r.mode === 'quick' ? { readings: 1_000, warmup: 200, seed: 7 } : undefined),
    );
    out.push('');
  }
  out.push('### 4. Scale');
  out.push('');
  out.push(
    'Real time. The real CLI with N accounts x 3 patients (defaults, log_level info to a file) in its own process; ' +
      'the fake LibreLinkUp server and the MQTT broker (aedes) run in other processes and are not counted. CPU, ' +
      'event-loop delay (perf_hooks, beyond its 10 ms sampling interval) and peak RSS from the given second to ' +
      'the end, i.e. after the start-up logins. Delivered: readings that became available after the ' +
      `patient's first publish (start-up is the separate column) until ${r.scale[0]?.graceS ?? 30} s before ` +
      'the end, seen on MQTT. ' +
      'The last column is the CPU of the processes that are not counted (fake upstream; broker + subscriber).',
  );
  out.push('');
  out.push(
    table(
      [
        'Load',
        'Delivered',
        'Freshness median / p95 (s), reading / state topic',
        'CPU of one core',
        'RSS end / peak (MB)',
        'Event-loop delay p99 / max (ms)',
        'Upstream requests per min',
        'All patients published after',
        'Measured',
        'Fake / broker CPU',
      ],
      r.scale.map((x) => [
        `${x.accounts} x 3`,
        `${pct(x.fraction)} (${x.delivered}/${x.readings})`,
        `${n(x.freshnessMedianS, 1)} / ${n(x.freshnessP95S, 1)}; ${n(x.stateTopic.medianS, 1)} / ${n(x.stateTopic.p95S, 1)}`,
        `${n(x.cpuPercent, 1)} %`,
        `${n(x.rssMB, 0)} / ${n(x.rssPeakMB, 0)}`,
        `${n(x.eldP99Ms, 1)} / ${n(x.eldMaxMs, 0)}`,
        n(x.requestsPerMinute, 0),
        x.allFirstPublishedS === null ? 'not all' : `${n(x.allFirstPublishedS, 1)} s`,
        `s ${x.measuredFromS}-${x.durationS}`,
        `${n(x.fakeCpuPercent, 1)} % / ${n(x.brokerCpuPercent, 1)} %`,
      ]),
    ),
  );
  out.push('');
  out.push('### 5. Idle and start-up');
  out.push('');
  const i = r.idle;
  const fp = i.firstPublish;
  out.push(
    table(
      ['Measure', 'Value'],
      [
        [
          `RSS after ${i.windowS} s real time, one account, embedded broker`,
          `${n(i.embedded.rssMB, 1)} MB (peak ${n(i.embedded.rssPeakMB, 1)}, heap ${n(i.embedded.heapUsedMB, 1)}, CPU ${n(i.embedded.cpuPercent, 2)} %)`,
        ],
        [
          `RSS after ${i.windowS} s real time, one account, external broker`,
          `${n(i.external.rssMB, 1)} MB (peak ${n(i.external.rssPeakMB, 1)}, heap ${n(i.external.heapUsedMB, 1)}, CPU ${n(i.external.cpuPercent, 2)} %)`,
        ],
        ['Process spawn → first reading on MQTT', `${n(fp.spawnToPublishS)} s`],
        ['of which: spawn → Node running (runtime start-up)', `${n(fp.spawnToNodeReadyS)} s`],
        [
          'of which: spawn → first connections answer (imports, config, MQTT, login)',
          `${n(fp.spawnToUpstreamAnswerS)} s`,
        ],
        ['of which: connections answer → reading on MQTT', `${n(fp.upstreamAnswerToPublishS, 3)} s`],
      ],
    ),
  );
  out.push('');
  return out.join('\n');
}

/** The printed JSON blob: every figure and summary, without per-account rows. */
export function renderJsonSummary(r: BenchResult): string {
  const s = r.sideBySide;
  return JSON.stringify({
    mode: r.mode,
    startedAt: r.startedAt,
    durationS: r.durationS,
    machine: r.machine,
    figures: r.figures.map((f) => ({
      id: f.id,
      name: f.name,
      value: f.value,
      unit: f.unit,
      goal: f.goal,
      met: f.met,
    })),
    sideBySide: {
      compression: r.workload.sideBySide.compression,
      contenders: s.contenders.map((c, i) => ({
        name: c.name,
        delivered: c.freshness.fraction,
        medianS: c.freshness.medianS,
        p95S: c.freshness.p95S,
        requestsPerReadingWorst: c.economy.maxRequestsPerReading,
        requestsPerReadingAll: c.economy.pooledRequestsPerReading,
        loginsPerHour: c.economy.maxLoginsPerHour,
        ...s.ratios[i],
      })),
    },
    scale: r.scale,
    idle: r.idle,
    frontier: r.frontier?.map((f) => ({
      workload: f.workload,
      freshness: f.freshness,
      requestsPerReading: f.requestsPerReading,
      medianS: f.medianS,
      bestMedianS: f.bestMedianS,
      ratio: f.ratio,
    })),
  });
}
