// A tiny scripted LibreLinkUp stand-in for exact wire checks: every request is recorded (method,
// path, region from the /r/{region} prefix, lower-cased headers, body), and each route answers
// from a list of replies consumed in order (the last one repeats) or from a function.

import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  /** path without the /r/{region} prefix */
  path: string;
  /** region of the host addressed (from /r/{region}), null for the global entry point */
  region: string | null;
  /** route key, e.g. "POST /llu/auth/login", "GET /llu/connections/:id/graph" */
  route: string;
  headers: Record<string, string>;
  body: string;
}

export type Reply =
  | { status?: number; json?: unknown; text?: string; headers?: Record<string, string> }
  | 'hang'
  | 'destroy';

export type Responder = Reply | Reply[] | ((req: SeenRequest, n: number) => Reply);

export interface ScriptedServer {
  readonly url: string;
  readonly regionUrl: string;
  readonly requests: SeenRequest[];
  /** set or replace the answers of a route */
  on(route: string, responder: Responder): void;
  requestsTo(route: string): SeenRequest[];
  close(): Promise<void>;
}

function routeOf(method: string, path: string): string {
  const p = path.replace(/^\/llu\/connections\/[^/]+\/(graph|logbook)$/, '/llu/connections/:id/$1');
  return `${method} ${p}`;
}

export async function startScriptedServer(routes: Record<string, Responder> = {}): Promise<ScriptedServer> {
  const table = new Map<string, Responder>(Object.entries(routes));
  const counts = new Map<string, number>();
  const requests: SeenRequest[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
      const m = /^\/r\/([^/]+)(\/.*)$/.exec(rawPath);
      const region = m ? decodeURIComponent(m[1]!) : null;
      const path = m ? m[2]! : rawPath;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        path,
        region,
        route: routeOf(req.method ?? 'GET', path),
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      const n = counts.get(seen.route) ?? 0;
      counts.set(seen.route, n + 1);
      const responder = table.get(seen.route);
      let reply: Reply;
      if (responder === undefined) reply = { status: 404, json: { message: 'no route in test script' } };
      else if (typeof responder === 'function') reply = responder(seen, n);
      else if (Array.isArray(responder))
        reply = responder[Math.min(n, responder.length - 1)] ?? { status: 500 };
      else reply = responder;
      if (reply === 'hang') return;
      if (reply === 'destroy') {
        req.socket.destroy();
        return;
      }
      const body = reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
      res.writeHead(reply.status ?? 200, {
        ...(reply.json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...reply.headers,
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    regionUrl: `${url}/r/{region}`,
    requests,
    on(route, responder) {
      table.set(route, responder);
      counts.set(route, 0);
    },
    requestsTo(route) {
      return requests.filter((r) => r.route === route);
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// ---- canned LibreLinkUp bodies -------------------------------------------------------------------

export const USER_ID = '7ad66b40-ba9b-401e-9845-4f49f998cf16';
export const EXPIRES = 4_102_444_800; // 2100-01-01, epoch s

export function loginOk(token: string, userId = USER_ID, expires = EXPIRES, uom = '1'): Reply {
  return {
    json: {
      status: 0,
      data: {
        user: { id: userId, firstName: 'F', lastName: 'L', email: 'x', uom, emailDay: null },
        messages: { unread: 0 },
        authTicket: { token, expires, duration: 15552000000 },
        invitations: null,
      },
    },
  };
}

export const redirectTo = (region: string): Reply => ({
  json: { status: 0, data: { redirect: true, region } },
});

export function stepReply(type: string, token: string): Reply {
  return {
    json: {
      status: 4,
      data: {
        step: { type, componentName: 'AcceptDocument', props: { reaccept: true, type } },
        user: { accountType: 'pat', country: 'DE', uiLanguage: 'de-DE' },
        authTicket: { token, expires: EXPIRES, duration: 3600000 },
      },
    },
  };
}

export function glucoseItem(factory: string, mgdl: number, extra: Record<string, unknown> = {}) {
  return {
    FactoryTimestamp: factory,
    Timestamp: factory,
    type: 1,
    ValueInMgPerDl: mgdl,
    TrendArrow: 3,
    TrendMessage: null,
    MeasurementColor: 1,
    GlucoseUnits: 1,
    Value: mgdl,
    isHigh: false,
    isLow: false,
    ...extra,
  };
}

export function connectionBody(patientId = 'p-1', mgdl = 120) {
  return {
    id: `c-${patientId}`,
    patientId,
    country: 'DE',
    status: 2,
    firstName: 'Anna',
    lastName: 'Smith',
    targetLow: 70,
    targetHigh: 180,
    uom: 1,
    sensor: { deviceId: '', sn: 'SN123', a: 1_700_000_000, w: 60, pt: 4 },
    alarmRules: { h: { on: true, th: 250 }, l: { on: true, th: 70 }, f: { th: 55 } },
    glucoseMeasurement: glucoseItem('11/25/2026 5:00:00 AM', mgdl),
    glucoseAlarm: null,
    patientDevice: { did: 'd', dtid: 40068, fixedLowAlarmValues: { mgdl: 60, mmoll: 3.3 } },
    created: 1_700_000_000,
  };
}

export function connectionsOk(ticket?: { token: string; expires: number }): Reply {
  return {
    json: {
      status: 0,
      data: [connectionBody()],
      ...(ticket ? { ticket: { ...ticket, duration: 15552000000 } } : {}),
    },
  };
}

export function graphOk(patientId = 'p-1'): Reply {
  return {
    json: {
      status: 0,
      data: {
        connection: connectionBody(patientId),
        activeSensors: [
          { sensor: { deviceId: 'd', sn: 'SN123', a: 1_700_000_000, w: 60, pt: 4 }, device: {} },
        ],
        graphData: [
          { ...glucoseItem('11/25/2026 4:45:00 AM', 118, { type: 0 }), TrendArrow: undefined },
          { ...glucoseItem('11/25/2026 4:40:00 AM', 115, { type: 0 }), TrendArrow: undefined },
        ],
      },
    },
  };
}
