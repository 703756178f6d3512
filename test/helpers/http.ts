// A plain HTTP caller for tests of the bridge's HTTP listener (node:http, so any method and header
// reaches the server as written), and a healthy report to serve.

import { request } from 'node:http';
import type { HealthReport } from '../../src/http/health.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function call(
  url: string,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export const HEALTHY: HealthReport = {
  httpStatus: 200,
  body: {
    status: 'ok',
    broker_connected: true,
    reasons: [],
    started_at: '2026-11-25T02:00:00.000Z',
    accounts: [],
  },
};
