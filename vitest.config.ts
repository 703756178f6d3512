import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// In CI a JSON report is written too, so .ci/run can print "N passed, N failed" from vitest's result.
const ci = process.env.CI === 'true' || process.env.CI === '1';

const isEndToEnd = (file: TestSpecification) => /[\\/]test[\\/]e2e[\\/]/.test(file.moduleId);

/**
 * End-to-end files mostly wait (sockets, timers); unit files mostly compute. Each list keeps vitest's
 * order (longest or largest first) and the two alternate, so the waiting overlaps the computing
 * instead of all of one kind running first and the other last.
 */
class Interleaved extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const e2e = sorted.filter(isEndToEnd);
    const unit = sorted.filter((f) => !isEndToEnd(f));
    const out: TestSpecification[] = [];
    for (let i = 0; i < Math.max(e2e.length, unit.length); i++) {
      if (i < e2e.length) out.push(e2e[i]!);
      if (i < unit.length) out.push(unit[i]!);
    }
    return out;
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/fast-check.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default is the number of cores less one: 1 here, so every file ran in turn.
    // Most files wait more than they compute, so more run side by side than there are cores.
    maxWorkers: 4,
    // Files share one process per worker: loading the modules (and compiling the JSON schemas) once
    // instead of once per file was most of the time. Tests leave no global behind: fake timers are
    // restored in afterEach, and every end-to-end test closes what it started when it finishes.
    isolate: false,
    sequence: { sequencer: Interleaved },
    reporters: ci ? ['default', 'json'] : ['default'],
    outputFile: ci ? { json: '.vitest-reports/results.json' } : undefined,
  },
});
