// The transport with an injected fetch: options, cookies, abort on timeout; plus its small helpers.

import { describe, expect, it } from 'vitest';
import { CookieJar, setCookieLines } from '../../src/librelinkup/cookies.js';
import { type FetchInitLike, type FetchLike, Transport } from '../../src/librelinkup/http.js';
import { compareVersions, isVersionString, maxVersion } from '../../src/librelinkup/versions.js';
import { silentLogger } from '../../src/log.js';
import { rejectsLlu } from './helpers/errors.js';

interface Call {
  url: string;
  init: FetchInitLike;
}

function fakeFetch(
  answers: Array<{ status: number; body: string; headers?: Record<string, string | string[]> }>,
) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    const a = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    const headers = a.headers ?? {};
    return {
      status: a.status,
      headers: {
        get: (name: string) => {
          const v = headers[name.toLowerCase()];
          return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
        },
        getSetCookie: () => {
          const v = headers['set-cookie'];
          return v === undefined ? [] : Array.isArray(v) ? v : [v];
        },
      },
      text: async () => a.body,
    };
  };
  return { fetch, calls };
}

describe('Transport', () => {
  it('sends the user agent option and keeps Cloudflare cookies per host', async () => {
    const { fetch, calls } = fakeFetch([
      {
        status: 200,
        body: '{"status":0}',
        headers: { 'set-cookie': ['__cf_bm=abc123; path=/; HttpOnly', 'x=1; Max-Age=0'] },
      },
      { status: 200, body: '{"status":0}' },
    ]);
    const t = new Transport({ logger: silentLogger(), fetch, userAgent: 'UA/1' });
    const req = { endpoint: 'connections', method: 'GET' as const, version: '4.16.0' };
    await t.request({ ...req, url: 'https://api-eu.libreview.io/llu/connections' });
    await t.request({ ...req, url: 'https://api-eu.libreview.io/llu/connections' });
    await t.request({ ...req, url: 'https://api-de.libreview.io/llu/connections' });
    expect(calls[0]!.init.headers['user-agent']).toBe('UA/1');
    expect(calls[0]!.init.headers.cookie).toBeUndefined();
    expect(calls[1]!.init.headers.cookie).toBe('__cf_bm=abc123');
    expect(calls[2]!.init.headers.cookie).toBeUndefined();
    expect(calls[0]!.init.redirect).toBe('manual');
    expect(t.stats).toEqual({ requests: 3, byEndpoint: { connections: 3 } });
    t.close();
  });

  it('aborts a request that outlives the timeout', async () => {
    const fetch: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => {
        init.signal.addEventListener('abort', () =>
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
        );
      });
    const t = new Transport({ logger: silentLogger(), fetch, timeoutMs: 50 });
    const err = await rejectsLlu(
      t.request({ endpoint: 'login', method: 'POST', version: '1', url: 'http://x/' }),
    );
    expect(err.kind).toBe('timeout');
  });

  it('a rejected fetch is a network error carrying the code', async () => {
    const fetch: FetchLike = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const t = new Transport({ logger: silentLogger(), fetch });
    const err = await rejectsLlu(
      t.request({ endpoint: 'login', method: 'POST', version: '1', url: 'http://x/' }),
    );
    expect(err.kind).toBe('network');
    expect(err.message).toContain('ENOTFOUND');
  });
});

describe('CookieJar', () => {
  it('honours Max-Age and Expires, ignores junk', () => {
    const jar = new CookieJar();
    const now = 1_000_000;
    jar.store(
      'h',
      ['a=1; Max-Age=10', 'b=2; Expires=Thu, 01 Jan 1970 00:00:00 GMT', '=x', 'bad name=1', 'c=3'],
      now,
    );
    expect(jar.header('h', now)).toBe('a=1; c=3');
    expect(jar.header('h', now + 11_000)).toBe('c=3');
    expect(jar.header('other', now)).toBeNull();
  });

  it('reads Set-Cookie from node-fetch raw() or a joined header', () => {
    expect(setCookieLines({ get: () => null, raw: () => ({ 'set-cookie': ['a=1', 'b=2'] }) })).toEqual([
      'a=1',
      'b=2',
    ]);
    expect(setCookieLines({ get: () => 'a=1; Expires=Wed, 21 Oct 2099 07:28:00 GMT, b=2' })).toEqual([
      'a=1; Expires=Wed, 21 Oct 2099 07:28:00 GMT',
      ' b=2',
    ]);
  });
});

describe('versions', () => {
  it('compares numerically and refuses non-versions', () => {
    expect(compareVersions('4.16.0', '4.9.0')).toBe(1);
    expect(compareVersions('4.16', '4.16.0')).toBe(0);
    expect(maxVersion('4.16.0', '4.17.0')).toBe('4.17.0');
    expect(maxVersion('4.16.0', '4.2')).toBe('4.16.0');
    expect(maxVersion('4.16.0', '5.0.0; evil')).toBe('4.16.0');
    expect(isVersionString('4.16.0\r\nx: y')).toBe(false);
  });
});
