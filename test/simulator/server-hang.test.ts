// `hang` faults hold a request open: a finite `ms` answers normally afterwards, Infinity never answers.
// close() must still return with requests hanging. These are the only simulator tests on real time:
// they only check lower bounds (never "fast enough"), and wait for the request to reach the fake by
// watching its log instead of sleeping.

import { describe, expect, it, vi } from 'vitest';
import { type Api, EU_EMAIL, fakePerTest, json, PASSWORD, type Session } from './helpers.js';

let api: Api;
let s: Session;
const running = fakePerTest(async (t) => {
  api = t.api;
  s = await api.session('eu', EU_EMAIL, PASSWORD);
});

const hangLogged = () =>
  vi.waitFor(() => expect(api.fake.requests.some((r) => r.outcome === 'hang')).toBe(true), {
    timeout: 10_000,
    interval: 5,
  });

/** Stops the fake in the test itself (and keeps afterEach from closing it twice). */
async function closeFake(): Promise<void> {
  running.splice(running.indexOf(api.fake), 1);
  await api.fake.close();
}

describe('hang', () => {
  it('with a finite ms answers normally, no earlier than ms', async () => {
    api.fake.addFault({ endpoint: 'connections', fault: { kind: 'hang', ms: 300 } });
    const t0 = performance.now();
    const r = await api.get(s, '/llu/connections');
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(r.status).toBe(200);
    expect(json(r).status).toBe(0);
    expect(api.fake.requests.slice(-2).map((e) => [e.endpoint, e.status, e.outcome])).toEqual([
      ['connections', 0, 'hang'],
      ['connections', 200, 'ok'],
    ]);
  });

  it('hangs only the matching request: others are answered meanwhile', async () => {
    api.fake.addFault({ endpoint: 'graph', fault: { kind: 'hang', ms: 60_000 } });
    const pending = api.get(s, '/llu/connections/p-mg/graph').catch((e: unknown) => e);
    await hangLogged();
    expect((await api.get(s, '/llu/connections')).status).toBe(200);
    await closeFake();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('with Infinity never answers (the client gives up), and close() still returns', async () => {
    api.fake.addFault({ endpoint: 'connections', fault: { kind: 'hang', ms: Number.POSITIVE_INFINITY } });
    const abort = new AbortController();
    const pending = api.get(s, '/llu/connections', { signal: abort.signal });
    await hangLogged();
    const timer = setTimeout(() => abort.abort(), 1_500);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    clearTimeout(timer);
    expect(api.fake.requests.filter((r) => r.endpoint === 'connections').map((r) => r.outcome)).toEqual([
      'hang',
    ]);
    await closeFake();
  });

  it('close() returns while a request hangs forever, and that request fails', async () => {
    api.fake.addFault({ endpoint: 'login', fault: { kind: 'hang', ms: Number.POSITIVE_INFINITY } });
    const pending = api.login('eu', EU_EMAIL, PASSWORD).then(
      () => 'answered',
      () => 'failed',
    );
    await hangLogged();
    await closeFake();
    expect(await pending).toBe('failed');
  });

  it('close() returns while a long finite hang is pending', async () => {
    api.fake.addFault({ endpoint: 'connections', fault: { kind: 'hang', ms: 10 * 60_000 } });
    const pending = api.get(s, '/llu/connections').then(
      () => 'answered',
      () => 'failed',
    );
    await hangLogged();
    await closeFake();
    expect(await pending).toBe('failed');
  });
});
