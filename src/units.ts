// Glucose unit arithmetic shared by every layer. LibreLinkUp's own mmol/L `Value` is mg/dL / 18
// rounded to one decimal (checked against every fixture pair: 252→14, 253→14.1, 53→2.9, 197→10.9),
// not Home Assistant's 18.016, so we use 18 to show exactly what the app shows.

import type { GlucoseUnit } from './librelinkup/model.js';

export const MGDL_PER_MMOL = 18;

export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** mg/dL → value in `unit`, rounded the way the LibreLinkUp app displays it. */
export function fromMgdl(mgdl: number, unit: GlucoseUnit): number {
  return unit === 'mg/dL' ? Math.round(mgdl) : roundTo(mgdl / MGDL_PER_MMOL, 1);
}

/** value in `unit` → mg/dL (not rounded: thresholds keep their precision). */
export function toMgdl(value: number, unit: GlucoseUnit): number {
  return unit === 'mg/dL' ? value : value * MGDL_PER_MMOL;
}

export function displayPrecision(unit: GlucoseUnit): 0 | 1 {
  return unit === 'mg/dL' ? 0 : 1;
}
