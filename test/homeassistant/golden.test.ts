// Every discovery config and every state, reading, event and account payload for a representative
// set of snapshots, byte for byte, against a golden file written from the published wire output.
// Topics, unique_ids, entity keys and payload keys are a contract with every installation: a change
// here makes users lose entities or breaks their automations. Regenerate (GOLDEN_WRITE=1) only for
// a deliberate change that the CHANGELOG names.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reading, T0 } from '../bridge/fixtures.js';
import { account, anna, ben, lastByTopic, recordingPublisher } from './wire-fixture.js';

const GOLDEN = join(import.meta.dirname, 'golden.json');

async function wire(base: string) {
  const w = await recordingPublisher(base);
  const { publisher } = w;
  publisher.accountChanged(
    account({
      key: 'acct_starting0',
      ok: false,
      lastSuccessAt: null,
      nextPollAt: null,
      requests: 0,
      logins: 0,
    }),
  );
  publisher.accountChanged(account());
  publisher.accountChanged(
    account({
      key: 'acct_badcreds',
      label: 'ba***@example.com',
      ok: false,
      errorKind: 'bad_credentials',
      message: 'Wrong e-mail or password <script>',
      lastSuccessAt: null,
      lastErrorAt: T0,
      blockedUntil: T0 + 3_600_000,
    }),
  );
  publisher.patientChanged(anna());
  publisher.patientChanged(ben());
  const carl = anna({
    patientId: 'c0ffee00-0000-4000-8000-000000000003',
    slug: 'carl',
    name: 'Carl',
    latest: null,
    high: null,
    low: null,
    range: null,
    stale: true,
  });
  publisher.patientChanged(carl);
  const gone = anna({ patientId: 'dead0000-0000-4000-8000-000000000004', slug: 'gone', name: 'Gone' });
  publisher.patientChanged(gone);
  publisher.patientRemoved(gone);
  await publisher.reading(anna(), reading(T0, 190, { trend: 'rising' }));
  await publisher.reading(ben(), reading(T0 - 25 * 60_000, 66, { trend: 'falling' }), { backfilled: true });
  publisher.alert(anna(), { type: 'high', reading: reading(T0, 190), at: T0 });
  publisher.alert(ben(), { type: 'stale', reading: null, at: T0 });
  return lastByTopic(w.sent);
}

async function everything() {
  return { default: await wire('librelinkup2mqtt'), scoped: await wire('home/glucose') };
}

describe('published wire output (golden)', () => {
  it('is exactly the golden file: every topic, retain flag, QoS and payload byte', async () => {
    const now = await everything();
    if (process.env.GOLDEN_WRITE === '1') writeFileSync(GOLDEN, `${JSON.stringify(now, null, 1)}\n`);
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8'));
    expect(Object.keys(now.default)).toEqual(Object.keys(golden.default));
    expect(Object.keys(now.scoped)).toEqual(Object.keys(golden.scoped));
    expect(now).toEqual(golden);
  });

  it('covers every kind of topic the publisher writes', async () => {
    const topics = Object.keys((await everything()).default);
    for (const needle of [
      '/config',
      '/state',
      '/availability',
      '/reading',
      '/event',
      'bridge/connectivity',
      'bridge/acct_badcreds/state',
    ])
      expect(
        topics.some((t) => t.endsWith(needle) || t.includes(needle)),
        needle,
      ).toBe(true);
  });
});
