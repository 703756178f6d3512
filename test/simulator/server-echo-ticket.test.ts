// The `echo_secrets` and `ticket` faults on the wire: an error body echoing the credentials, and
// tickets whose token or announced expiry is rewritten while the issued token stays valid.

import { describe, expect, it } from 'vitest';
import {
  type Api,
  DAY,
  EU_EMAIL,
  fakePerTest,
  json,
  type LoginJson,
  PASSWORD,
  type Session,
  T0,
} from './helpers.js';

let api: Api;
let s: Session;
fakePerTest(async (t) => {
  api = t.api;
  s = await api.session('eu', EU_EMAIL, PASSWORD);
});

describe('echo_secrets', () => {
  it('a login answer echoes the password and e-mail, padded to the length asked, in the field asked', async () => {
    api.fake.addFault({ endpoint: 'login', fault: { kind: 'echo_secrets', as: 'step', length: 500 } });
    const r = await api.login('eu', EU_EMAIL, PASSWORD);
    const step = (json<{ step: { type: string } }>(r).data as { step: { type: string } }).step.type;
    expect(json(r).status).toBe(4);
    expect(step).toContain(PASSWORD);
    expect(step).toContain(EU_EMAIL);
    expect(step).toHaveLength(500);
    expect(api.fake.requests.at(-1)).toMatchObject({ endpoint: 'login', outcome: 'echo_secrets' });
  });

  it('an authenticated answer echoes the token and the account it belongs to (default: a 920 minimumVersion)', async () => {
    api.fake.addFault({ endpoint: 'connections', fault: { kind: 'echo_secrets' } });
    const r = await api.get(s, '/llu/connections');
    expect(r.status).toBe(403);
    const body = JSON.parse(r.text) as { status: number; data: { minimumVersion: string } };
    expect(body.status).toBe(920);
    for (const secret of [s.token, PASSWORD, EU_EMAIL]) expect(body.data.minimumVersion).toContain(secret);
    expect((await api.get(s, '/llu/connections')).status).toBe(200);
  });

  it('as a region redirect or an error message', async () => {
    api.fake.addFault({ endpoint: 'login', fault: { kind: 'echo_secrets', as: 'region' } });
    const redirect = JSON.parse((await api.login(null, EU_EMAIL, PASSWORD)).text) as {
      data: { redirect: boolean; region: string };
    };
    expect(redirect.data).toMatchObject({ redirect: true });
    expect(redirect.data.region).toContain(PASSWORD);
    api.fake.addFault({ endpoint: 'connections', fault: { kind: 'echo_secrets', as: 'message' } });
    const r = await api.get(s, '/llu/connections');
    expect(r.status).toBe(400);
    expect((JSON.parse(r.text) as { message: string }).message).toContain(s.token);
  });
});

describe('ticket', () => {
  it('rewrites the login token and the announced expiry; the issued token keeps working', async () => {
    api.fake.addFault({
      endpoint: 'login',
      fault: { kind: 'ticket', token: 'bad\r\ntoken', expiresShiftMs: -400 * DAY },
    });
    const r = await api.login('eu', EU_EMAIL, PASSWORD);
    const ticket = (json<LoginJson>(r).data as unknown as { authTicket: { token: string; expires: number } })
      .authTicket;
    expect(ticket.token).toBe('bad\r\ntoken');
    expect(ticket.expires * 1000).toBeLessThan(T0);
    // The session from before is untouched.
    expect((await api.get(s, '/llu/connections')).status).toBe(200);
  });

  it('rewrites the refreshed ticket of an authenticated answer, once per rule use', async () => {
    api.fake.addFault({ endpoint: 'connections', fault: { kind: 'ticket', expiresShiftMs: -400 * DAY } });
    const shifted = JSON.parse((await api.get(s, '/llu/connections')).text) as {
      ticket: { token: string; expires: number };
    };
    const normal = JSON.parse((await api.get(s, '/llu/connections')).text) as {
      ticket: { token: string; expires: number };
    };
    expect(shifted.ticket.token).toBe(s.token);
    expect(normal.ticket.expires - shifted.ticket.expires).toBe(400 * 86_400);
  });
});
