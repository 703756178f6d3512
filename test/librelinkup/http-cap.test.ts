// Answers are capped after decompression: a small gzip that inflates to hundreds of MB is refused
// as malformed once the inflated stream passes the cap, and never held in memory whole.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FetchResponseLike, readCapped, Transport } from '../../src/librelinkup/http.js';
import { MAX_BODY_BYTES } from '../../src/librelinkup/limits.js';
import { silentLogger } from '../../src/log.js';
import { sendBomb } from '../../src/simulator/faults.js';
import { rejectsLlu } from './helpers/errors.js';

let server: Server;
let base = '';
let bombBytesSent = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/bomb') {
      const write = res.write.bind(res);
      res.write = ((chunk: Buffer, ...rest: never[]) => {
        bombBytesSent += chunk.length;
        return write(chunk, ...rest);
      }) as typeof res.write;
      sendBomb(res, 512);
      return;
    }
    const body = gzipSync(JSON.stringify({ status: 0, data: 'x'.repeat(100_000) }));
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const req = { endpoint: 'connections', method: 'GET' as const, version: '4.16.0' };

describe('answer size cap', () => {
  it('refuses a gzip bomb as malformed, naming the cap, after reading only a little of it', async () => {
    const t = new Transport({ logger: silentLogger() });
    const before = process.memoryUsage().rss;
    const err = await rejectsLlu(t.request({ ...req, url: `${base}/bomb` }));
    t.close();
    expect(err.message).toContain('more than 4 MB on connections');
    expect(err.kind).toBe('malformed');
    expect(bombBytesSent).toBeGreaterThan(0);
    // Inflating all 512 MB into a string would add well over 500 MB.
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('still reads an ordinary compressed answer', async () => {
    const t = new Transport({ logger: silentLogger() });
    const body = (await t.request({ ...req, url: `${base}/ok` })) as { data: string };
    t.close();
    expect(body.data).toHaveLength(100_000);
  });

  it('refuses a declared Content-Length above the cap without reading the body', async () => {
    let read = false;
    const res: FetchResponseLike = {
      status: 200,
      headers: { get: (n) => (n === 'content-length' ? String(MAX_BODY_BYTES + 1) : null) },
      text: async () => {
        read = true;
        return '';
      },
    };
    expect((await rejectsLlu(readCapped(res, MAX_BODY_BYTES, 'graph', 'h'))).kind).toBe('malformed');
    expect(read).toBe(false);
  });

  it('counts streamed bytes against the cap exactly', async () => {
    const stream = (n: number) => ({
      status: 200,
      headers: { get: () => null },
      text: async () => '',
      body: (async function* () {
        for (let i = 0; i < n; i++) yield new Uint8Array(10).fill(0x20);
      })(),
    });
    await expect(readCapped(stream(10), 100, 'graph', 'h')).resolves.toHaveLength(100);
    expect((await rejectsLlu(readCapped(stream(11), 100, 'graph', 'h'))).message).toContain(
      'more than 100 bytes on graph at h',
    );
  });
});
