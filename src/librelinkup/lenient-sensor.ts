// The sensor of a connection read field by field: a sensor without a serial, or activated outside
// the plausible window (judged against LibreLinkUp's clock), is left out; odd optional fields cost
// only themselves.

import {
  absent,
  type EntryContext,
  isRecord,
  optionalNumber,
  report,
  shown,
  typeOf,
} from './lenient-fields.js';
import { EARLIEST_PLAUSIBLE_MS, ID_MAX_CHARS, SENSOR_FUTURE_TOLERANCE_MS } from './limits.js';
import type { SensorInfo } from './model.js';

function aheadText(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

/** A sensor, or null when absent or unusable (no serial, or an activation outside the plausible window). */
export function lenientSensor(
  raw: unknown,
  ctx: EntryContext,
  field: string,
  upstreamNow: number,
): SensorInfo | null {
  if (absent(raw)) return null;
  if (!isRecord(raw)) {
    report(ctx, field, `is ${typeOf(raw)}, not a sensor; sensor ignored`);
    return null;
  }
  const serial = raw.sn;
  if (typeof serial !== 'string' || serial === '' || serial.length > ID_MAX_CHARS) {
    report(ctx, `${field}.sn`, `is ${shown(serial)}, not a serial number; sensor ignored`);
    return null;
  }
  const a = raw.a;
  const activatedAt = typeof a === 'number' && Number.isFinite(a) ? a * 1000 : null;
  if (
    activatedAt === null ||
    activatedAt < EARLIEST_PLAUSIBLE_MS ||
    activatedAt > upstreamNow + SENSOR_FUTURE_TOLERANCE_MS
  ) {
    const when =
      activatedAt === null
        ? `is ${shown(a)}, not a time`
        : activatedAt < EARLIEST_PLAUSIBLE_MS
          ? `${a} predates any Libre sensor`
          : `${a} lies ${aheadText(activatedAt - upstreamNow)} after LibreLinkUp's clock`;
    report(ctx, `${field}.a`, `${when}; sensor ignored`);
    return null;
  }
  return {
    serial,
    activatedAt,
    warmupMinutes: optionalNumber(raw, 'w', ctx, `${field}.w`, { range: { min: 0, max: 24 * 60 } }),
    productType: optionalNumber(raw, 'pt', ctx, `${field}.pt`, { integer: true }),
  };
}
