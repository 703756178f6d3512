import { afterEach, describe, expect, it } from 'vitest';
import { fetchMqttService, parseMqttService } from '../../src/addon/supervisor.js';
import { closedPort, type FakeSupervisor, json, MOSQUITTO, startFakeSupervisor } from './fake-supervisor.js';

const fakes: FakeSupervisor[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function fake(respond: Parameters<typeof startFakeSupervisor>[0]) {
  const f = await startFakeSupervisor(respond);
  fakes.push(f);
  return f;
}

describe('fetchMqttService against a fake Supervisor', () => {
  it('returns the broker from {"result":"ok"} and sends the bearer token', async () => {
    const sup = await fake(json(200, { result: 'ok', data: MOSQUITTO }));
    const result = await fetchMqttService({ baseUrl: sup.url, token: 'tok-123456' });
    expect(result).toEqual({
      ok: true,
      service: {
        addon: 'core_mosquitto',
        host: 'core-mosquitto',
        port: 1883,
        ssl: false,
        username: 'addons',
        password: MOSQUITTO.password,
        protocol: '3.1.1',
      },
    });
    expect(sup.requests).toEqual([
      { method: 'GET', url: '/services/mqtt', authorization: 'Bearer tok-123456' },
    ]);
  });

  it('tells the user about mqtt:need and the Mosquitto add-on on "No access to mqtt service!"', async () => {
    const sup = await fake(json(403, { result: 'error', message: 'No access to mqtt service!' }));
    const result = await fetchMqttService({ baseUrl: sup.url, token: 't' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.kind).toBe('no_access');
    expect(result.message).toContain('No access to mqtt service!');
    expect(result.message).toContain('mqtt:need');
    expect(result.message).toContain('Mosquitto broker');
  });

  it('says to install a broker when the service is not enabled', async () => {
    const sup = await fake(json(400, { result: 'error', message: 'Service not enabled' }));
    const result = await fetchMqttService({ baseUrl: sup.url, token: 't' });
    expect(result).toMatchObject({ ok: false, kind: 'not_enabled' });
    if (!result.ok) expect(result.message).toMatch(/Install and start the "Mosquitto broker" add-on/);
  });

  it('passes any other Supervisor error message through', async () => {
    const sup = await fake(json(400, { result: 'error', message: 'Something else' }));
    const result = await fetchMqttService({ baseUrl: sup.url, token: 't' });
    expect(result).toMatchObject({ ok: false, kind: 'error' });
    if (!result.ok) expect(result.message).toContain('Something else');
  });

  it('reports an HTTP 500 without a Supervisor body', async () => {
    const sup = await fake((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal Server Error');
    });
    const result = await fetchMqttService({ baseUrl: sup.url, token: 't' });
    expect(result).toMatchObject({ ok: false, kind: 'http' });
    if (!result.ok) expect(result.message).toContain('HTTP 500');
  });

  it('reports a 200 answer that is not JSON', async () => {
    const sup = await fake((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>proxy page</html>');
    });
    const result = await fetchMqttService({ baseUrl: sup.url, token: 't' });
    expect(result).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('reports {"result":"ok"} without usable data', async () => {
    const sup = await fake(json(200, { result: 'ok', data: { host: 'core-mosquitto' } }));
    const result = await fetchMqttService({ baseUrl: sup.url, token: 't' });
    expect(result).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('gives up after the timeout when the Supervisor does not answer', async () => {
    const sup = await fake(() => {
      // never answers
    });
    const started = Date.now();
    const result = await fetchMqttService({ baseUrl: sup.url, token: 't', timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reports an unreachable Supervisor', async () => {
    const port = await closedPort();
    const result = await fetchMqttService({ baseUrl: `http://127.0.0.1:${port}`, token: 't' });
    expect(result).toMatchObject({ ok: false, kind: 'unreachable' });
    if (!result.ok) expect(result.message).toMatch(/ECONNREFUSED/);
  });

  it('uses an injected fetch', async () => {
    const seen: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      seen.push(String(input));
      return new Response(JSON.stringify({ result: 'ok', data: MOSQUITTO }), { status: 200 });
    };
    const result = await fetchMqttService({ token: 't', fetch: fakeFetch });
    expect(result.ok).toBe(true);
    expect(seen).toEqual(['http://supervisor/services/mqtt']);
  });
});

describe('parseMqttService', () => {
  it('accepts the port as a string, as the documentation example shows it', () => {
    const r = parseMqttService({ host: 'core-mosquitto', port: '8883', ssl: true, protocol: '3.1.1' });
    expect(r).toEqual({
      ok: true,
      service: { host: 'core-mosquitto', port: 8883, ssl: true, protocol: '3.1.1' },
    });
  });

  it('treats username and password as optional and defaults protocol and ssl', () => {
    const r = parseMqttService({ host: 'broker', port: 1883, username: '', password: null });
    expect(r).toEqual({ ok: true, service: { host: 'broker', port: 1883, ssl: false, protocol: '3.1.1' } });
  });

  it.each([
    [{ host: 'b', port: 'abc' }],
    [{ host: 'b', port: 0 }],
    [{ host: 'b', port: 70000 }],
    [{ host: '', port: 1883 }],
    [{ port: 1883 }],
    [null],
    ['text'],
  ])('refuses unusable data %j', (data) => {
    expect(parseMqttService(data)).toMatchObject({ ok: false, kind: 'invalid' });
  });
});
