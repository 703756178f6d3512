import { defineConfig } from 'vitest/config';

// In CI a JSON report is written too, so .ci/run can print "N passed, N failed" from vitest's result.
const ci = process.env.CI === 'true' || process.env.CI === '1';

const shared = {
  setupFiles: ['test/setup/fast-check.ts'],
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    // Vitest's default is one worker per core but one (1 on this 2-core machine). The end-to-end files
    // spend most of their time waiting on sockets and timers, so more files run side by side.
    maxWorkers: 3,
    reporters: ci ? ['default', 'json'] : ['default'],
    outputFile: ci ? { json: '.vitest-reports/results.json' } : undefined,
    projects: [
      {
        // Unit files share one process per worker: loading the modules (and compiling the JSON
        // schemas) once instead of once per file is most of their time. They leave no global
        // behind (fake timers are restored in afterEach).
        test: {
          ...shared,
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          isolate: false,
        },
      },
      {
        // End-to-end files each get a fresh process: a bridge a failed test left running cannot
        // disturb the next file.
        test: { ...shared, name: 'e2e', include: ['test/e2e/**/*.test.ts'], isolate: true },
      },
    ],
  },
});
