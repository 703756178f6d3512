// The freshness-frontier section of the benchmark: every freshness setting on every lag workload,
// driven through the real scheduler with a simulated clock (freshness-sim.ts), set against the best
// median any poll plan reaches at the same requests per reading (frontier.ts). Seconds of CPU, so it
// runs in every mode, and alone with `npm run bench -- --frontier`.

import { DEFAULT_SIM, SETTINGS, type SimOptions, simulate, WORKLOADS } from './freshness-sim.js';

export interface FrontierRow {
  workload: string;
  freshness: string;
  spacingS: number;
  readings: number;
  /** readings never seen live (a newer one came first; the graph brings them) */
  superseded: number;
  requestsPerReading: number;
  medianS: number;
  p95S: number;
  bestMedianS: number | null;
  bestP95S: number | null;
  /** the best plan's poll offsets after the reading's timestamp, s */
  bestOffsetsS: number[];
  ratio: number | null;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const s2 = (ms: number) => r2(ms / 1000);

export function frontierRows(opts: SimOptions = DEFAULT_SIM): FrontierRow[] {
  return WORKLOADS.flatMap((w) =>
    SETTINGS.map((f) => {
      const o = simulate(w, f, opts);
      return {
        workload: w.name,
        freshness: f,
        spacingS: s2(o.spacingMs),
        readings: o.readings,
        superseded: o.superseded,
        requestsPerReading: Math.round(o.requestsPerReading * 1000) / 1000,
        medianS: s2(o.medianMs),
        p95S: s2(o.p95Ms),
        bestMedianS: o.best === null ? null : s2(o.best.median),
        bestP95S: o.best === null ? null : s2(o.best.p95),
        bestOffsetsS: o.best?.offsets.map(s2) ?? [],
        ratio: o.ratio === null ? null : r2(o.ratio),
      };
    }),
  );
}

export function renderFrontier(rows: readonly FrontierRow[], opts: SimOptions = DEFAULT_SIM): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  const n = (x: number | null) => (x === null ? 'n/a' : String(x));
  return [
    `The real scheduler (schedule.ts, cadence.ts) with a simulated clock: one account, one patient, ` +
      `${opts.readings} readings (seed ${opts.seed}), the first ${opts.warmup} left out (learning). ` +
      'Best possible: the lowest median any plan of 1-3 poll offsets reaches at our measured requests per ' +
      'reading on the same lags (bench/frontier.ts); ratio = our median / that. Superseded: readings never ' +
      'seen live because a newer one was visible first (they come with the graph).',
    '',
    line([
      'Workload',
      'Setting',
      'Spacing (s)',
      'Requests per reading',
      'Median / p95 (s)',
      'Best median / p95 at that budget (s)',
      'Ratio',
      'Superseded',
    ]),
    line(Array.from({ length: 8 }, () => '---')),
    ...rows.map((r) =>
      line([
        r.workload,
        r.freshness,
        r.spacingS,
        r.requestsPerReading.toFixed(2),
        `${r.medianS} / ${r.p95S}`,
        `${n(r.bestMedianS)} / ${n(r.bestP95S)}`,
        r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}x`,
        `${r.superseded} of ${r.readings}`,
      ]),
    ),
  ].join('\n');
}
