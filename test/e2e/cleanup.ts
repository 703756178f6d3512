// Resources of one test (fake server, broker, bridge, subscriber), closed in reverse order when that
// test finishes, passed or failed. Tied to the test's own context, so the tests of a file can run
// concurrently (describe.concurrent): their waits overlap instead of adding up.
import type { TestContext } from 'vitest';

export type Defer = (close: () => Promise<unknown>) => void;

export function cleanupFor({ onTestFinished }: Pick<TestContext, 'onTestFinished'>): Defer {
  const closes: Array<() => Promise<unknown>> = [];
  onTestFinished(async () => {
    for (const close of closes.reverse()) await close().catch(() => {});
  });
  return (close) => {
    closes.push(close);
  };
}
