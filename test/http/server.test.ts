import { afterEach, describe, expect, it } from 'vitest';
import type { AccountStatus } from '../../src/bridge/events.js';
import { type HealthReport, healthReport } from '../../src/http/health.js';
import { HttpListenError, type HttpServer, isHealthPath, startHttpServer } from '../../src/http/server.js';
import { registerSecret, silentLogger } from '../../src/log.js';
import { call, HEALTHY } from '../helpers/http.js';

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(
  health: () => HealthReport = () => HEALTHY,
  pages?: Parameters<typeof startHttpServer>[0]['pages'],
) {
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    health,
    ...(pages ? { pages } : {}),
  });
  servers.push(server);
  return server;
}

describe('HTTP listener', () => {
  it('listens on the given host and a free port', async () => {
    const server = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('answers GET /health with 200 and the JSON report', async () => {
    const server = await start();
    const res = await call(server.url, '/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(res.body)).toEqual(HEALTHY.body);
  });

  it('answers 503 when the report says unhealthy', async () => {
    const server = await start(() =>
      healthReport({ brokerConnected: false, accounts: [], now: Date.now(), startedAt: 0 }),
    );
    const res = await call(server.url, '/health?probe=1');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'error', broker_connected: false });
  });

  it('answers 404 for other paths', async () => {
    const server = await start();
    for (const path of ['/', '/healthz', '/x/health/more', '/unhealth']) {
      const res = await call(server.url, path);
      expect(res.status, path).toBe(404);
    }
  });

  it('routes by path suffix, so it works behind a Home Assistant ingress prefix', async () => {
    const server = await start();
    const prefix = '/api/hassio_ingress/4dBQ8yL2Xc7s';
    const res = await call(server.url, `${prefix}/health`, 'GET', { 'X-Ingress-Path': prefix });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).status).toBe('ok');
    expect(isHealthPath('/health/')).toBe(true);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const server = await start();
    const head = await call(server.url, '/health', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const post = await call(server.url, '/health', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('hands every other path to the pages hook first', async () => {
    const seen: string[] = [];
    const server = await start(
      () => HEALTHY,
      (req, res) => {
        seen.push(req.url ?? '');
        if (req.url !== '/') return false;
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<h1>status</h1>');
        return true;
      },
    );
    expect((await call(server.url, '/')).body).toBe('<h1>status</h1>');
    expect((await call(server.url, '/other')).status).toBe(404);
    expect((await call(server.url, '/health')).status).toBe(200);
    expect(seen).toEqual(['/', '/other']);
  });

  it('answers 503 when the health callback throws', async () => {
    const server = await start(() => {
      throw new Error('boom');
    });
    const res = await call(server.url, '/health');
    expect(res.status).toBe(503);
  });

  it('never serves secrets: passwords or tokens', async () => {
    registerSecret('s3cret-password-value');
    const account: AccountStatus = {
      key: 'acct_1a2b3c4d',
      label: 'an***@example.com',
      ok: false,
      errorKind: 'bad_credentials',
      message: 'Wrong e-mail or password (tried s3cret-password-value); Bearer eyJhbGciOiJIUzI1NiJ9.x.y',
      lastSuccessAt: null,
      lastErrorAt: 1,
      nextPollAt: null,
      blockedUntil: null,
      requests: 1,
      logins: 1,
    };
    const server = await start(() =>
      healthReport({ brokerConnected: true, accounts: [account], now: Date.now(), startedAt: 0 }),
    );
    const res = await call(server.url, '/health');
    expect(res.body).not.toContain('s3cret-password-value');
    expect(res.body).not.toContain('eyJhbGciOiJIUzI1NiJ9');
    expect(res.body).not.toMatch(/"requests"|"logins"|"blockedUntil"/);
  });

  it('reports a port in use with a message naming the fix', async () => {
    const first = await start();
    await expect(
      startHttpServer({ host: '127.0.0.1', port: first.port, logger: silentLogger(), health: () => HEALTHY }),
    ).rejects.toThrow(HttpListenError);
    await expect(
      startHttpServer({ host: '127.0.0.1', port: first.port, logger: silentLogger(), health: () => HEALTHY }),
    ).rejects.toThrow(/already in use: set http.port/);
  });

  it('closes promptly even with a keep-alive connection open', async () => {
    const server = await start();
    await call(server.url, '/health', 'GET', { connection: 'keep-alive' });
    const started = Date.now();
    await server.close();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    servers.splice(servers.indexOf(server), 1);
  });
});
