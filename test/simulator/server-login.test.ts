// Login at the fake (reference §1 "Login region redirect", §3 "Login outcomes"): the global host
// redirects accounts homed elsewhere, tokens belong to the host that issued them, pending steps are
// accepted through /auth/continue/{type}, and repeated failures lock the account.

import { describe, expect, it } from 'vitest';
import {
  type Api,
  type Clock,
  EU_EMAIL,
  EU_USER_ID,
  fakePerTest,
  HOUR,
  json,
  type LoginJson,
  makeClock,
  PASSWORD,
  type Reply,
  sha256,
  start,
  T0,
  US_EMAIL,
  world,
} from './helpers.js';

let clock: Clock;
let api: Api;
const running = fakePerTest((t) => {
  ({ clock, api } = t);
});

describe('region redirect', () => {
  it('answers a non-us account at the global host with the redirect body and no token', async () => {
    const r = await api.login(null, EU_EMAIL, PASSWORD);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ status: 0, data: { redirect: true, region: 'eu' } });
    expect(api.fake.requests.at(-1)).toMatchObject({ endpoint: 'login', region: null, outcome: 'redirect' });
  });

  it('logs the same account in at /r/{region} with the success body', async () => {
    const r = await api.login('eu', EU_EMAIL, PASSWORD);
    const body = json<LoginJson>(r);
    expect(r.status).toBe(200);
    expect(body.status).toBe(0);
    expect(body.data?.user).toMatchObject({ id: EU_USER_ID, email: EU_EMAIL, uom: '1', accountType: 'pat' });
    expect(body.data?.authTicket).toEqual({
      token: expect.any(String),
      expires: Math.floor((T0 + 180 * 24 * HOUR) / 1000),
      duration: 15_552_000_000,
    });
  });

  it('answers user.uom as a string: "1" by default, "0" for an mmol/L account', async () => {
    const c = makeClock();
    const base = world(c);
    base.accounts[0] = { ...base.accounts[0]!, unit: 'mmol/L' };
    const a = await start(base, running);
    expect(json<LoginJson>(await a.login('eu', EU_EMAIL, PASSWORD)).data?.user?.uom).toBe('0');
    expect(json<LoginJson>(await a.login(null, US_EMAIL, PASSWORD)).data?.user?.uom).toBe('1');
  });

  it('redirects from a stranger regional host to the home region too', async () => {
    const r = await api.login('de', EU_EMAIL, PASSWORD);
    expect(JSON.parse(r.text)).toEqual({ status: 0, data: { redirect: true, region: 'eu' } });
  });

  it('logs a "us" account in at the global host directly', async () => {
    const r = await api.login(null, US_EMAIL, PASSWORD);
    const body = json<LoginJson>(r);
    expect(body.status).toBe(0);
    expect(body.data?.redirect).toBeUndefined();
    expect(body.data?.authTicket?.token).toEqual(expect.any(String));
  });

  it('answers wrong credentials with status 2 at any host, before any redirect', async () => {
    for (const region of [null, 'eu']) {
      const r = await api.login(region, EU_EMAIL, 'nope');
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toEqual({ status: 2, error: { message: 'notAuthenticated' } });
    }
    const unknown = await api.login(null, 'nobody@example.com', PASSWORD);
    expect(json(unknown).status).toBe(2);
  });

  it('matches the e-mail case-insensitively and honours setPassword', async () => {
    expect(json(await api.login('eu', EU_EMAIL.toUpperCase(), PASSWORD)).status).toBe(0);
    api.fake.setPassword(EU_EMAIL, 'New-Password-2!');
    expect(json(await api.login('eu', EU_EMAIL, PASSWORD)).status).toBe(2);
    expect(json(await api.login('eu', EU_EMAIL, 'New-Password-2!')).status).toBe(0);
  });

  it('works with an old version header (the version gate is on authenticated calls)', async () => {
    const r = await api.login('eu', EU_EMAIL, PASSWORD, { version: '4.7.0' });
    expect(json(r).status).toBe(0);
  });
});

describe('tokens', () => {
  it('are bound to the host that issued them', async () => {
    const s = await api.session('eu', EU_EMAIL, PASSWORD);
    expect((await api.get(s, '/llu/connections')).status).toBe(200);
    for (const region of [null, 'de', 'eu2']) {
      const r = await api.get({ ...s, region }, '/llu/connections');
      expect(r.status).toBe(401);
      expect(JSON.parse(r.text)).toEqual({ message: 'invalid or expired jwt' });
    }
    const us = await api.session(null, US_EMAIL, PASSWORD);
    expect((await api.get({ ...us, region: 'us' }, '/llu/connections')).status).toBe(401);
  });

  it('answer 401 after revokeTokens, and a new login works again', async () => {
    const s = await api.session('eu', EU_EMAIL, PASSWORD);
    api.fake.revokeTokens(EU_EMAIL);
    const r = await api.get(s, '/llu/connections');
    expect(r.status).toBe(401);
    expect(JSON.parse(r.text)).toEqual({ message: 'invalid or expired jwt' });
    const again = await api.session('eu', EU_EMAIL, PASSWORD);
    expect((await api.get(again, '/llu/connections')).status).toBe(200);
  });

  it('expire after tokenLifetimeMs on the server clock', async () => {
    const c = makeClock();
    const short = await start(world(c, { tokenLifetimeMs: HOUR }), running);
    const login = json<LoginJson>(await short.login('eu', EU_EMAIL, PASSWORD));
    expect(login.data?.authTicket).toMatchObject({ duration: HOUR, expires: (T0 + HOUR) / 1000 });
    const s = await short.session('eu', EU_EMAIL, PASSWORD);
    c.advance(HOUR - 1);
    expect((await short.get(s, '/llu/connections')).status).toBe(200);
    c.advance(1);
    expect((await short.get(s, '/llu/connections')).status).toBe(401);
  });

  it('answer 401 for a missing or unknown bearer', async () => {
    const s = await api.session('eu', EU_EMAIL, PASSWORD);
    expect((await api.call('eu', '/llu/connections', { accountId: s.accountId })).status).toBe(401);
    expect((await api.get({ ...s, token: 'not-a-token' }, '/llu/connections')).status).toBe(401);
  });
});

describe('pending steps', () => {
  const stepOf = (r: Reply) => json<LoginJson>(r).data;

  it('answers tou then pp, each accepted with its step token, then success', async () => {
    api.fake.setPendingSteps(EU_EMAIL, ['tou', 'pp']);
    const first = await api.login('eu', EU_EMAIL, PASSWORD);
    expect(json(first).status).toBe(4);
    const tou = stepOf(first)!;
    expect(tou.step).toEqual({
      type: 'tou',
      componentName: 'AcceptDocument',
      props: { reaccept: true, titleKey: 'Common.termsOfUse', type: 'tou' },
    });
    expect(tou.authTicket).toMatchObject({ duration: 3_600_000, expires: (T0 + HOUR) / 1000 });
    const stepToken = tou.authTicket!.token;

    // a step token is no session token, and pp cannot be accepted before tou
    const asSession = { region: 'eu', token: stepToken, accountId: sha256(EU_USER_ID) };
    expect((await api.get(asSession, '/llu/connections')).status).toBe(401);
    expect((await api.call('eu', '/auth/continue/pp', { method: 'POST', token: stepToken })).status).toBe(
      401,
    );

    const afterTou = await api.call('eu', '/auth/continue/tou', { method: 'POST', token: stepToken });
    expect(afterTou.status).toBe(200);
    expect(json(afterTou).status).toBe(4);
    const pp = stepOf(afterTou)!;
    expect(pp.step).toMatchObject({ type: 'pp', props: { titleKey: 'Common.privacyPolicy', type: 'pp' } });

    // the /llu-prefixed path serves the same purpose
    const done = await api.call('eu', '/llu/auth/continue/pp', {
      method: 'POST',
      token: pp.authTicket!.token,
    });
    const ok = json<LoginJson>(done);
    expect(ok.status).toBe(0);
    expect(ok.data?.user?.id).toBe(EU_USER_ID);
    expect(ok.data?.authTicket?.duration).toBe(15_552_000_000);
    const s = { region: 'eu', token: ok.data!.authTicket!.token, accountId: sha256(EU_USER_ID) };
    expect((await api.get(s, '/llu/connections')).status).toBe(200);

    // accepted for good: the next login succeeds straight away
    expect(json(await api.login('eu', EU_EMAIL, PASSWORD)).status).toBe(0);
    expect(api.fake.requests.filter((r) => r.endpoint === 'continue').map((r) => r.outcome)).toEqual([
      'step_refused',
      'accepted_tou',
      'accepted_pp',
    ]);
  });

  it('cannot continue verifyEmail: it stays pending', async () => {
    api.fake.setPendingSteps(EU_EMAIL, ['verifyEmail']);
    const r = await api.login('eu', EU_EMAIL, PASSWORD);
    const data = stepOf(r)!;
    expect(json(r).status).toBe(4);
    expect(data.step).toEqual({
      type: 'verifyEmail',
      componentName: 'VerifyEmail',
      props: { email: EU_EMAIL },
    });
    const c = await api.call('eu', '/auth/continue/verifyEmail', {
      method: 'POST',
      token: data.authTicket!.token,
    });
    expect(c.status).toBe(401);
    expect(JSON.parse(c.text)).toEqual({ message: 'invalid or expired jwt' });
    expect(json(await api.login('eu', EU_EMAIL, PASSWORD)).status).toBe(4);
  });

  it('refuses continue with a session token or an expired step token', async () => {
    const s = await api.session('eu', EU_EMAIL, PASSWORD);
    api.fake.setPendingSteps(EU_EMAIL, ['tou']);
    expect((await api.call('eu', '/auth/continue/tou', { method: 'POST', token: s.token })).status).toBe(401);
    const step = stepOf(await api.login('eu', EU_EMAIL, PASSWORD))!;
    clock.advance(HOUR);
    const late = await api.call('eu', '/auth/continue/tou', {
      method: 'POST',
      token: step.authTicket!.token,
    });
    expect(late.status).toBe(401);
  });

  it('comes from the account spec as well, after the region redirect', async () => {
    const c = makeClock();
    const base = world(c);
    base.accounts[0] = { ...base.accounts[0]!, pendingSteps: ['pp'] };
    const a = await start(base, running);
    expect(json(await a.login(null, EU_EMAIL, PASSWORD)).data).toEqual({ redirect: true, region: 'eu' });
    const r = await a.login('eu', EU_EMAIL, PASSWORD);
    expect(json<LoginJson>(r).data?.step?.type).toBe('pp');
    expect(a.fake.requests.at(-1)?.outcome).toBe('step_pp');
  });
});
