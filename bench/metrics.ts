// Figures from raw observations: freshness of delivered readings against the simulator's truth, and
// upstream requests per new reading from the simulator's request log.

import { quantile } from './workload.js';

/** [timestamp, availableAt] of every reading that became visible upstream, per patient. */
export type Truth = Record<string, Array<[number, number]>>;

/** When each reading was first delivered: patientId → timestamp → epoch ms. */
export type Seen = Map<string, Map<number, number>>;

export function see(seen: Seen, patientId: string, timestamp: number, at: number): void {
  let m = seen.get(patientId);
  if (m === undefined) {
    m = new Map();
    seen.set(patientId, m);
  }
  if (!m.has(timestamp)) m.set(timestamp, at);
}

export interface Freshness {
  /** readings that became available upstream inside the window */
  readings: number;
  delivered: number;
  fraction: number;
  /** seconds from availability upstream to delivery, over delivered readings */
  medianS: number | null;
  p95S: number | null;
  maxS: number | null;
}

/** `startOf`: a later start per patient (e.g. its first publish), if any. */
export function freshness(
  truth: Truth,
  seen: Seen,
  from: number,
  to: number,
  startOf: (patientId: string) => number | undefined = () => undefined,
): Freshness {
  const delays: number[] = [];
  let readings = 0;
  for (const [patientId, list] of Object.entries(truth)) {
    const got = seen.get(patientId);
    const start = Math.max(from, startOf(patientId) ?? from);
    for (const [ts, availableAt] of list) {
      if (availableAt <= start || availableAt > to) continue;
      readings++;
      const at = got?.get(ts);
      if (at !== undefined) delays.push(Math.max(0, at - availableAt) / 1000);
    }
  }
  const r = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
  return {
    readings,
    delivered: delays.length,
    fraction: readings === 0 ? 0 : delays.length / readings,
    medianS: r(quantile(delays, 0.5)),
    p95S: r(quantile(delays, 0.95)),
    maxS: r(delays.length === 0 ? null : Math.max(...delays)),
  };
}

export interface RequestEntry {
  at: number;
  email: string | null;
  endpoint: string;
  status: number;
  outcome: string;
}

export interface AccountEconomy {
  email: string;
  patients: number;
  requests: number;
  logins: number;
  newReadings: number;
  requestsPerReading: number | null;
}

export interface Economy {
  windowMinutes: number;
  accounts: AccountEconomy[];
  /** worst account */
  maxRequestsPerReading: number | null;
  /** all requests over all new readings */
  pooledRequestsPerReading: number | null;
  /** the account with the most logins, scaled to an hour */
  maxLoginsPerHour: number;
  requestsByEndpoint: Record<string, number>;
  errors: number;
}

export function economy(
  accounts: ReadonlyArray<{ email: string; patients: readonly string[] }>,
  requests: readonly RequestEntry[],
  truth: Truth,
  from: number,
  to: number,
): Economy {
  const byEmail = new Map<string, RequestEntry[]>();
  const requestsByEndpoint: Record<string, number> = {};
  let errors = 0;
  const wanted = new Set(accounts.map((a) => a.email.toLowerCase()));
  for (const r of requests) {
    if (r.at < from || r.at > to || r.email === null) continue;
    const key = r.email.toLowerCase();
    if (!wanted.has(key)) continue;
    let list = byEmail.get(key);
    if (list === undefined) {
      list = [];
      byEmail.set(key, list);
    }
    list.push(r);
    requestsByEndpoint[r.endpoint] = (requestsByEndpoint[r.endpoint] ?? 0) + 1;
    if (r.status >= 400 || !['ok', 'redirect'].includes(r.outcome)) errors++;
  }
  const hours = (to - from) / 3_600_000;
  const rows: AccountEconomy[] = accounts.map((a) => {
    const list = byEmail.get(a.email.toLowerCase()) ?? [];
    let newReadings = 0;
    for (const pid of a.patients) {
      for (const [, availableAt] of truth[pid] ?? [])
        if (availableAt >= from && availableAt <= to) newReadings++;
    }
    return {
      email: a.email,
      patients: a.patients.length,
      requests: list.length,
      logins: list.filter((r) => r.endpoint === 'login').length,
      newReadings,
      requestsPerReading: newReadings === 0 ? null : round3(list.length / newReadings),
    };
  });
  const ratios = rows.map((r) => r.requestsPerReading).filter((x): x is number => x !== null);
  const totalReq = rows.reduce((s, r) => s + r.requests, 0);
  const totalNew = rows.reduce((s, r) => s + r.newReadings, 0);
  return {
    windowMinutes: Math.round(((to - from) / 60_000) * 10) / 10,
    accounts: rows,
    maxRequestsPerReading: ratios.length === 0 ? null : Math.max(...ratios),
    pooledRequestsPerReading: totalNew === 0 ? null : round3(totalReq / totalNew),
    maxLoginsPerHour: hours <= 0 ? 0 : round3(Math.max(0, ...rows.map((r) => r.logins)) / hours),
    requestsByEndpoint,
    errors,
  };
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
