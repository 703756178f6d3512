// The status page over real HTTP: the page, its assets and status.json at "/" and at a Home Assistant
// ingress-like prefix, with every URL in the page relative and nothing fetched from elsewhere.
import { afterEach, describe, expect, it } from 'vitest';
import { type App, startApp } from '../../src/app.js';
import { type HttpServer, startHttpServer } from '../../src/http/server.js';
import type { StatusBody } from '../../src/http/status.js';
import { CONTENT_SECURITY_POLICY, statusPages } from '../../src/http/status-page.js';
import { silentLogger } from '../../src/log.js';
import { call, HEALTHY } from '../helpers/http.js';
import {
  FAILING_EMAIL,
  FRESH_EMAIL,
  FRESH_PATIENT_ID,
  PASSWORD,
  STALE_EMAIL,
  STALE_PATIENT_ID,
  statusConfig,
  statusWhen,
  upstreams,
} from './status-app.js';

const STATUS: StatusBody = {
  generated_at: '2026-11-25T04:00:00.000Z',
  version: '9.9.9',
  refresh_seconds: 10,
  stale_after_minutes: 15,
  patients: [],
  health: { status: 'ok', status_text: 'Running', broker_connected: true, reasons: [], accounts: [] },
};

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(status: () => StatusBody = () => STATUS, dir?: URL) {
  const logger = silentLogger();
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger,
    health: () => HEALTHY,
    pages: statusPages({ status, logger, ...(dir ? { dir } : {}) }),
  });
  servers.push(server);
  return server;
}

/** Every src/href in the HTML. */
function urls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
}

const PREFIX = '/api/hassio_ingress/4dBQ8yL2Xc7s-ZzY';

describe('status page over HTTP', () => {
  for (const base of ['', PREFIX]) {
    const where = base === '' ? 'at /' : 'at an ingress prefix';
    it(`serves the page, its assets and status.json ${where}`, async () => {
      const server = await start();
      const headers: Record<string, string> = base === '' ? {} : { 'X-Ingress-Path': base };
      const page = await call(server.url, `${base}/`, 'GET', headers);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(page.body).toContain('Not a medical device');
      const assets = urls(page.body);
      expect(assets).toEqual(expect.arrayContaining(['./style.css', './chart.css', './app.js']));
      for (const u of assets) {
        // The browser resolves these against the page URL, so they stay under the prefix.
        const resolved = new URL(u, `http://127.0.0.1${base}/`);
        if (resolved.protocol === 'data:') continue;
        expect(resolved.pathname.startsWith(`${base}/`), u).toBe(true);
        const res = await call(server.url, resolved.pathname, 'GET', headers);
        expect(res.status, u).toBe(200);
      }
      const js = await call(server.url, `${base}/app.js`, 'GET', headers);
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      const css = await call(server.url, `${base}/style.css`, 'GET', headers);
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
      const json = await call(server.url, `${base}/status.json?t=1`, 'GET', headers);
      expect(json.status).toBe(200);
      expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(json.headers['cache-control']).toBe('no-store');
      expect(JSON.parse(json.body)).toEqual(STATUS);
      const index = await call(server.url, `${base}/index.html`, 'GET', headers);
      expect(index.body).toBe(page.body);
      // /health keeps working next to the page.
      expect((await call(server.url, `${base}/health`, 'GET', headers)).status).toBe(200);
    });
  }

  it('uses only relative URLs in the page, script and stylesheet: nothing absolute, nothing external', async () => {
    const server = await start();
    const html = (await call(server.url, '/')).body;
    for (const u of urls(html)) expect(u, u).toMatch(/^(\.\/[a-z.]+|data:.*)$/);
    const js = (await call(server.url, '/app.js')).body;
    // The only absolute URL in the script is the SVG namespace, which is a name, never fetched.
    expect([...js.matchAll(/https?:\/\/[^'"`\s)]+/g)].map((m) => m[0])).toEqual([
      'http://www.w3.org/2000/svg',
    ]);
    expect([...js.matchAll(/fetch\(([^,)]+)/g)].map((m) => m[1])).toEqual(["'./status.json'"]);
    for (const sheet of ['/style.css', '/chart.css']) {
      const css = (await call(server.url, sheet)).body;
      expect(css.length, sheet).toBeGreaterThan(0);
      expect(css, sheet).not.toMatch(/url\(|@import|@font-face/);
    }
  });

  it('sends a browser at the ingress path without its trailing slash to the path with it', async () => {
    const server = await start();
    const res = await call(server.url, PREFIX, 'GET', { 'X-Ingress-Path': PREFIX });
    expect(res.status).toBe(308);
    // Relative, so it is right whatever the proxy in front calls the host.
    expect(res.headers.location).toBe('4dBQ8yL2Xc7s-ZzY/');
    expect(new URL(String(res.headers.location), `http://h${PREFIX}`).pathname).toBe(`${PREFIX}/`);
  });

  it('answers fresh status on every request', async () => {
    let n = 0;
    const server = await start(() => ({ ...STATUS, version: `v${++n}` }));
    expect(JSON.parse((await call(server.url, '/status.json')).body).version).toBe('v1');
    expect(JSON.parse((await call(server.url, '/status.json')).body).version).toBe('v2');
  });

  it('answers HEAD without a body, refuses other methods, and 404s unknown files', async () => {
    const server = await start();
    const head = await call(server.url, '/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
    const post = await call(server.url, '/status.json', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    for (const path of ['/app.ts', '/../package.json', '/page/index.html.bak', '/favicon.ico', '/x.js']) {
      expect((await call(server.url, path)).status, path).toBe(404);
    }
  });

  it('answers 500, not a crash, when the page files are missing from the build', async () => {
    const server = await start(() => STATUS, new URL('file:///nonexistent-status-page-dir/'));
    expect((await call(server.url, '/')).status).toBe(500);
    expect((await call(server.url, '/status.json')).status).toBe(200);
  });

  it('answers 500 when building the status fails, and keeps serving', async () => {
    let fail = true;
    const server = await start(() => {
      if (fail) throw new Error('boom');
      return STATUS;
    });
    expect((await call(server.url, '/status.json')).status).toBe(500);
    fail = false;
    expect((await call(server.url, '/status.json')).status).toBe(200);
  });
});

describe('status page served by the running app', () => {
  let app: App | null = null;
  afterEach(async () => {
    await app?.stop();
    app = null;
  });

  it('serves status.json with every patient, the chart history, the stale flag and account health', async () => {
    app = await startApp(statusConfig(), {
      logger: silentLogger(),
      version: '0.0.0-test',
      makeClient: upstreams(),
    });
    const url = app.httpUrl!;
    const s = await statusWhen(url, (st) => st.patients.length === 2, 'both patients');
    expect(s.patients.map((p) => p.name)).toEqual(['Anna Smith', 'Ben Jones']);
    // The "poll now" button's path: the second answer opens a gap, which the bridge backfills from the graph.
    app.bridge.pollNow();
    await statusWhen(url, (st) => st.patients.every((p) => p.chart.points.length > 100), 'graph backfill');
    const now = await statusWhen(url, () => true, 'status');
    const [anna, ben] = now.patients;
    expect(anna).toMatchObject({ name: 'Anna Smith', unit: 'mg/dL', trend_arrow: '↗', stale: false });
    expect(anna!.account).toBe('an***@example.com');
    expect(ben).toMatchObject({ name: 'Ben Jones', unit: 'mmol/L', trend_arrow: '↘', stale: true });
    expect(ben!.stale_text).toMatch(/^Stale: no new reading for 4\d min$/);
    expect(ben!.target_low).toBe(4);
    expect(ben!.target_high).toBe(9);
    const { health } = now;
    expect(health.accounts.map((a) => [a.name, a.ok])).toEqual([
      ['an***@example.com', true],
      ['be***@example.com', true],
      ['ca***@example.org', false],
    ]);
    expect(health.accounts[2]!.last_error).toMatch(/rate-limiting/);
    expect(health.status).toBe('degraded');
    const text = JSON.stringify(now);
    for (const secret of [
      FRESH_EMAIL,
      STALE_EMAIL,
      FAILING_EMAIL,
      PASSWORD,
      FRESH_PATIENT_ID,
      STALE_PATIENT_ID,
    ]) {
      expect(text).not.toContain(secret);
    }
    // The same at an ingress prefix.
    const prefixed = await call(url, `${PREFIX}/status.json`, 'GET', { 'X-Ingress-Path': PREFIX });
    expect((JSON.parse(prefixed.body) as StatusBody).patients).toHaveLength(2);
    expect((await call(url, `${PREFIX}/`, 'GET', { 'X-Ingress-Path': PREFIX })).body).toContain('./app.js');
  });

  it('with pagesAllowFrom (the add-on): the page is refused to other peers, /health still answers', async () => {
    app = await startApp(statusConfig(), {
      logger: silentLogger(),
      version: '0.0.0-test',
      makeClient: upstreams(),
      pagesAllowFrom: ['172.30.32.2'],
    });
    const url = app.httpUrl!;
    const page = await call(url, '/status.json', 'GET');
    expect(page.status).toBe(403);
    expect(page.body).not.toMatch(/glucose|Anna/i);
    expect((await call(url, '/', 'GET')).status).toBe(403);
    expect([200, 503]).toContain((await call(url, '/health', 'GET')).status);
    await app.stop();
    app = await startApp(statusConfig(), {
      logger: silentLogger(),
      version: '0.0.0-test',
      makeClient: upstreams(),
      pagesAllowFrom: ['127.0.0.1', '::1'],
    });
    expect((await call(app.httpUrl!, '/status.json', 'GET')).status).toBe(200);
  });
});
