// A person's persisted record with a given watermark and queued readings, for the people tests.
import { EMPTY_ALERT_MEMORY } from '../../src/bridge/alerts.js';
import { EMPTY_CADENCE } from '../../src/bridge/cadence.js';
import { EMPTY_LOG, type ReadingLog } from '../../src/bridge/outbox.js';
import type { PersistedPatient } from '../../src/bridge/persisted.js';
import { connection, reading } from './fixtures.js';

export function record(
  over: Partial<PersistedPatient> & { published?: number | null; queued?: number[] } = {},
) {
  const { published = null, queued = [], ...rest } = over;
  const log: ReadingLog = {
    ...EMPTY_LOG,
    lastPublishedTs: published,
    outbox: queued.map((t) => reading(t, 100)),
  };
  return {
    slug: 'anna_smith',
    connection: connection(),
    latest: null,
    log,
    alerts: EMPTY_ALERT_MEMORY,
    cadence: EMPTY_CADENCE,
    ...rest,
  } satisfies PersistedPatient;
}
