// Property-based tests of isolation: generate valid connections and graph bodies, set one field of
// one patient (or one graph point) to any JSON value, and check that parsing never throws for it,
// that every other patient (point) comes out exactly as without the change, and that nothing
// produced is NaN, undefined or out of bounds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DataIssue } from '../../src/librelinkup/lenient.js';
import type { Connection } from '../../src/librelinkup/model.js';
import { parseConnections, parseGraph } from '../../src/librelinkup/parse.js';
import { formatLluTimestamp } from '../../src/simulator/timestamps.js';
import { expectSaneConnection, expectSaneReading } from './helpers/sane.js';

const UPSTREAM_NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const RUNS = 300;

const glucoseItem = (type: number) =>
  fc.record({
    FactoryTimestamp: fc
      .integer({ min: UPSTREAM_NOW - 12 * 3_600_000, max: UPSTREAM_NOW })
      .map((t) => formatLluTimestamp(Math.floor(t / 1000) * 1000)),
    ValueInMgPerDl: fc.integer({ min: 40, max: 400 }),
    TrendArrow: fc.integer({ min: 1, max: 5 }),
    MeasurementColor: fc.integer({ min: 1, max: 4 }),
    GlucoseUnits: fc.constantFrom(0, 1),
    type: fc.constant(type),
    isHigh: fc.boolean(),
    isLow: fc.boolean(),
  });

const connection = fc.record({
  id: fc.uuid(),
  patientId: fc.uuid(),
  firstName: fc.string({ maxLength: 20 }),
  lastName: fc.string({ maxLength: 20 }),
  targetLow: fc.integer({ min: 60, max: 90 }),
  targetHigh: fc.integer({ min: 140, max: 250 }),
  uom: fc.constantFrom(0, 1),
  sensor: fc.record({
    sn: fc.stringMatching(/^[0-9A-Z]{8,12}$/),
    a: fc.integer({ min: (UPSTREAM_NOW - 14 * 86_400_000) / 1000, max: UPSTREAM_NOW / 1000 }),
    w: fc.constant(60),
    pt: fc.constant(4),
  }),
  alarmRules: fc.record({
    h: fc.record({ th: fc.integer({ min: 150, max: 300 }) }),
    l: fc.record({ th: fc.integer({ min: 60, max: 90 }) }),
    f: fc.record({ th: fc.integer({ min: 50, max: 60 }) }),
  }),
  glucoseMeasurement: glucoseItem(1),
  patientDevice: fc.record({
    dtid: fc.constant(40068),
    fixedLowAlarmValues: fc.record({ mgdl: fc.constant(60) }),
  }),
});

const body = fc.uniqueArray(connection, { minLength: 2, maxLength: 4, selector: (c) => c.patientId });

/** Paths worth hitting (every field the parser reads), plus any new key. */
const FIELD_PATHS = [
  '',
  'id',
  'patientId',
  'firstName',
  'lastName',
  'targetLow',
  'targetHigh',
  'uom',
  'sensor',
  'sensor.sn',
  'sensor.a',
  'sensor.w',
  'sensor.pt',
  'alarmRules',
  'alarmRules.h',
  'alarmRules.h.th',
  'alarmRules.l.th',
  'alarmRules.f.th',
  'glucoseMeasurement',
  'glucoseMeasurement.FactoryTimestamp',
  'glucoseMeasurement.ValueInMgPerDl',
  'glucoseMeasurement.Value',
  'glucoseMeasurement.TrendArrow',
  'glucoseMeasurement.MeasurementColor',
  'glucoseMeasurement.GlucoseUnits',
  'glucoseMeasurement.type',
  'glucoseMeasurement.isHigh',
  'glucoseMeasurement.isLow',
  'patientDevice',
  'patientDevice.dtid',
  'patientDevice.fixedLowAlarmValues',
  'patientDevice.fixedLowAlarmValues.mgdl',
];
const path = fc.oneof(fc.constantFrom(...FIELD_PATHS), fc.string({ minLength: 1, maxLength: 8 }));
/** Any JSON value, or `undefined` for "the field is missing". */
const value = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.string({ minLength: 300, maxLength: 400 }));

function setAt(target: Record<string, unknown>, dotted: string, v: unknown): unknown {
  if (dotted === '') return v;
  const keys = dotted.split('.');
  let at = target;
  for (const k of keys.slice(0, -1)) {
    if (at[k] === null || typeof at[k] !== 'object') at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  const last = keys.at(-1)!;
  if (v === undefined) delete at[last];
  else at[last] = v;
  return target;
}

function parse(b: unknown): { connections: Connection[]; issues: DataIssue[] } {
  const issues: DataIssue[] = [];
  const connections = parseConnections(b, { upstreamNow: UPSTREAM_NOW, onIssue: (i) => issues.push(i) });
  return { connections, issues };
}

describe('isolation of one bad field (property)', () => {
  it('valid bodies parse without issues and sane', () => {
    fc.assert(
      fc.property(body, (data) => {
        const { connections, issues } = parse({ status: 0, data });
        expect(issues).toEqual([]);
        expect(connections).toHaveLength(data.length);
        for (const c of connections) expectSaneConnection(c, UPSTREAM_NOW);
      }),
      { numRuns: 100 },
    );
  });

  it('one field of one patient set to any JSON value: no throw, the others unchanged, nothing insane', () => {
    fc.assert(
      fc.property(body, fc.nat(), path, value, (data, which, field, v) => {
        const victim = which % data.length;
        const clean = parse({ status: 0, data }).connections;
        const spoiled = structuredClone(data) as unknown[];
        spoiled[victim] = setAt(spoiled[victim] as Record<string, unknown>, field, v);
        const { connections, issues } = parse({ status: 0, data: spoiled });
        const victimId = data[victim]!.patientId;
        for (const c of clean)
          if (c.patientId !== victimId)
            expect(connections.find((x) => x.patientId === c.patientId)).toEqual(c);
        for (const c of connections) expectSaneConnection(c, UPSTREAM_NOW);
        // The victim is dropped only when its entry or id went bad, and then it is named.
        // A usable new id keeps the entry under that id; only an unusable one drops it.
        const newId = (spoiled[victim] as { patientId?: unknown } | null | undefined)?.patientId;
        const kept = connections.some((c) => c.patientId === victimId || c.patientId === newId);
        if (!kept)
          expect(
            issues.some((i) => i.path === `data[${victim}]` || i.path === `data[${victim}].patientId`),
          ).toBe(true);
        for (const i of issues) {
          expect(i.path.startsWith(`data[${victim}]`)).toBe(true);
          expect(i.problem.length).toBeLessThan(200);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('one graph point (or a connection field of the graph) set to any JSON value: the other points unchanged', () => {
    const graphBody = fc.record({
      connection,
      points: fc.uniqueArray(glucoseItem(0), {
        minLength: 2,
        maxLength: 20,
        selector: (p) => p.FactoryTimestamp,
      }),
    });
    const graphPath = fc.oneof(
      fc.constantFrom(
        '',
        'FactoryTimestamp',
        'ValueInMgPerDl',
        'Value',
        'TrendArrow',
        'GlucoseUnits',
        'type',
        'isHigh',
        'MeasurementColor',
      ),
      fc.string({ minLength: 1, maxLength: 8 }),
    );
    fc.assert(
      fc.property(graphBody, fc.nat(), graphPath, value, (g, which, field, v) => {
        const victim = which % g.points.length;
        const wrap = (points: unknown[]) => ({
          status: 0,
          data: {
            connection: g.connection,
            activeSensors: [{ sensor: g.connection.sensor }],
            graphData: points,
          },
        });
        const clean = parseGraph(wrap(g.points), { upstreamNow: UPSTREAM_NOW });
        const spoiled = structuredClone(g.points) as unknown[];
        spoiled[victim] = setAt(spoiled[victim] as Record<string, unknown>, field, v);
        const graph = parseGraph(wrap(spoiled), { upstreamNow: UPSTREAM_NOW, onIssue: () => {} });
        const victimTs = clean.readings.find(
          (r) => formatLluTimestamp(r.timestamp) === g.points[victim]!.FactoryTimestamp,
        )?.timestamp;
        const others = (rs: typeof clean.readings) => rs.filter((r) => r.timestamp !== victimTs);
        expect(others(graph.readings)).toEqual(others(clean.readings));
        for (const r of graph.readings) expectSaneReading(r, 'point');
        expect(graph.readings.length).toBeGreaterThanOrEqual(clean.readings.length - 1);
      }),
      { numRuns: RUNS },
    );
  });

  it('a bad field of the graph connection costs only that field; the points are unchanged', () => {
    fc.assert(
      fc.property(
        connection,
        fc.constantFrom(
          ...FIELD_PATHS.filter(
            (p) => p !== '' && p !== 'patientId' && !p.startsWith('glucose') && p !== 'uom',
          ),
        ),
        value,
        (c, field, v) => {
          const points = [c.glucoseMeasurement].map((p) => ({ ...p, type: 0 }));
          const clean = parseGraph(
            { status: 0, data: { connection: c, graphData: points } },
            { upstreamNow: UPSTREAM_NOW },
          );
          const spoiled = setAt(structuredClone(c) as Record<string, unknown>, field, v);
          const graph = parseGraph(
            { status: 0, data: { connection: spoiled, graphData: points } },
            { upstreamNow: UPSTREAM_NOW, onIssue: () => {} },
          );
          expect(graph.readings).toEqual(clean.readings);
          expectSaneConnection(graph.connection, UPSTREAM_NOW);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
