// The validated configuration, after ${VAR} substitution, defaults and unit parsing.
// `src/config/schema.json` is the single source of truth for keys, types, defaults and descriptions;
// this type mirrors it and is what the rest of the program receives (frozen).

import type { RegionChoice } from './regions.js';

export type { RegionCode } from './regions.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** A threshold as written in the config ("70 mg/dL", "3.9 mmol/L"), normalised to mg/dL. */
export interface Threshold {
  mgdl: number;
  /** the text the user wrote, for messages */
  text: string;
}

export interface PatientConfig {
  /** match by LibreLinkUp patientId */
  id?: string;
  /** or by "First Last" (case-insensitive) */
  match?: string;
  /** display name; also the topic slug source */
  name?: string;
  target_low?: Threshold;
  target_high?: Threshold;
  urgent_low?: Threshold;
  /** sensor life in days when the type cannot tell */
  sensor_days?: number;
}

export interface AccountConfig {
  email: string;
  password: string;
  /** 'auto' follows the login redirect */
  region: RegionChoice;
  api_url: string;
  /** template with `{region}`; ru and cn have their own hosts (see src/librelinkup/regions.ts) */
  region_url: string;
  /** accept the terms-of-use / privacy steps automatically (default false) */
  accept_terms: boolean;
  /** app version header to start with (adopts minimumVersion from a 920 answer) */
  version: string;
  /** absent = every connection */
  patients?: PatientConfig[];
}

export interface MqttTlsConfig {
  ca?: string;
  cert?: string;
  key?: string;
  reject_unauthorized: boolean;
}

export interface MqttConfig {
  /** absent = start the embedded broker */
  url?: string;
  username?: string;
  password?: string;
  client_id: string;
  base_topic: string;
  discovery: boolean;
  discovery_prefix: string;
  tls?: MqttTlsConfig;
  embedded: { host: string; port: number };
}

export interface PollConfig {
  /** seconds: the longest spacing between two polls of an account */
  interval: number;
  /** seconds: the shortest spacing between two polls of an account */
  min_interval: number;
  /** seconds: per-request timeout */
  timeout: number;
  /** requests per reading spent for fresher readings; absent = balanced */
  freshness?: 'economical' | 'balanced' | 'fast';
}

export interface HttpConfig {
  /** absent = no HTTP listener */
  port?: number;
  host: string;
}

export interface Config {
  accounts: AccountConfig[];
  mqtt: MqttConfig;
  poll: PollConfig;
  http: HttpConfig;
  data_dir: string;
  log_level: LogLevel;
  /** default auto: pretty on a terminal and in the add-on, JSON lines otherwise */
  log_format?: 'auto' | 'pretty' | 'json';
}
