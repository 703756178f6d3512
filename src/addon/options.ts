// Turns the add-on's options (/data/options.json, written by the Supervisor from the Configuration
// tab) into the same config object a config.yaml would give, so the normal schema validates it and
// the add-on behaves exactly like the CLI. Pure: the Supervisor's MQTT data is passed in.
//
// Broker precedence: the user's mqtt.url → the Supervisor's MQTT service (Mosquitto add-on) → the
// embedded broker. A username/password typed by the user always wins over the Supervisor's.
//
// Only what the config schema cannot say as clearly is checked here (blank values, the add-on's own
// narrower ranges, shapes the mapping needs); regions, true/false and the rest are left to the schema.

import type { LogLevel } from '../config/types.js';
import { AppError } from '../errors.js';
import { ADDON_OPTIONS } from './option-table.js';
import type { SupervisorMqtt } from './supervisor.js';

export const ADDON_DATA_DIR = '/data';
/** Home Assistant ingress and the Docker HEALTHCHECK talk to this port (config.yaml ingress_port default). */
export const ADDON_HTTP_PORT = 8099;
export const ADDON_HTTP_HOST = '0.0.0.0';
/** Home Assistant's ingress proxy (a fixed address on the hassio network) and loopback. */
export const ADDON_PAGES_ALLOW_FROM = ['172.30.32.2', '127.0.0.1', '::1'] as const;
/**
 * Last-resort broker when neither the options nor the Supervisor give one. It listens on all interfaces
 * (so Home Assistant can reach it by the add-on's hostname) only when the user set an MQTT username and
 * password, which it then requires; otherwise on loopback, because an open broker would hand glucose data
 * to anything on the network. Then Home Assistant cannot reach it and the log says to install Mosquitto.
 */
export const ADDON_EMBEDDED_BROKER = { host: '0.0.0.0', port: 1883 } as const;
export const ADDON_EMBEDDED_BROKER_LOOPBACK = { host: '127.0.0.1', port: 1883 } as const;

export interface AddonPatientOptions {
  id?: string;
  match?: string;
  name?: string;
  /** "70 mg/dL" or "3.9 mmol/L" */
  target_low?: string;
  target_high?: string;
  urgent_low?: string;
  /** sensor life in days when the sensor type cannot tell (e.g. 15 for a Libre 2 Plus / 3 Plus) */
  sensor_days?: number;
}

export interface AddonAccountOptions {
  email: string;
  password: string;
  /** checked by the config schema; absent: its default (auto) */
  region?: string;
  /** checked by the config schema */
  accept_terms?: unknown;
  /** empty or absent: every person the account follows */
  patients?: AddonPatientOptions[];
}

export interface AddonMqttOptions {
  url?: string;
  username?: string;
  password?: string;
  base_topic?: string;
  discovery_prefix?: string;
}

export interface AddonOptions {
  accounts: AddonAccountOptions[];
  mqtt?: AddonMqttOptions;
  /** seconds */
  poll_interval?: number;
  log_level?: LogLevel;
}

export type BrokerSource = 'options' | 'supervisor' | 'embedded';

export interface AddonConfigResult {
  /** a plain config object, as config.yaml would parse; validate it with the normal config schema */
  config: Record<string, unknown>;
  brokerSource: BrokerSource;
}

export type AddonErrorKind = 'options_missing' | 'options_invalid';

/** The add-on cannot start from its options; the message names the option and the fix. */
export class AddonError extends AppError<AddonErrorKind> {
  override readonly name = 'AddonError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A trimmed non-empty string, or undefined for absent, null and blank values. */
function text(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') throw new AddonError('options_invalid', `${path} must be text`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function invalid(path: string, what: string): AddonError {
  return new AddonError('options_invalid', `add-on option ${path} ${what}`);
}

const SENSOR_DAYS = (() => {
  const narrow = ADDON_OPTIONS.find((row) => row.option === 'accounts[].patients[].sensor_days')?.narrow;
  if (narrow === undefined) throw new Error('option table: sensor_days has no range');
  return narrow;
})();

function readPatient(value: unknown, path: string): AddonPatientOptions | null {
  if (!isRecord(value)) throw invalid(path, 'must be a list entry with id, match, name and thresholds');
  const patient: AddonPatientOptions = {};
  for (const key of ['id', 'match', 'name', 'target_low', 'target_high', 'urgent_low'] as const) {
    const v = text(value[key], `${path}.${key}`);
    if (v !== undefined) patient[key] = v;
  }
  if (value.sensor_days !== undefined && value.sensor_days !== null && value.sensor_days !== '') {
    const days = Number(value.sensor_days);
    // Whole days: narrower than the config schema, so checked here.
    const { min, max } = SENSOR_DAYS;
    if (!Number.isInteger(days) || days < min || days > max)
      throw invalid(`${path}.sensor_days`, `must be a whole number of days from ${min} to ${max}, e.g. 15`);
    patient.sensor_days = days;
  }
  return Object.keys(patient).length === 0 ? null : patient;
}

function readAccount(value: unknown, path: string): AddonAccountOptions {
  if (!isRecord(value)) throw invalid(path, 'must be an entry with email, password and region');
  const email = text(value.email, `${path}.email`);
  if (email === undefined)
    throw invalid(`${path}.email`, 'is empty: enter the LibreLinkUp (follower) e-mail');
  // The password is not trimmed: spaces can be part of it.
  const password = value.password;
  if (typeof password !== 'string' || password === '') {
    throw invalid(`${path}.password`, 'is empty: enter the LibreLinkUp password');
  }
  const account: AddonAccountOptions = { email, password };
  const region = text(value.region, `${path}.region`);
  if (region !== undefined) account.region = region;
  if (value.accept_terms !== undefined && value.accept_terms !== null)
    account.accept_terms = value.accept_terms;
  if (value.patients !== undefined && value.patients !== null) {
    if (!Array.isArray(value.patients)) throw invalid(`${path}.patients`, 'must be a list');
    const patients = value.patients
      .map((p, i) => readPatient(p, `${path}.patients[${i}]`))
      .filter((p): p is AddonPatientOptions => p !== null);
    if (patients.length > 0) account.patients = patients;
  }
  return account;
}

/** Checks the shape of /data/options.json (already validated by the Supervisor, but be sure). */
export function readAddonOptions(value: unknown): AddonOptions {
  if (!isRecord(value)) throw new AddonError('options_invalid', 'the add-on options are not a JSON object');
  if (!Array.isArray(value.accounts) || value.accounts.length === 0) {
    throw invalid(
      'accounts',
      "is empty: add your LibreLinkUp account (email, password, region) on the add-on's Configuration tab",
    );
  }
  const options: AddonOptions = { accounts: value.accounts.map((a, i) => readAccount(a, `accounts[${i}]`)) };
  if (value.mqtt !== undefined && value.mqtt !== null) {
    if (!isRecord(value.mqtt)) throw invalid('mqtt', 'must be a group of settings (url, username, ...)');
    const mqtt: AddonMqttOptions = {};
    for (const key of ['url', 'username', 'base_topic', 'discovery_prefix'] as const) {
      const v = text(value.mqtt[key], `mqtt.${key}`);
      if (v !== undefined) mqtt[key] = v;
    }
    const password = value.mqtt.password;
    if (typeof password === 'string' && password !== '') mqtt.password = password;
    options.mqtt = mqtt;
  }
  if (value.poll_interval !== undefined && value.poll_interval !== null) {
    const n = Number(value.poll_interval);
    if (!Number.isFinite(n) || n <= 0) throw invalid('poll_interval', 'must be a number of seconds');
    options.poll_interval = n;
  }
  const level = text(value.log_level, 'log_level');
  if (level !== undefined) options.log_level = level as LogLevel;
  return options;
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function optionsToConfig(
  options: AddonOptions,
  mqttService: SupervisorMqtt | null,
): AddonConfigResult {
  const accounts = options.accounts.map((a) => {
    const account: Record<string, unknown> = { email: a.email, password: a.password };
    if (a.region !== undefined) account.region = a.region;
    if (a.accept_terms !== undefined) account.accept_terms = a.accept_terms;
    if (a.patients !== undefined && a.patients.length > 0)
      account.patients = a.patients.map((p) => ({ ...p }));
    return account;
  });

  const user = options.mqtt ?? {};
  const mqtt: Record<string, unknown> = {};
  let brokerSource: BrokerSource;
  if (user.url !== undefined && user.url !== '') {
    brokerSource = 'options';
    // "core-mosquitto" or "192.168.1.5:1883" typed without a scheme means plain MQTT.
    mqtt.url = /^[a-z][a-z0-9+.-]*:\/\//i.test(user.url) ? user.url : `mqtt://${user.url}`;
  } else if (mqttService !== null) {
    brokerSource = 'supervisor';
    mqtt.url = `${mqttService.ssl ? 'mqtts' : 'mqtt'}://${hostForUrl(mqttService.host)}:${mqttService.port}`;
  } else {
    brokerSource = 'embedded';
    const withCredentials = Boolean(user.username) && Boolean(user.password);
    mqtt.embedded = { ...(withCredentials ? ADDON_EMBEDDED_BROKER : ADDON_EMBEDDED_BROKER_LOOPBACK) };
  }
  // Credentials: the user's, else the Supervisor's when its broker is used. For the embedded broker,
  // the user's credentials (if any) become the ones it requires.
  const fromSupervisor =
    brokerSource === 'supervisor' && user.username === undefined && user.password === undefined;
  const username = fromSupervisor ? mqttService?.username : user.username;
  const password = fromSupervisor ? mqttService?.password : user.password;
  if (username !== undefined) mqtt.username = username;
  if (password !== undefined) mqtt.password = password;
  if (user.base_topic !== undefined) mqtt.base_topic = user.base_topic;
  if (user.discovery_prefix !== undefined) mqtt.discovery_prefix = user.discovery_prefix;

  const config: Record<string, unknown> = {
    accounts,
    mqtt,
    http: { host: ADDON_HTTP_HOST, port: ADDON_HTTP_PORT },
    data_dir: ADDON_DATA_DIR,
  };
  if (options.poll_interval !== undefined) config.poll = { interval: options.poll_interval };
  if (options.log_level !== undefined) config.log_level = options.log_level;
  return { config, brokerSource };
}

/** For log lines: the broker URL without any user:password part. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username !== '' || parsed.password !== '') {
      parsed.username = parsed.username === '' ? '' : '***';
      parsed.password = '';
    }
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
