// Pure judgements about one reading: is it high, low, urgent, stale. Thresholds are in mg/dL so a
// unit mix-up cannot creep in here; the patient's unit only matters when rendering.

import type { Reading } from '../librelinkup/model.js';
import { type RangeState, STALE_AFTER_MS, type Thresholds } from './events.js';

export { STALE_AFTER_MS };

export const DEFAULT_URGENT_LOW_MGDL = 54;

export function isStale(reading: Reading | null, now: number): boolean {
  return reading === null || now - reading.timestamp >= STALE_AFTER_MS;
}

/** When a fresh reading turns stale; null without a reading. */
export function staleAt(reading: Reading | null): number | null {
  return reading === null ? null : reading.timestamp + STALE_AFTER_MS;
}

export function rangeOf(mgdl: number, t: Thresholds): RangeState {
  if (mgdl < t.urgentLowMgdl) return 'urgent_low';
  if (mgdl < t.targetLowMgdl) return 'low';
  if (mgdl > t.targetHighMgdl) return 'high';
  return 'in_range';
}

export function isHighReading(reading: Reading, t: Thresholds): boolean {
  return reading.mgdl > t.targetHighMgdl;
}

export function isLowReading(reading: Reading, t: Thresholds): boolean {
  return reading.mgdl < t.targetLowMgdl;
}
