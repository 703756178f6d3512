// Serves the status page (src/http/page, copied to dist/http/page by scripts/postbuild.mjs) and its
// status.json through the HTTP listener's `pages` hook. Like /health, routes match on the last path
// segment only, so the page works at "/" and behind Home Assistant ingress at a sub-path such as
// /api/hassio_ingress/TOKEN/; the page refers to its assets and data by relative URLs only.

import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { requestPath } from './server.js';
import type { StatusBody } from './status.js';

export const PAGE_DIR = new URL('./page/', import.meta.url);

interface Asset {
  file: string;
  type: string;
}

/** Last path segment → file in PAGE_DIR. "" is a path ending in "/" (the page itself). */
const ASSETS: Readonly<Record<string, Asset>> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  'style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  'chart.css': { file: 'chart.css', type: 'text/css; charset=utf-8' },
};

/**
 * Same-origin only: no CDN, no fonts, no external requests of any kind. The SVG chart is built with
 * DOM calls, so no inline script or style is needed. `frame-ancestors 'self'` lets ingress embed it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

export interface StatusPagesOptions {
  status: () => StatusBody;
  logger: Logger;
  /** where index.html, app.js and style.css live; default PAGE_DIR */
  dir?: URL;
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function reply(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  head: boolean,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...extra,
  });
  res.end(head ? undefined : body);
}

/** The `pages` hook for startHttpServer: answers the page, its assets and status.json; false otherwise. */
export function statusPages(
  options: StatusPagesOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const dir = options.dir ?? PAGE_DIR;
  const cache = new Map<string, Buffer>();
  const load = (file: string): Buffer => {
    let body = cache.get(file);
    if (body === undefined) {
      body = readFileSync(new URL(file, dir));
      cache.set(file, body);
    }
    return body;
  };

  return (req, res) => {
    const path = requestPath(req);
    const segment = lastSegment(path);
    const head = req.method === 'HEAD';
    const json = segment === 'status.json';
    const asset = Object.hasOwn(ASSETS, segment) ? ASSETS[segment] : undefined;
    // Proxied with the ingress prefix kept but without the trailing slash, relative URLs would resolve
    // one level too high: send the browser to the same place with the slash (a relative Location).
    const ingress = req.headers['x-ingress-path'];
    if (typeof ingress === 'string' && ingress !== '' && path === ingress.replace(/\/+$/, '')) {
      reply(res, 308, 'text/plain; charset=utf-8', '', head, { location: `${segment}/` });
      return true;
    }
    if (!json && asset === undefined) return false;
    if (req.method !== 'GET' && !head) {
      reply(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', head, { allow: 'GET, HEAD' });
      return true;
    }
    if (json) {
      const text = `${JSON.stringify(options.status())}\n`;
      reply(res, 200, 'application/json; charset=utf-8', text, head);
      return true;
    }
    let body: Buffer;
    try {
      body = load(asset!.file);
    } catch (error) {
      options.logger.error({ err: error, file: asset!.file }, 'status page file missing from the build');
      reply(res, 500, 'text/plain; charset=utf-8', 'status page not available in this build\n', head);
      return true;
    }
    reply(res, 200, asset!.type, body, head, { 'content-security-policy': CONTENT_SECURITY_POLICY });
    return true;
  };
}
