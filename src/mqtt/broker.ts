// The embedded MQTT broker (aedes), started when no mqtt.url is configured. On a non-loopback host
// it refuses to start without credentials, and enforces them when given.

import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';

export interface EmbeddedBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  username?: string | undefined;
  password?: string | undefined;
  logger: Logger;
}

export class BrokerError extends AppError<'broker'> {
  override readonly name = 'BrokerError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('broker', message, options);
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { host, port, username, password, logger } = options;
  if (!isLoopback(host) && (!username || !password)) {
    throw new BrokerError(
      `the embedded MQTT broker would listen on ${host} without a password; set mqtt.username and mqtt.password, ` +
        'or keep mqtt.embedded.host at 127.0.0.1',
    );
  }
  const broker = await Aedes.createBroker();
  if (username && password) {
    broker.authenticate = (_client, user, pass, done) => {
      const ok = user === username && pass?.toString() === password;
      done(ok ? null : Object.assign(new Error('bad credentials'), { returnCode: 4 }), ok);
    };
  }
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new BrokerError(
          error.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is in use: another MQTT broker is running? Set mqtt.url to use it, or mqtt.embedded.port to move ours`
            : `embedded MQTT broker could not listen on ${host}:${port}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as { port: number }).port;
  const url = `mqtt://${host.includes(':') ? `[${host}]` : host}:${actual}`;
  logger.info(`embedded MQTT broker listening on ${url}`);
  return {
    url,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        broker.close(() => server.close(() => resolve()));
        // Connected clients keep the server open; aedes closes them, the timer is a safety net.
        setTimeout(resolve, 1_000).unref();
      }),
  };
}
