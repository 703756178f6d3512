// Asks the Home Assistant Supervisor which MQTT broker to use (GET /services/mqtt). The answer is
// parsed defensively: the documented example has the port as a string, username and password are
// optional, and every failure comes back as a value with a message that says what to do.

import { clampDelay } from '../timers.js';

export interface SupervisorMqtt {
  host: string;
  port: number;
  ssl: boolean;
  username?: string;
  password?: string;
  /** "3.1" or "3.1.1" */
  protocol: string;
  /** the add-on that provides the service, e.g. "core_mosquitto" */
  addon?: string;
}

export type SupervisorFailureKind =
  /** no SUPERVISOR_TOKEN: not running as an add-on */
  | 'no_token'
  /** 403 "No access to mqtt service!": the add-on does not declare the service */
  | 'no_access'
  /** "Service not enabled": no add-on provides an MQTT broker */
  | 'not_enabled'
  /** any other {"result":"error"} */
  | 'error'
  /** an HTTP error without a Supervisor error body */
  | 'http'
  /** not JSON, or data without a usable host/port */
  | 'invalid'
  | 'timeout'
  | 'unreachable';

export type SupervisorResult =
  | { ok: true; service: SupervisorMqtt }
  | { ok: false; kind: SupervisorFailureKind; message: string };

export interface FetchMqttServiceOptions {
  /** default http://supervisor */
  baseUrl?: string;
  token: string;
  fetch?: typeof globalThis.fetch;
  /** default 10 s */
  timeoutMs?: number;
}

const INSTALL_MOSQUITTO =
  'Install and start the "Mosquitto broker" add-on (Settings → Add-ons → Add-on store), or set mqtt.url ' +
  "in this add-on's configuration";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function parsePort(value: unknown): number | null {
  const port = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null;
}

function parseBool(value: unknown): boolean {
  return value === true || value === 'true' || value === 1 || value === '1';
}

/** `data` of a {"result":"ok"} answer, or why it cannot be used. */
export function parseMqttService(data: unknown): SupervisorResult {
  if (!isRecord(data)) {
    return { ok: false, kind: 'invalid', message: 'the Supervisor answered without MQTT service data' };
  }
  const host = typeof data.host === 'string' ? data.host.trim() : '';
  const port = parsePort(data.port);
  if (host === '' || port === null) {
    return {
      ok: false,
      kind: 'invalid',
      message: `the Supervisor's MQTT service data has no usable host and port (host ${JSON.stringify(
        data.host ?? null,
      )}, port ${JSON.stringify(data.port ?? null)})`,
    };
  }
  const service: SupervisorMqtt = {
    host,
    port,
    ssl: parseBool(data.ssl),
    protocol: optionalString(data.protocol) ?? '3.1.1',
  };
  const username = optionalString(data.username);
  const password = optionalString(data.password);
  const addon = optionalString(data.addon);
  if (username !== undefined) service.username = username;
  if (password !== undefined) service.password = password;
  if (addon !== undefined) service.addon = addon;
  return { ok: true, service };
}

function errorResult(message: string, httpStatus: number): SupervisorResult {
  if (/no access to mqtt/i.test(message)) {
    return {
      ok: false,
      kind: 'no_access',
      message:
        `the Supervisor refused access to the MQTT service ("${message}"). This add-on declares ` +
        '"services: mqtt:need"; update or reinstall the add-on so the Supervisor applies it. ' +
        INSTALL_MOSQUITTO,
    };
  }
  if (/not enabled|not available|no service/i.test(message)) {
    return {
      ok: false,
      kind: 'not_enabled',
      message: `no MQTT broker is registered with the Supervisor ("${message}"). ${INSTALL_MOSQUITTO}`,
    };
  }
  return {
    ok: false,
    kind: 'error',
    message: `the Supervisor answered an error for /services/mqtt (HTTP ${httpStatus}): ${message}`,
  };
}

export async function fetchMqttService(options: FetchMqttServiceOptions): Promise<SupervisorResult> {
  const base = (options.baseUrl ?? 'http://supervisor').replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const url = `${base}/services/mqtt`;

  let status: number;
  let text: string;
  try {
    const response = await doFetch(url, {
      headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(clampDelay(timeoutMs)),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const name = (error as Error)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return {
        ok: false,
        kind: 'timeout',
        message: `the Supervisor did not answer ${url} within ${timeoutMs / 1000} s`,
      };
    }
    const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
    const why = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
    return { ok: false, kind: 'unreachable', message: `cannot reach the Supervisor at ${url} (${why})` };
  }

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (status < 200 || status > 299) {
      return { ok: false, kind: 'http', message: `the Supervisor answered HTTP ${status} for ${url}` };
    }
    return {
      ok: false,
      kind: 'invalid',
      message: `the Supervisor answered ${url} with something that is not JSON`,
    };
  }
  if (isRecord(body) && body.result === 'error') {
    const message = typeof body.message === 'string' && body.message !== '' ? body.message : 'no message';
    return errorResult(message, status);
  }
  if (status < 200 || status > 299) {
    return { ok: false, kind: 'http', message: `the Supervisor answered HTTP ${status} for ${url}` };
  }
  if (!isRecord(body) || body.result !== 'ok') {
    return {
      ok: false,
      kind: 'invalid',
      message: `the Supervisor's answer for ${url} is not {"result":"ok","data":{...}}`,
    };
  }
  return parseMqttService(body.data);
}
