// One glucose item (glucoseMeasurement or a graph point) read field by field: one odd optional field
// costs only itself; an unusable time or value costs the reading, never the rest of the body.

import { fromMgdl } from '../units.js';
import {
  absent,
  booleanAt,
  type EntryContext,
  isRecord,
  optionalNumber,
  report,
  shown,
  timestampOf,
  typeOf,
  unitFromCode,
} from './lenient-fields.js';
import { EARLIEST_PLAUSIBLE_MS, GLUCOSE_MGDL } from './limits.js';
import { type GlucoseUnit, type Reading, TRENDS } from './model.js';

const MGDL_TOLERANCE = 1;
const MMOL_TOLERANCE = 0.15;

export interface ReadingDefaults {
  /** unit when GlucoseUnits is absent (the connection's uom) */
  unit: GlucoseUnit;
  /** `type` when absent */
  type: number;
}

/**
 * One glucose item (glucoseMeasurement or a graph point), or null when its time or value is unusable.
 * The time must be a FactoryTimestamp after EARLIEST_PLAUSIBLE_MS and the value a ValueInMgPerDl
 * inside GLUCOSE_MGDL; optional fields that are odd are treated as absent.
 */
export function lenientReading(raw: unknown, ctx: EntryContext, defaults: ReadingDefaults): Reading | null {
  if (!isRecord(raw)) {
    report(ctx, '', `is ${typeOf(raw)}, not a glucose item; reading ignored`);
    return null;
  }
  const ts = raw.FactoryTimestamp;
  const timestamp = typeof ts === 'string' ? timestampOf(ts) : null;
  if (timestamp === null) {
    report(ctx, 'FactoryTimestamp', `is ${shown(ts)}, not a timestamp; reading ignored`);
    return null;
  }
  if (timestamp < EARLIEST_PLAUSIBLE_MS) {
    report(ctx, 'FactoryTimestamp', `${shown(ts)} predates any Libre sensor; reading ignored`);
    return null;
  }
  const mgdl = raw.ValueInMgPerDl;
  if (
    typeof mgdl !== 'number' ||
    !Number.isFinite(mgdl) ||
    mgdl < GLUCOSE_MGDL.min ||
    mgdl > GLUCOSE_MGDL.max
  ) {
    report(
      ctx,
      'ValueInMgPerDl',
      `is ${shown(mgdl)}, not a glucose value in ${GLUCOSE_MGDL.min}..${GLUCOSE_MGDL.max} mg/dL; reading ignored`,
    );
    return null;
  }
  let unit = defaults.unit;
  if (!absent(raw.GlucoseUnits)) {
    const u = unitFromCode(raw.GlucoseUnits);
    if (u === null) report(ctx, 'GlucoseUnits', `is ${shown(raw.GlucoseUnits)}, not 0 or 1; using ${unit}`);
    else unit = u;
  }
  let value = fromMgdl(mgdl, unit);
  const given = optionalNumber(raw, 'Value', ctx, 'Value');
  if (given !== null) {
    const agrees =
      unit === 'mg/dL'
        ? Math.abs(given - mgdl) <= MGDL_TOLERANCE
        : Math.abs(given - mgdl / 18) <= MMOL_TOLERANCE;
    if (agrees) value = given;
    else
      report(ctx, 'Value', `${given} ${unit} disagrees with ValueInMgPerDl ${mgdl}; using ${value} ${unit}`);
  }
  const arrow = optionalNumber(raw, 'TrendArrow', ctx, 'TrendArrow', {
    integer: true,
    range: { min: 0, max: 5 },
  });
  return {
    timestamp,
    mgdl,
    value,
    unit,
    trend: arrow === null || arrow < 1 ? null : (TRENDS[arrow - 1] ?? null),
    isHigh: booleanAt(raw, 'isHigh', ctx),
    isLow: booleanAt(raw, 'isLow', ctx),
    measurementColor: optionalNumber(raw, 'MeasurementColor', ctx, 'MeasurementColor', { integer: true }),
    type: optionalNumber(raw, 'type', ctx, 'type', { integer: true }) ?? defaults.type,
  };
}
