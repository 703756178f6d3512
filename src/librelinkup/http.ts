// The one place that talks HTTP to LibreLinkUp: app-like headers, a per-request timeout, a
// keep-alive agent, a small cookie jar, and classification of every answer into a JSON body or an
// LluError. Logs method, endpoint, host, status and duration at debug: never bodies or headers.

import http from 'node:http';
import https from 'node:https';
import nodeFetch from 'node-fetch';
import type { Logger } from '../log.js';
import { safeTimeout } from '../timers.js';
import { packageVersion } from '../version.js';
import { classifyAnswer } from './classify.js';
import { CookieJar, setCookieLines } from './cookies.js';
import { isLluError, LluError } from './errors.js';
import { MAX_BODY_BYTES } from './limits.js';

export interface FetchHeadersLike {
  get(name: string): string | null;
  raw?: () => Record<string, string[]>;
  getSetCookie?: () => string[];
}

export interface FetchResponseLike {
  status: number;
  headers: FetchHeadersLike;
  text(): Promise<string>;
  /** the (already decompressed) body as a stream; read with a size cap when present */
  body?: AsyncIterable<Uint8Array> | null;
}

export interface FetchInitLike {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  redirect: 'manual';
  agent?: (url: URL) => http.Agent;
}

/** node-fetch's shape, narrowed to what we use; tests inject their own. */
export type FetchLike = (url: string, init: FetchInitLike) => Promise<FetchResponseLike>;

export const DEFAULT_TIMEOUT_MS = 20_000;
export const PRODUCT = 'llu.android';

/** Android-WebView-like, as the app is, plus an honest product token. */
export function defaultUserAgent(): string {
  return `Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.0.0 Mobile Safari/537.36 librelinkup2mqtt/${packageVersion()}`;
}

export interface LluRequest {
  /** login | continue | connections | graph | logbook: for logs, stats and error messages */
  endpoint: string;
  method: 'GET' | 'POST';
  url: string;
  /** `version` header */
  version: string;
  /** JSON body (POST) */
  body?: unknown;
  /** Bearer token (session or step token) */
  token?: string;
  /** Account-Id header: sha256 hex of user.id */
  accountIdHash?: string;
}

export interface TransportOptions {
  logger: Logger;
  timeoutMs?: number;
  userAgent?: string;
  fetch?: FetchLike;
  now?: () => number;
  /** decompressed size above which an answer is refused (default MAX_BODY_BYTES) */
  maxBodyBytes?: number;
}

export interface TransportStats {
  requests: number;
  byEndpoint: Record<string, number>;
}

export class Transport {
  readonly stats: TransportStats = { requests: 0, byEndpoint: {} };
  /** `Date` header of the latest answer: LibreLinkUp's clock (see upstream-clock.ts) */
  lastDateHeader: string | null = null;
  private readonly cookies = new CookieJar();
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly fetch: FetchLike;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly now: () => number;

  constructor(private readonly options: TransportOptions) {
    this.fetch = options.fetch ?? (nodeFetch as unknown as FetchLike);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.userAgent = options.userAgent ?? defaultUserAgent();
    this.now = options.now ?? Date.now;
  }

  /** Sends one request; resolves with the parsed JSON body or rejects with an LluError. */
  async request(req: LluRequest): Promise<unknown> {
    const url = new URL(req.url);
    const host = url.host;
    const headers: Record<string, string> = {
      product: PRODUCT,
      version: req.version,
      accept: 'application/json',
      'content-type': 'application/json',
      'cache-control': 'no-cache',
      pragma: 'no-cache',
      'accept-encoding': 'gzip',
      'user-agent': this.userAgent,
    };
    if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`;
    if (req.accountIdHash !== undefined) headers['account-id'] = req.accountIdHash;
    const cookie = this.cookies.header(host, this.now());
    if (cookie !== null) headers.cookie = cookie;

    this.stats.requests += 1;
    this.stats.byEndpoint[req.endpoint] = (this.stats.byEndpoint[req.endpoint] ?? 0) + 1;
    const started = this.now();
    const controller = new AbortController();
    let timedOut = false;
    const timer = safeTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const log = { method: req.method, endpoint: req.endpoint, host };

    let status: number;
    let text: string;
    let res: FetchResponseLike;
    try {
      res = await this.fetch(url.toString(), {
        method: req.method,
        headers,
        ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
        signal: controller.signal,
        redirect: 'manual',
        agent: (u: URL) => (u.protocol === 'http:' ? this.httpAgent : this.httpsAgent),
      });
      status = res.status;
      text = await readCapped(res, this.options.maxBodyBytes ?? MAX_BODY_BYTES, req.endpoint, host);
    } catch (err) {
      // A request that could not even be built (a header value Node refuses) is a bug of ours, not
      // the network: thrown as is, the bridge reports it as internal.
      if (isRequestBug(err)) throw err;
      if (isLluError(err)) {
        // Only the size cap throws an LluError here; the generic "could not read" needs this detail.
        controller.abort();
        this.options.logger.warn({ ...log, durationMs: this.now() - started }, err.message);
        throw err;
      }
      const durationMs = this.now() - started;
      if (timedOut) {
        this.options.logger.debug({ ...log, durationMs, error: 'timeout' }, 'LibreLinkUp request timed out');
        throw new LluError(
          'timeout',
          `LibreLinkUp unreachable (timeout after ${this.timeoutMs} ms on ${req.endpoint} at ${host})`,
          {
            endpoint: req.endpoint,
          },
        );
      }
      const code = networkCode(err);
      this.options.logger.debug({ ...log, durationMs, error: code }, 'LibreLinkUp request failed');
      throw new LluError('network', `LibreLinkUp unreachable (${code} on ${req.endpoint} at ${host})`, {
        endpoint: req.endpoint,
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }

    const now = this.now();
    this.lastDateHeader = res.headers.get('date');
    this.cookies.store(host, setCookieLines(res.headers), now);
    this.options.logger.debug({ ...log, status, durationMs: now - started }, 'LibreLinkUp request');
    return classifyAnswer({
      status,
      contentType: res.headers.get('content-type'),
      text,
      retryAfter: res.headers.get('retry-after'),
      endpoint: req.endpoint,
      host,
      now,
    });
  }

  /** Drops idle keep-alive sockets (call when the client is discarded). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function isRequestBug(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof TypeError && typeof code === 'string' && /^ERR_(INVALID|HTTP_INVALID)/.test(code);
}

/**
 * The body as text, refused once it grows past `max` bytes. node-fetch inflates gzip/deflate/br
 * before we see it, so a small compressed answer can grow to gigabytes: counting the inflated
 * stream is what keeps memory bounded.
 */
export async function readCapped(
  res: FetchResponseLike,
  max: number,
  endpoint: string,
  host: string,
): Promise<string> {
  const tooLarge = () =>
    new LluError(
      'malformed',
      `LibreLinkUp answered more than ${formatMb(max)} on ${endpoint} at ${host}; the answer was refused unread`,
      { endpoint },
    );
  // With compression this counts the compressed bytes: already too large means surely too large.
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > max) throw tooLarge();
  const body = res.body;
  if (body === undefined || body === null || typeof body[Symbol.asyncIterator] !== 'function') {
    const text = await res.text();
    if (Buffer.byteLength(text) > max) throw tooLarge();
    return text;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop by throwing destroys the stream, so inflating stops here too.
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > max) throw tooLarge();
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function formatMb(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB` : `${bytes} bytes`;
}

function networkCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; errno?: unknown; cause?: { code?: unknown }; name?: unknown };
    for (const c of [e.code, e.errno, e.cause?.code]) if (typeof c === 'string' && c !== '') return c;
    if (typeof e.name === 'string') return e.name;
  }
  return 'network error';
}
