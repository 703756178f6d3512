import { LluClient, type LluClientOptions } from '../../../src/librelinkup/client.js';
import type { Session } from '../../../src/librelinkup/model.js';
import { silentLogger } from '../../../src/log.js';
import type { ScriptedServer } from './scripted-server.js';

export const EMAIL = 'follower@example.com';
export const PASSWORD = 'Pw-secret-4711!';

export interface TestClient {
  client: LluClient;
  sessions: Array<Session | null>;
}

/** A client aimed at a scripted server; `sessions` records every onSessionChange call. */
export function clientFor(
  server: Pick<ScriptedServer, 'url' | 'regionUrl'>,
  extra: Partial<LluClientOptions> = {},
): TestClient {
  const sessions: Array<Session | null> = [];
  const client = new LluClient({
    email: EMAIL,
    password: PASSWORD,
    region: 'auto',
    apiUrl: server.url,
    regionUrl: server.regionUrl,
    version: '4.16.0',
    acceptTerms: false,
    timeoutMs: 5_000,
    logger: silentLogger(),
    onSessionChange: (s) => sessions.push(s),
    ...extra,
  });
  return { client, sessions };
}
