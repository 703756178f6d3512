// Glucose thresholds are written with their unit ("70 mg/dL", "3.9 mmol/L") and kept in mg/dL.
// A bare number is refused: 10 could be a low-ish mmol/L or a nonsensical mg/dL, and guessing wrong
// is a clinical error. Same factor as LibreLinkUp (18, see src/units.ts), rounded to 0.1 mg/dL.

import type { Threshold } from './types.js';

const MGDL_PER_MMOL = 18;
const THRESHOLD = /^\s*(\d+(?:\.\d+)?)\s*(mg\/dl|mmol\/l)\s*$/i;

/** Thresholds outside this band are almost certainly a unit mix-up ("10 mg/dL" meant as mmol/L). */
export const PLAUSIBLE_MGDL = { min: 40, max: 400 } as const;

export const THRESHOLD_FIX = 'write the unit after the number, e.g. "70 mg/dL" or "3.9 mmol/L"';

export function parseThreshold(text: string): Threshold | null {
  const m = THRESHOLD.exec(text);
  if (m === null) return null;
  const value = Number(m[1]);
  const mmol = m[2]!.toLowerCase() === 'mmol/l';
  const mgdl = mmol ? Math.round(value * MGDL_PER_MMOL * 10) / 10 : value;
  return { mgdl, text: `${m[1]} ${mmol ? 'mmol/L' : 'mg/dL'}` };
}

/** Why a threshold value is refused, for any value that parseThreshold does not accept. */
export function thresholdProblem(value: unknown): { message: string; fix: string } {
  if (typeof value === 'number') {
    return {
      message: `is the bare number ${value}: a unit is required, because mixing up mg/dL and mmol/L is a clinical error`,
      fix: `write "${value} mg/dL" or "${value} mmol/L", whichever you mean`,
    };
  }
  if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) {
    const n = value.trim();
    return {
      message: `is "${n}" without a unit: a unit is required, because mixing up mg/dL and mmol/L is a clinical error`,
      fix: `write "${n} mg/dL" or "${n} mmol/L", whichever you mean`,
    };
  }
  return {
    message: 'must be a glucose value with its unit (mg/dL or mmol/L)',
    fix: THRESHOLD_FIX,
  };
}

/** A parsed threshold outside the plausible band: a message, or null when plausible. */
export function implausible(t: Threshold): { message: string; fix: string } | null {
  if (t.mgdl >= PLAUSIBLE_MGDL.min && t.mgdl <= PLAUSIBLE_MGDL.max) return null;
  const number = t.text.split(' ')[0]!;
  const other = parseThreshold(t.text.endsWith('mg/dL') ? `${number} mmol/L` : `${number} mg/dL`)!;
  const otherPlausible = other.mgdl >= PLAUSIBLE_MGDL.min && other.mgdl <= PLAUSIBLE_MGDL.max;
  return {
    message: `"${t.text}" is outside ${PLAUSIBLE_MGDL.min}–${PLAUSIBLE_MGDL.max} mg/dL (2.2–22.2 mmol/L), probably a unit mix-up`,
    fix: otherPlausible
      ? `check the unit: did you mean "${other.text}"?`
      : `use a value between ${PLAUSIBLE_MGDL.min} and ${PLAUSIBLE_MGDL.max} mg/dL`,
  };
}
