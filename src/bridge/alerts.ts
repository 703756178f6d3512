// Which events fire: each once, on the transition into its state. The last state seen is persisted
// (AlertMemory), so a restart of the bridge does not fire the same `low` again.

import type { Reading, Trend } from '../librelinkup/model.js';
import type { Alert, AlertType, RangeState } from './events.js';

export interface AlertMemory {
  range: RangeState | null;
  /** the fast trend we last alerted for, or null */
  fastTrend: 'falling_quickly' | 'rising_quickly' | null;
  stale: boolean;
  /** serial of the sensor last seen; null = none active; undefined = never observed */
  sensorSerial?: string | null;
  sensorEnded?: boolean;
}

export const EMPTY_ALERT_MEMORY: AlertMemory = { range: null, fastTrend: null, stale: false };

export interface AlertInput {
  reading: Reading | null;
  range: RangeState | null;
  stale: boolean;
  sensorSerial: string | null;
  sensorEnded: boolean;
}

function fastTrendOf(trend: Trend | null): AlertMemory['fastTrend'] {
  return trend === 'falling_quickly' || trend === 'rising_quickly' ? trend : null;
}

/**
 * Alerts for moving from `memory` to `input`. On the very first observation (range null) an
 * in-range reading fires nothing, while low/high fire, so a bridge started during a low still warns.
 */
export function nextAlerts(
  memory: AlertMemory,
  input: AlertInput,
  now: number,
): { alerts: Alert[]; memory: AlertMemory } {
  const alerts: Alert[] = [];
  const fire = (type: AlertType) => alerts.push({ type, reading: input.reading, at: now });
  const next: AlertMemory = { ...memory };

  if (input.stale) {
    if (!memory.stale && input.reading !== null) fire('stale');
    next.stale = true;
  } else {
    next.stale = false;
    if (input.range !== null && input.range !== memory.range) {
      if (!(memory.range === null && input.range === 'in_range')) fire(input.range);
      next.range = input.range;
    }
    const fast = fastTrendOf(input.reading?.trend ?? null);
    if (fast !== null && fast !== memory.fastTrend) fire(fast);
    next.fastTrend = fast;
  }

  if (memory.sensorSerial !== undefined) {
    const started = input.sensorSerial !== null && input.sensorSerial !== memory.sensorSerial;
    const ended =
      (input.sensorEnded && !memory.sensorEnded) ||
      (input.sensorSerial === null && memory.sensorSerial !== null);
    if (ended) fire('sensor_ended');
    if (started) fire('sensor_started');
  }
  next.sensorSerial = input.sensorSerial;
  next.sensorEnded = input.sensorEnded;
  return { alerts, memory: next };
}
