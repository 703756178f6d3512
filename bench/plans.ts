// What each bench mode runs: the side-by-side window, the idle window and the scale windows.

import type { SideBySideOptions } from './side-by-side.js';
import { MINUTE } from './workload.js';

export type Mode = 'quick' | 'default' | 'full';

export interface ScalePlan {
  label: string;
  prefix: string;
  accounts: number;
  /** real ms the bridge runs */
  durationMs: number;
  /** CPU, event-loop delay and peak RSS are measured from here (after the start-up burst) */
  markAtMs: number;
  /** readings that became available from here ... */
  judgeFromMs: number;
  /** ... until this long before the end are judged delivered or not */
  graceMs: number;
  goal: boolean;
}

export interface Plan {
  sbs: Omit<SideBySideOptions, 'logFile' | 'seed'>;
  idleMs: number;
  scale: ScalePlan[];
}

export const PLANS: Record<Mode, Plan> = {
  quick: {
    sbs: {
      factor: 30,
      realDurationMs: 16_000,
      warmupMs: 4 * MINUTE,
      graceMs: MINUTE,
      oursGraceMs: MINUTE,
      accountSizes: [1, 1, 1, 1, 2, 3, 1, 3],
    },
    idleMs: 15_000,
    scale: [
      {
        label: '50 x 3 (smoke)',
        prefix: 'squick',
        accounts: 50,
        durationMs: 18_000,
        markAtMs: 5_000,
        judgeFromMs: 2_000,
        graceMs: 9_000,
        goal: false,
      },
    ],
  },
  default: {
    sbs: {
      factor: 20,
      realDurationMs: 120_000,
      warmupMs: 6 * MINUTE,
      graceMs: 21 * MINUTE,
      oursGraceMs: MINUTE,
      accountSizes: [1, 1, 1, 1, 2, 3, 1, 3, 1, 1, 1, 1, 2, 3, 1, 3],
    },
    idleMs: 60_000,
    scale: [
      {
        label: '200 x 3',
        prefix: 'smid',
        accounts: 200,
        durationMs: 75_000,
        markAtMs: 20_000,
        judgeFromMs: 10_000,
        graceMs: 30_000,
        goal: true,
      },
      {
        label: '1000 x 3',
        prefix: 'sbig',
        accounts: 1000,
        durationMs: 75_000,
        markAtMs: 40_000,
        judgeFromMs: 10_000,
        graceMs: 30_000,
        goal: false,
      },
    ],
  },
  full: {
    sbs: {
      factor: 12,
      realDurationMs: 450_000,
      warmupMs: 6 * MINUTE,
      graceMs: 21 * MINUTE,
      oursGraceMs: MINUTE,
      accountSizes: [1, 1, 1, 1, 2, 3, 1, 3, 1, 1, 1, 1, 2, 3, 1, 3],
    },
    idleMs: 300_000,
    scale: [
      {
        label: '200 x 3',
        prefix: 'smid',
        accounts: 200,
        durationMs: 420_000,
        markAtMs: 300_000,
        judgeFromMs: 10_000,
        graceMs: 30_000,
        goal: true,
      },
      {
        label: '1000 x 3',
        prefix: 'sbig',
        accounts: 1000,
        durationMs: 420_000,
        markAtMs: 300_000,
        judgeFromMs: 10_000,
        graceMs: 30_000,
        goal: false,
      },
    ],
  },
};
