// Scripted failures: each rule answers a number of matching requests instead of the normal answer
// (or, for `malformed`, corrupts the normal answer), so tests can walk through every failure the
// reference notes list without a real outage.

import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { shiftLluTimestamp } from './timestamps.js';
import type { SimEndpoint, SimFault, SimFaultRule } from './types.js';

export type HostileFault = Extract<SimFault, { kind: 'hostile' }>;

export interface Answer {
  status: number;
  /** object → JSON; string → sent as is */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export class FaultBook {
  private rules: Array<SimFaultRule & { left: number }> = [];

  add(rule: SimFaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this request, consuming one use of its rule. */
  take(endpoint: SimEndpoint | 'other', email: string | null): SimFault | null {
    const i = this.rules.findIndex(
      (r) =>
        r.left > 0 &&
        r.fault.kind !== 'hostile' &&
        (r.endpoint === 'any' || r.endpoint === endpoint) &&
        (r.email === undefined || r.email.toLowerCase() === email?.toLowerCase()),
    );
    if (i === -1) return null;
    const rule = this.rules[i]!;
    rule.left--;
    if (rule.left <= 0) this.rules.splice(i, 1);
    return rule.fault;
  }

  /** Every hostile-data rule for this request, consuming one use of each. */
  takeHostile(endpoint: SimEndpoint | 'other', email: string | null): HostileFault[] {
    const out: HostileFault[] = [];
    for (const r of this.rules) {
      if (r.left <= 0 || r.fault.kind !== 'hostile') continue;
      if (r.endpoint !== 'any' && r.endpoint !== endpoint) continue;
      if (r.email !== undefined && r.email.toLowerCase() !== email?.toLowerCase()) continue;
      r.left--;
      out.push(r.fault);
    }
    this.rules = this.rules.filter((r) => r.left > 0);
    return out;
  }
}

/** Puts `value` at a dot path (numeric segments index arrays), creating objects on the way. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    const next = at[key];
    if (next === null || typeof next !== 'object') at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
}

/** Applies hostile-data rules to the patient's connection objects of a connections or graph answer. */
export function applyHostile(
  answer: Answer,
  rules: readonly HostileFault[],
  endpoint: SimEndpoint | 'other',
): Answer {
  if (rules.length === 0 || answer.status !== 200 || typeof answer.body !== 'object' || answer.body === null)
    return answer;
  const body = JSON.parse(JSON.stringify(answer.body)) as { data?: unknown };
  const connections: Array<Record<string, unknown>> = [];
  if (endpoint === 'connections' && Array.isArray(body.data)) connections.push(...body.data);
  const graph = body.data as { connection?: Record<string, unknown> } | undefined;
  if (endpoint === 'graph' && graph?.connection) connections.push(graph.connection);
  for (const rule of rules) {
    for (const c of connections) {
      if (c.patientId !== rule.patientId) continue;
      const m = c.glucoseMeasurement as Record<string, unknown> | null | undefined;
      if (rule.readingOffsetMs !== undefined && m) {
        for (const key of ['FactoryTimestamp', 'Timestamp'])
          if (typeof m[key] === 'string') m[key] = shiftLluTimestamp(m[key] as string, rule.readingOffsetMs);
        c.glucoseItem = m;
      }
      for (const [path, value] of Object.entries(rule.set ?? {}))
        if (!path.startsWith('graphData.')) setPath(c, path, value);
    }
    // `graphData.<index>.<field>` spoils one point of the patient's graph.
    const data = body.data as Record<string, unknown> | undefined;
    if (endpoint === 'graph' && graph?.connection?.patientId === rule.patientId && data)
      for (const [path, value] of Object.entries(rule.set ?? {}))
        if (path.startsWith('graphData.')) setPath(data, path, value);
  }
  return { ...answer, body };
}

/** Corrupts a normal answer the way the `malformed` variants describe. */
export function corrupt(
  answer: Answer,
  variant: Extract<SimFault, { kind: 'malformed' }>['variant'],
  endpoint: SimEndpoint | 'other',
): Answer {
  const json = JSON.stringify(answer.body);
  switch (variant) {
    case 'not_json':
      return {
        status: 200,
        body: 'Service temporarily unavailable, please retry',
        contentType: 'text/plain',
      };
    case 'empty':
      return { status: 200, body: '', contentType: 'application/json' };
    case 'missing_data':
      return { status: 200, body: { status: 0 } };
    case 'truncated':
      return {
        status: 200,
        body: json.slice(0, Math.max(1, Math.floor(json.length / 2))),
        contentType: 'application/json',
      };
    case 'wrong_types':
    case 'bad_timestamp': {
      const body = JSON.parse(json) as { data?: unknown };
      mutate(body, variant, endpoint);
      return { ...answer, body };
    }
  }
}

function mutate(
  body: { data?: unknown },
  variant: 'wrong_types' | 'bad_timestamp',
  endpoint: SimEndpoint | 'other',
): void {
  const items: Array<Record<string, unknown>> = [];
  const data = body.data as Record<string, unknown> | Array<Record<string, unknown>> | undefined;
  if (endpoint === 'connections' && Array.isArray(data)) {
    for (const c of data)
      if (c.glucoseMeasurement) items.push(c.glucoseMeasurement as Record<string, unknown>);
  } else if (endpoint === 'graph' && data && !Array.isArray(data)) {
    items.push(...((data.graphData as Array<Record<string, unknown>>) ?? []));
    const conn = data.connection as Record<string, unknown> | undefined;
    if (conn?.glucoseMeasurement) items.push(conn.glucoseMeasurement as Record<string, unknown>);
  } else if (endpoint === 'logbook' && Array.isArray(data)) {
    items.push(...data);
  }
  if (items.length === 0) {
    body.data = variant === 'wrong_types' ? 42 : { FactoryTimestamp: '13/45/2024 99:99:99 XM' };
    return;
  }
  for (const item of items) {
    if (variant === 'wrong_types') item.ValueInMgPerDl = 'HIGH';
    else item.FactoryTimestamp = '13/45/2024 99:99:99 XM';
  }
}

/** What an `echo_secrets` answer echoes: the request's credentials, then padding up to `length`. */
export function echoText(secrets: Array<string | null>, length: number): string {
  const echo = `${secrets.filter((s) => s !== null && s !== '').join(' ')} `;
  return echo.length >= length ? echo : echo + 'x'.repeat(length - echo.length);
}

/** The `echo_secrets` answer for one request. */
export function echoAnswer(fault: Extract<SimFault, { kind: 'echo_secrets' }>, text: string): Answer {
  switch (fault.as ?? 'version') {
    case 'version':
      return { status: 403, body: { status: 920, data: { minimumVersion: text } } };
    case 'step':
      return {
        status: 200,
        body: {
          status: 4,
          data: {
            step: { type: text, componentName: 'AcceptDocument' },
            authTicket: { token: 'step-token-echo', expires: 4_102_444_800, duration: 3_600_000 },
          },
        },
      };
    case 'region':
      return { status: 200, body: { status: 0, data: { redirect: true, region: text } } };
    case 'message':
      return { status: 400, body: { message: text } };
  }
}

/** The normal answer with its ticket rewritten as a `ticket` fault says. */
export function reticket(answer: Answer, fault: Extract<SimFault, { kind: 'ticket' }>): Answer {
  if (answer.body === null || typeof answer.body !== 'object') return answer;
  const body = JSON.parse(JSON.stringify(answer.body)) as {
    ticket?: { token: string; expires: number };
    data?: { authTicket?: { token: string; expires: number } };
  };
  for (const t of [body.ticket, body.data?.authTicket]) {
    if (!t) continue;
    if (fault.token !== undefined) t.token = fault.token;
    if (fault.expiresShiftMs !== undefined) t.expires += Math.round(fault.expiresShiftMs / 1000);
  }
  return { ...answer, body };
}

const MB = 1024 * 1024;
let bombMember: Buffer | null = null;

/**
 * A gzip answer that inflates to `inflatedMb` MB: one small gzip member (1 MB of spaces, ~1 kB
 * compressed) sent over and over. Concatenated members are one valid gzip stream, so neither side
 * ever holds the inflated body; the head makes it start like a JSON answer.
 */
export function sendBomb(res: ServerResponse, inflatedMb: number): void {
  bombMember ??= gzipSync(Buffer.alloc(MB, 0x20), { level: 9 });
  const member = bombMember;
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-encoding': 'gzip' });
  res.on('error', () => {});
  res.write(gzipSync('{"status":0,"data":['));
  let left = Math.max(1, Math.round(inflatedMb));
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      left--;
      if (!res.write(member)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
}
