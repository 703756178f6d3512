// Figures 1-3 in one compressed-time process (see warp.ts): the real app (our scheduler) and the three
// strategies users would otherwise run, against one fake LibreLinkUp server, on the same patients, in
// the same run. Every strategy has its own accounts, each following exactly the patients of the
// corresponding account of ours. Started by run.ts; options as JSON in argv[2]; result over IPC.

import { installWarp } from './warp.js';

export interface SideBySideOptions {
  factor: number;
  /** real ms to run */
  realDurationMs: number;
  /** virtual ms excluded at the start (the bridge learns the cadence) */
  warmupMs: number;
  /** virtual ms before the end after which readings are not judged (graph points arrive 15-20 min late) */
  graceMs: number;
  /** readings for figure 1 are judged up to this long before the end (virtual ms) */
  oursGraceMs: number;
  accountSizes: number[];
  logFile: string;
  seed: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as SideBySideOptions;
installWarp(options.factor);
const { runSideBySide } = await import('./side-by-side-run.js');
try {
  const result = await runSideBySide(options);
  process.send?.({ type: 'result', result }, () => process.exit(0));
} catch (error) {
  process.send?.({ type: 'failed', message: String((error as Error)?.stack ?? error) }, () =>
    process.exit(1),
  );
}
