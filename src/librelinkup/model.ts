// The validated, typed model of what LibreLinkUp tells us. Everything downstream of the client
// (bridge, Home Assistant, MQTT) sees only these types, never a raw response body.

export type GlucoseUnit = 'mg/dL' | 'mmol/L';

/** TrendArrow 1..5. 0 or a missing arrow is `null` (unknown): we never invent a trend. */
export type Trend = 'falling_quickly' | 'falling' | 'stable' | 'rising' | 'rising_quickly';

export const TRENDS: readonly Trend[] = ['falling_quickly', 'falling', 'stable', 'rising', 'rising_quickly'];

/** One glucose reading. `timestamp` comes from FactoryTimestamp (UTC), never from the local Timestamp. */
export interface Reading {
  /** epoch milliseconds, UTC, parsed from FactoryTimestamp */
  timestamp: number;
  /** integer mg/dL from ValueInMgPerDl: the only unit-explicit field upstream */
  mgdl: number;
  /** LibreLinkUp's own `Value` in the patient's unit (mg/dL integer or mmol/L with one decimal) */
  value: number;
  /** unit `value` is expressed in (from GlucoseUnits) */
  unit: GlucoseUnit;
  trend: Trend | null;
  /** the sensor's HI out-of-range flag, kept raw (not "above target") */
  isHigh: boolean;
  /** the sensor's LO out-of-range flag, kept raw (not "below target") */
  isLow: boolean;
  /** 1 green, 2 yellow, 3 orange, 4 red; null when absent */
  measurementColor: number | null;
  /** 0 graph point, 1 current measurement, 2/3 logbook alarm entries */
  type: number;
}

export interface SensorInfo {
  serial: string;
  /** epoch ms of activation (`a`) */
  activatedAt: number;
  /** warm-up minutes (`w`), 60 in every fixture */
  warmupMinutes: number | null;
  /** product type (`pt`); 4 in every Libre 3 fixture. Meaning of other values is UNSURE. */
  productType: number | null;
}

export interface AlarmThresholds {
  /** high alarm threshold (alarmRules.h.th), mg/dL */
  highMgdl: number | null;
  /** low alarm threshold (alarmRules.l.th), mg/dL */
  lowMgdl: number | null;
  /** fixed/urgent low (patientDevice.fixedLowAlarmValues.mgdl or alarmRules.f.th), mg/dL */
  urgentLowMgdl: number | null;
}

/** One followed person, as `/llu/connections` or `graph.data.connection` describe them. */
export interface Connection {
  patientId: string;
  connectionId: string;
  firstName: string;
  lastName: string;
  /** from `uom` (1 mg/dL, 0 mmol/L) */
  unit: GlucoseUnit;
  targetLowMgdl: number;
  targetHighMgdl: number;
  sensor: SensorInfo | null;
  /** glucoseMeasurement; null when upstream has no live data for this connection */
  latest: Reading | null;
  alarms: AlarmThresholds;
  /** patientDevice.dtid (40066 Libre 1/2 LibreLink, 40067 Libre 2, 40068 Libre 3) */
  deviceTypeId: number | null;
}

export interface Graph {
  connection: Connection;
  activeSensors: SensorInfo[];
  /** graphData, oldest first, 5-minute spacing, trend always null (graph points carry none) */
  readings: Reading[];
  /** bad points or fields, each dropped on its own (the caller names them by patient) */
  issues?: DataIssue[];
}

/** One problem in one entry of an answer; it cost only that field (or, without a usable patientId, that entry). */
export interface DataIssue {
  /** patientId of the entry, or null when the entry was dropped for want of a usable one */
  patientId: string | null;
  /** JSON path in the body, e.g. `data[1].glucoseMeasurement.ValueInMgPerDl` */
  path: string;
  /** the same path inside the entry without indices, stable across answers (upstream order is not) */
  field: string;
  problem: string;
}

/** What a successful login leaves behind; persisted so a restart does not log in again. */
export interface Session {
  token: string;
  /** epoch ms */
  expiresAt: number;
  /** sha256 hex of user.id: the Account-Id header */
  accountIdHash: string;
  /** base URL all authenticated calls go to (regional host after a redirect) */
  baseUrl: string;
  /** region code the login settled on, or null when the global host answered directly */
  region: string | null;
  /** app version header in use (may have been raised by a 920 answer) */
  version: string;
  /** user.uom from login ("1" mg/dL, "0" mmol/L), informational */
  userUnit: GlucoseUnit | null;
}
