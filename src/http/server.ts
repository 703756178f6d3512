// The optional HTTP listener: GET /health for Docker's HEALTHCHECK and monitoring, and a hook for the
// status page. Behind Home Assistant ingress, requests arrive with the ingress prefix already removed
// (the Supervisor proxies to "/") but may also be proxied with it kept, so routes match on the last
// path segment and never on the whole path.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { HealthReport } from './health.js';

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port */
  port: number;
  logger: Logger;
  health: () => HealthReport;
  /** Status page hook: return true when the request was answered. Called for every non-/health request. */
  pages?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Peers allowed past /health (the add-on: the ingress proxy and loopback); absent: everyone. */
  pagesAllowFrom?: readonly string[] | undefined;
}

export interface HttpServer {
  /** e.g. http://127.0.0.1:8099 (a wildcard host is shown as 127.0.0.1) */
  url: string;
  port: number;
  close(): Promise<void>;
}

export class HttpListenError extends AppError<'http_listen'> {
  override readonly name = 'HttpListenError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('http_listen', message, options);
  }
}

/** The request path without query, with any prefix (ingress path) before the last segment kept. */
export function requestPath(req: IncomingMessage): string {
  const raw = req.url ?? '/';
  const q = raw.search(/[?#]/);
  return q === -1 ? raw : raw.slice(0, q);
}

/** Whether the peer's address is in `allow` (IPv4-mapped IPv6 addresses compared as IPv4). */
function peerAllowed(req: IncomingMessage, allow: readonly string[]): boolean {
  const raw = req.socket.remoteAddress ?? '';
  const peer = raw.startsWith('::ffff:') ? raw.slice(7) : raw;
  return allow.includes(peer);
}

/** True for "/health", "/health/", and "<any prefix>/health" such as "/api/hassio_ingress/TOKEN/health". */
export function isHealthPath(path: string): boolean {
  return /(^|\/)health\/?$/.test(path);
}

function send(res: ServerResponse, status: number, body: unknown, head = false): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(head ? undefined : text);
}

function handle(options: HttpServerOptions, req: IncomingMessage, res: ServerResponse): void {
  const path = requestPath(req);
  const head = req.method === 'HEAD';
  if (isHealthPath(path)) {
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, { error: 'method not allowed' });
      return;
    }
    let report: HealthReport;
    try {
      report = options.health();
    } catch (error) {
      options.logger.error({ err: error }, 'health check failed');
      send(res, 503, { status: 'error', reasons: ['the health check itself failed'] }, head);
      return;
    }
    send(res, report.httpStatus, report.body, head);
    return;
  }
  if (options.pagesAllowFrom !== undefined && !peerAllowed(req, options.pagesAllowFrom)) {
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end('The status page is served through Home Assistant ingress only.\n');
    return;
  }
  if (options.pages?.(req, res)) return;
  send(res, 404, { error: 'not found' }, head);
}

export function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { host, port, logger } = options;
  const server = createServer((req, res) => {
    try {
      handle(options, req, res);
    } catch (error) {
      logger.error({ err: error, path: requestPath(req) }, 'HTTP request failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    }
  });
  // Keep-alive connections from HA's ingress proxy must not hold close() open.
  server.keepAliveTimeout = 5_000;

  return new Promise<HttpServer>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use: set http.port to a free port`
          : error.code === 'EACCES'
            ? `no permission to listen on port ${port}: use a port above 1023`
            : error.message;
      reject(new HttpListenError(`HTTP listener could not start: ${why}`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      server.on('error', (error) => logger.error({ err: error }, 'HTTP listener error'));
      const actual = (server.address() as AddressInfo).port;
      const shown = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
      const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${actual}`;
      logger.info(
        { url, host },
        `HTTP listener started (GET /health${options.pages ? `, status page at ${url}/` : ''})`,
      );
      let closing: Promise<void> | null = null;
      resolve({
        url,
        port: actual,
        close: () => {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
