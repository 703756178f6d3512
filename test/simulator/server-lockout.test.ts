// Account lockout (reference §3 login outcome 5, §5): N wrong logins within the window lock the account;
// the answer is HTTP 200 with body {"status":429,"data":{"code":60,"data":{failures,interval,lockout},
// "message":"locked"}}; a right password does not unlock it, more wrong attempts extend it.
// Time moves only through the injected clock.

import { describe, expect, it } from 'vitest';
import {
  type Api,
  type Clock,
  EU_EMAIL,
  fakePerTest,
  json,
  type LoginJson,
  makeClock,
  PASSWORD,
  type Reply,
  start,
  US_EMAIL,
  world,
} from './helpers.js';

let clock: Clock;
let api: Api;
const S = 1000;
const running = fakePerTest((t) => {
  ({ clock, api } = t);
});

const wrong = () => api.login('eu', EU_EMAIL, 'wrong-password');
const right = () => api.login('eu', EU_EMAIL, PASSWORD);

function expectLocked(r: Reply, lockout: number, failures = 3, interval = 60): void {
  expect(r.status).toBe(200);
  expect(JSON.parse(r.text)).toEqual({
    status: 429,
    data: { code: 60, data: { failures, interval, lockout }, message: 'locked' },
  });
}

async function lockNow(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    expect(json(await wrong()).status).toBe(2);
    clock.advance(10 * S);
  }
}

describe('lockout', () => {
  it('locks after 3 wrong logins within 60 s; the failing attempts themselves answer status 2', async () => {
    await lockNow(); // failures at 0, 10, 20 s → locked until 320 s; clock now at 30 s
    expectLocked(await right(), 290);
    expect(api.fake.requests.at(-1)).toMatchObject({ endpoint: 'login', outcome: 'locked', email: EU_EMAIL });
  });

  it('stays locked for a right password, counting down the seconds left', async () => {
    await lockNow();
    clock.advance(220 * S); // 250 s
    expectLocked(await right(), 70);
    clock.advance(69 * S); // 319 s
    expectLocked(await right(), 1);
    clock.advance(1 * S); // 320 s: free
    expect(json(await right()).status).toBe(0);
  });

  it('extends the lock on every wrong attempt while locked', async () => {
    await lockNow();
    clock.advance(270 * S); // 300 s
    expectLocked(await wrong(), 300); // now locked until 600 s
    clock.advance(100 * S); // 400 s: without the extension this would be free
    expectLocked(await right(), 200);
    clock.advance(200 * S);
    expect(json(await right()).status).toBe(0);
  });

  it('does not lock when the failures are spread wider than the window', async () => {
    for (let i = 0; i < 5; i++) {
      expect(json(await wrong()).status).toBe(2);
      clock.advance(31 * S); // at most 2 failures in any 60 s
    }
    expect(json(await right()).status).toBe(0);
  });

  it('forgets earlier failures after a successful login', async () => {
    await wrong();
    await wrong();
    expect(json(await right()).status).toBe(0);
    await wrong();
    await wrong();
    expect(json(await right()).status).toBe(0);
  });

  it('locks per account, and at the global host before any redirect', async () => {
    for (let i = 0; i < 3; i++) await api.login(null, EU_EMAIL, 'wrong-password');
    expectLocked(await api.login(null, EU_EMAIL, PASSWORD), 300);
    expectLocked(await right(), 300);
    expect(json(await api.login(null, US_EMAIL, PASSWORD)).status).toBe(0);
  });

  it('does not touch tokens issued before the lock', async () => {
    const s = await api.session('eu', EU_EMAIL, PASSWORD);
    for (let i = 0; i < 4; i++) await wrong();
    expect((await api.get(s, '/llu/connections')).status).toBe(200);
  });

  it('follows lockoutFailures, lockoutWindowSeconds and lockoutSeconds', async () => {
    const c = makeClock();
    const a = await start(
      world(c, { lockoutFailures: 2, lockoutWindowSeconds: 10, lockoutSeconds: 30 }),
      running,
    );
    await a.login('eu', EU_EMAIL, 'x');
    c.advance(11 * S);
    await a.login('eu', EU_EMAIL, 'x'); // the first one left the 10 s window
    expect(json(await a.login('eu', EU_EMAIL, PASSWORD)).status).toBe(0);
    await a.login('eu', EU_EMAIL, 'x');
    c.advance(9 * S);
    await a.login('eu', EU_EMAIL, 'x');
    const locked = await a.login('eu', EU_EMAIL, PASSWORD);
    expectLocked(locked, 30, 2, 10);
    expect(json<LoginJson>(locked).data?.message).toBe('locked');
    c.advance(30 * S);
    expect(json(await a.login('eu', EU_EMAIL, PASSWORD)).status).toBe(0);
  });
});
