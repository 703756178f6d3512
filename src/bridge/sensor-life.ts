// Sensor lifecycle from LibreLinkUp's `sensor` object: activation `a`, warm-up
// `w`, product type `pt`, and the patient app's device type `dtid`. LibreLinkUp never states a sensor's
// end, so the life below is an ESTIMATE; a patient's `sensor_days` in the config overrides it.

import type { Reading, SensorInfo } from '../librelinkup/model.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export const LIBRE2_LIFE_DAYS = 14;
export const LIBRE3_LIFE_DAYS = 15;
/** `w` is 60 in every fixture; used when it is absent. */
export const DEFAULT_WARMUP_MINUTES = 60;
/** Device type id of the Libre 3 patient app (the connection's patientDevice). */
export const DTID_LIBRE3_APP = 40068;
/** `pt` in every Libre 3 fixture. */
export const PT_LIBRE3 = 4;

/**
 * A reading at least this recent, stamped after the estimated end, proves the sensor still works:
 * the estimate was too short (typically a Libre 2 Plus counted as a 14-day Libre 2). Upstream repeats
 * the last known reading after a sensor stops, but with its old timestamp, so this cannot be faked by
 * a stopped sensor. An hour rides out ordinary upload gaps without flapping to 'ended' and back.
 */
export const ALIVE_AFTER_END_MS = 60 * MINUTE_MS;

export type SensorProblem = 'ended' | 'warming_up' | 'none';

function validOverride(days: number | undefined): days is number {
  return days !== undefined && Number.isFinite(days) && days > 0;
}

/**
 * Sensor life in days: the override when it is a positive number, 15 for a Libre 3 (`pt` 4 or the
 * Libre 3 app, dtid 40068), otherwise 14 (Libre 2).
 *
 * UNSURE: `pt` values other than 4 are not reliably documented (DiaBLE: "should be
 * 0: libre1, 3: libre2, 4: libre3 but happening a Libre 1 with pt = 3"), and a 15-day Libre 2 Plus cannot
 * be told apart from a 14-day Libre 2 by `pt` or by dtid 40066/40067. A Libre 2 Plus is therefore
 * estimated at 14 days unless `sensor_days: 15` is set; sensorProblem() does not report it 'ended' while
 * it keeps delivering readings. The 15 days for Libre 3 come from DiaBLE (21600 min); kubasaw assumes 14.
 */
export function sensorLifeDays(
  sensor: SensorInfo | null,
  deviceTypeId: number | null,
  override?: number,
): number {
  if (validOverride(override)) return override;
  if (sensor?.productType === PT_LIBRE3 || deviceTypeId === DTID_LIBRE3_APP) return LIBRE3_LIFE_DAYS;
  return LIBRE2_LIFE_DAYS;
}

/** Estimated end of life, epoch ms: activation + `days`. Null without a sensor or with nonsense input. */
export function sensorExpiresAt(sensor: SensorInfo | null, days: number): number | null {
  if (sensor === null) return null;
  const at = sensor.activatedAt + days * DAY_MS;
  return Number.isFinite(at) ? at : null;
}

function warmupMs(sensor: SensorInfo): number {
  const w = sensor.warmupMinutes;
  return (w !== null && Number.isFinite(w) && w >= 0 ? w : DEFAULT_WARMUP_MINUTES) * MINUTE_MS;
}

/**
 * - 'none': no active sensor (`sensor: null` upstream).
 * - 'warming_up': before activation + `w` minutes (also when activation is ahead of our clock).
 * - 'ended': at or after activation + `days`, unless a reading stamped after that moment and younger
 *   than ALIVE_AFTER_END_MS shows the sensor is still running (estimate too short).
 * - null: no problem.
 * Deliberately not judged here: a sensor that stops early (no readings while within its life). That is
 * indistinguishable from the patient's phone being offline, which the `stale` state already reports.
 */
export function sensorProblem(
  sensor: SensorInfo | null,
  latest: Reading | null,
  now: number,
  days: number,
): SensorProblem | null {
  if (sensor === null) return 'none';
  if (now < sensor.activatedAt + warmupMs(sensor)) return 'warming_up';
  const expiresAt = sensorExpiresAt(sensor, days);
  if (expiresAt === null || now < expiresAt) return null;
  const stillDelivering =
    latest !== null && latest.timestamp >= expiresAt && now - latest.timestamp < ALIVE_AFTER_END_MS;
  return stillDelivering ? null : 'ended';
}
