// An in-process aedes broker on 127.0.0.1 for tests, restartable on the same port. `admit` lets a
// test hold some clients back (refused CONNACK) until it is ready, which makes outage tests
// deterministic without sleeping.

import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';

export interface TestBroker {
  url: string;
  port: number;
  broker: Aedes;
  close(): Promise<void>;
}

export async function startTestBroker(
  options: { port?: number; admit?: (clientId: string) => boolean } = {},
): Promise<TestBroker> {
  const broker = await Aedes.createBroker();
  if (options.admit) {
    const admit = options.admit;
    broker.authenticate = (client, _u, _p, done) => {
      const ok = admit(client.id);
      done(ok ? null : Object.assign(new Error('not yet'), { returnCode: 3 }), ok);
    };
  }
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    broker,
    close: () =>
      new Promise<void>((resolve) => {
        broker.close(() => server.close(() => resolve()));
        setTimeout(resolve, 1_000).unref();
      }),
  };
}
