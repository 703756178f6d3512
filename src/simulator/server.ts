// The fake LibreLinkUp server: an independent reading of ../shared/reference (the HTTP dump and the
// API notes), used by the tests, by `demo` and by the benchmarks. It never imports src/librelinkup, so
// the client's misreadings cannot hide here. One HTTP listener serves the global host at "/" and each
// regional host at "/r/{region}/" (routes.ts). This file is the HTTP plumbing: faults first
// (fault-answers.ts), then the routes (login-routes.ts, data-routes.ts), then the request log.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { controls } from './controls.js';
import { authenticated } from './data-routes.js';
import { echoSecretsAnswer, faultAnswer } from './fault-answers.js';
import { type Answer, applyHostile, corrupt, FaultBook, reticket, sendBomb } from './faults.js';
import { continueStep, login } from './login-routes.js';
import { recorder, requestEmail } from './request-log.js';
import { type Handled, route } from './routes.js';
import { SimState, settingsFrom } from './sim-state.js';
import type { FakeLibreLinkUpServer, SimOptions, SimRequestLogEntry } from './types.js';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startFakeLibreLinkUp(options: SimOptions): Promise<FakeLibreLinkUpServer> {
  const settings = settingsFrom(options);
  const { now } = settings;
  const state = new SimState(settings, options);
  const faults = new FaultBook();
  const clock = { offsetMs: options.clockOffsetMs ?? 0 };
  const requests: SimRequestLogEntry[] = [];
  const hangs = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  function send(res: ServerResponse, answer: Answer): void {
    if (res.destroyed) return;
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      date: new Date(now() + clock.offsetMs).toUTCString(),
      'content-type': answer.contentType ?? 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...(answer.headers ?? {}),
    });
    res.end(text);
  }

  /** Waits `ms` (a hang fault); close() cuts every wait short. */
  function hang(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        hangs.delete(t);
        resolve();
      }, ms);
      hangs.add(t);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const r = route(req.method ?? 'GET', req.url ?? '/');
    const text = await readBody(req);
    let email = requestEmail(state, req, r, text);
    const log = recorder(requests, now, req, r, () => email);

    const fault = faults.take(r.endpoint, email);
    if (fault?.kind === 'hang') {
      log(0, 'hang');
      if (fault.ms === Number.POSITIVE_INFINITY) return;
      await hang(fault.ms);
      if (res.destroyed) return;
    }
    if (fault?.kind === 'echo_secrets') {
      const owner = email === null ? undefined : state.accounts.get(email.toLowerCase());
      const request = { isLogin: r.endpoint === 'login', text, authorization: req.headers.authorization };
      const answer = echoSecretsAnswer(fault, request, owner);
      log(answer.status, fault.kind);
      send(res, answer);
      return;
    }
    if (fault?.kind === 'bomb') {
      log(200, 'bomb');
      sendBomb(res, fault.inflatedMb ?? 512);
      return;
    }
    if (fault) {
      const answer = faultAnswer(fault, req.headers.host ?? '127.0.0.1', settings);
      if (answer) {
        log(answer.status, fault.kind);
        send(res, answer);
        return;
      }
    }
    let result: Handled;
    if (r.endpoint === 'login') result = login(state, r, text);
    else if (r.endpoint === 'continue') result = continueStep(state, req.headers.authorization, r);
    else if (r.endpoint === 'other')
      result = { answer: { status: 404, body: { message: 'NotFound' } }, email, outcome: 'not_found' };
    else result = authenticated(state, req.headers, r);
    email = result.email ?? email;
    let answer = result.answer;
    let outcome = result.outcome;
    const hostile = faults.takeHostile(r.endpoint, email);
    if (hostile.length > 0) {
      answer = applyHostile(answer, hostile, r.endpoint);
      outcome = `${outcome}+hostile`;
    }
    if (fault?.kind === 'malformed') {
      answer = corrupt(answer, fault.variant, r.endpoint);
      outcome = `malformed_${fault.variant}`;
    }
    if (fault?.kind === 'ticket') answer = reticket(answer, fault);
    log(answer.status, outcome);
    send(res, answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, { status: 500, body: { message: `simulator error: ${String(error)}` } });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const apiUrl = `http://127.0.0.1:${port}`;

  return {
    apiUrl,
    regionUrl: `${apiUrl}/r/{region}`,
    port,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    ...controls(state, clock),
    close: async () => {
      for (const t of hangs) clearTimeout(t);
      hangs.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
