import { defineConfig } from 'vitest/config';

// In CI a JSON report is written too, so .ci/run can print "N passed, N failed" from vitest's result.
const ci = process.env.CI === 'true' || process.env.CI === '1';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/fast-check.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ci ? ['default', 'json'] : ['default'],
    outputFile: ci ? { json: '.vitest-reports/results.json' } : undefined,
  },
});
