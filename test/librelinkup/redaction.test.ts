// No log line, at debug, ever carries the password, a token or the Account-Id hash. Checked twice:
// through the project logger (which scrubs too) and through a bare pino logger, so the client
// itself is shown not to log secrets rather than relying on the logger's scrubbing.

import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { createLogger } from '../../src/log.js';
import { clientFor, EMAIL, PASSWORD } from './helpers/client.js';
import { rejectsLlu } from './helpers/errors.js';
import {
  connectionsOk,
  loginOk,
  redirectTo,
  type ScriptedServer,
  sha256,
  startScriptedServer,
  stepReply,
  USER_ID,
} from './helpers/scripted-server.js';

let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});

const TOKENS = ['tok-login-AAAA1111', 'tok-relogin-BBBB2222', 'tok-ticket-CCCC3333', 'step-token-DDDD4444'];

function capture(kind: 'project' | 'bare'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = { write: (line: string) => void lines.push(line) };
  const logger =
    kind === 'project'
      ? createLogger({ level: 'debug', destination })
      : pino({ level: 'debug' }, destination);
  return { logger, lines };
}

describe.each(['project', 'bare'] as const)('redaction (%s logger)', (kind) => {
  it('login, connections, 401 re-login, ticket refresh, steps and errors log no secrets', async () => {
    let logins = 0;
    server = await startScriptedServer({
      'POST /llu/auth/login': (req) => {
        if (req.region === null) return redirectTo('eu');
        logins += 1;
        if (logins === 1) return loginOk(TOKENS[0]!);
        if (logins === 2) return loginOk(TOKENS[1]!);
        if (logins === 3) return stepReply('tou', TOKENS[3]!);
        return { json: { status: 2, error: { message: 'notAuthenticated' } } };
      },
      'POST /auth/continue/tou': { status: 401, json: { message: 'invalid or expired jwt' } },
      'GET /llu/connections': [
        connectionsOk(),
        { status: 401, json: { message: 'invalid or expired jwt' } },
        connectionsOk({ token: TOKENS[2]!, expires: 4_102_444_900 }),
        { text: `{"status":0,"data":{"patientId":1},"ticket":{"token":"${TOKENS[2]}"}}` },
      ],
    });
    const { logger, lines } = capture(kind);
    const { client } = clientFor(server, { logger, acceptTerms: true });

    await client.connections(); // login (with redirect) + connections
    await client.connections(); // 401 → re-login → ticket refresh
    expect(client.session?.token).toBe(TOKENS[2]);
    expect((await rejectsLlu(client.connections())).kind).toBe('malformed');
    expect((await rejectsLlu(client.login())).kind).toBe('terms'); // step token refused
    expect((await rejectsLlu(client.login())).kind).toBe('bad_credentials');

    expect(lines.length).toBeGreaterThan(8);
    const all = lines.join('\n');
    expect(all).toContain('"endpoint":"connections"');
    expect(all).toContain('"status":401');
    for (const secret of [PASSWORD, ...TOKENS, sha256(USER_ID), EMAIL]) {
      expect(all, `log contains ${secret}`).not.toContain(secret);
    }
    expect(all).toContain('fo***@example.com');
    expect(all.toLowerCase()).not.toMatch(/bearer|account-id"|authorization/);
  });
});
