// A fake Home Assistant Supervisor on 127.0.0.1 that answers GET /services/mqtt as told.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  authorization: string | undefined;
}

export interface FakeSupervisor {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export type Responder = (req: IncomingMessage, res: ServerResponse) => void;

export const json =
  (status: number, body: unknown): Responder =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

export const MOSQUITTO = {
  addon: 'core_mosquitto',
  host: 'core-mosquitto',
  port: 1883,
  ssl: false,
  username: 'addons',
  password: 'Eew7ohGh-supervisor-mqtt-pw',
  protocol: '3.1.1',
};

export async function startFakeSupervisor(respond: Responder): Promise<FakeSupervisor> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    respond(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
