import { describe, expect, it } from 'vitest';
import type { DataIssue } from '../../src/librelinkup/lenient.js';
import {
  parseConnection,
  parseConnections,
  parseGraph,
  parseReading,
  parseTimestamp,
} from '../../src/librelinkup/parse.js';
import { catchLlu } from './helpers/errors.js';
import { clone, fixture } from './helpers/fixtures.js';

const item = (extra: Record<string, unknown> = {}) => ({
  FactoryTimestamp: '12/30/2022 4:42:41 PM',
  Timestamp: '12/30/2022 5:42:41 PM',
  type: 1,
  ValueInMgPerDl: 120,
  TrendArrow: 3,
  TrendMessage: null,
  MeasurementColor: 1,
  GlucoseUnits: 1,
  Value: 120,
  isHigh: false,
  isLow: false,
  ...extra,
});

describe('parseTimestamp', () => {
  it.each([
    ['12/30/2022 4:42:41 PM', 1672418561000],
    ['5/21/2022 1:38:50 PM', Date.UTC(2022, 4, 21, 13, 38, 50)],
    ['1/1/2024 12:00:00 AM', Date.UTC(2024, 0, 1, 0, 0, 0)],
    ['1/1/2024 12:30:05 AM', Date.UTC(2024, 0, 1, 0, 30, 5)],
    ['1/1/2024 12:00:00 PM', Date.UTC(2024, 0, 1, 12, 0, 0)],
    ['1/1/2024 12:59:59 PM', Date.UTC(2024, 0, 1, 12, 59, 59)],
    ['1/1/2024 1:00:00 AM', Date.UTC(2024, 0, 1, 1, 0, 0)],
    ['12/31/2023 11:59:59 PM', Date.UTC(2023, 11, 31, 23, 59, 59)],
    ['02/29/2024 01:02:03 AM', Date.UTC(2024, 1, 29, 1, 2, 3)],
  ])('%s → %d (UTC)', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it.each([
    '',
    '2022-12-30T16:42:41Z',
    '12/30/2022 16:42:41',
    '12/30/2022 16:42:41 PM',
    '12/30/2022 0:42:41 AM',
    '13/1/2022 1:00:00 PM',
    '0/1/2022 1:00:00 PM',
    '2/30/2023 1:00:00 PM',
    '2/29/2023 1:00:00 PM',
    '12/30/2022 4:60:00 PM',
    '12/30/2022 4:42:41 pm',
    ' 12/30/2022 4:42:41 PM',
    '12/30/2022 4:42 PM',
  ])('rejects %j as malformed', (text) => {
    const err = catchLlu(() => parseTimestamp(text));
    expect(err.kind).toBe('malformed');
  });
});

describe('parseReading', () => {
  it('takes time from FactoryTimestamp only, never Timestamp', () => {
    expect(parseReading(item()).timestamp).toBe(1672418561000);
  });

  it.each([
    [0, null],
    [undefined, null],
    [null, null],
    [1, 'falling_quickly'],
    [2, 'falling'],
    [3, 'stable'],
    [4, 'rising'],
    [5, 'rising_quickly'],
  ])('TrendArrow %j → %j', (arrow, trend) => {
    const raw = item({ TrendArrow: arrow });
    if (arrow === undefined) delete (raw as Record<string, unknown>).TrendArrow;
    expect(parseReading(raw).trend).toBe(trend);
  });

  it('rejects a TrendArrow outside 0..5 or of the wrong type', () => {
    expect(catchLlu(() => parseReading(item({ TrendArrow: 6 }))).kind).toBe('malformed');
    expect(catchLlu(() => parseReading(item({ TrendArrow: '3' }))).kind).toBe('malformed');
  });

  it('keeps isHigh/isLow raw and measurementColor', () => {
    const r = parseReading(item({ isHigh: true, MeasurementColor: 3 }));
    expect(r).toMatchObject({ isHigh: true, isLow: false, measurementColor: 3 });
  });

  it('mmol/L: keeps LibreLinkUp Value when it agrees with ValueInMgPerDl', () => {
    expect(parseReading(item({ GlucoseUnits: 0, ValueInMgPerDl: 253, Value: 14.1 }))).toMatchObject({
      mgdl: 253,
      value: 14.1,
      unit: 'mmol/L',
    });
  });

  it('trusts ValueInMgPerDl when Value disagrees (GDH bug: mmol Value taken as mg/dL), and warns', () => {
    const warnings: string[] = [];
    const onWarning = (m: string) => warnings.push(m);
    expect(
      parseReading(item({ GlucoseUnits: 1, ValueInMgPerDl: 702, Value: 39 }), { onWarning }),
    ).toMatchObject({
      mgdl: 702,
      value: 702,
      unit: 'mg/dL',
    });
    expect(
      parseReading(item({ GlucoseUnits: 0, ValueInMgPerDl: 120, Value: 120 }), { onWarning }),
    ).toMatchObject({
      mgdl: 120,
      value: 6.7,
      unit: 'mmol/L',
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/disagrees/);
  });

  it('recomputes a missing Value and uses the fallback unit when GlucoseUnits is absent', () => {
    const raw = item({ ValueInMgPerDl: 90 });
    delete (raw as Record<string, unknown>).Value;
    delete (raw as Record<string, unknown>).GlucoseUnits;
    expect(parseReading(raw, { fallbackUnit: 'mmol/L' })).toMatchObject({ value: 5, unit: 'mmol/L' });
  });

  it.each([
    [{ ValueInMgPerDl: 0 }],
    [{ ValueInMgPerDl: -5 }],
    [{ ValueInMgPerDl: 1000 }],
    [{ ValueInMgPerDl: '120' }],
    [{ ValueInMgPerDl: null }],
    [{ FactoryTimestamp: 'yesterday' }],
    [{ FactoryTimestamp: 1672418561 }],
    [{ GlucoseUnits: 2 }],
    [{ isHigh: 'no' }],
  ])('malformed input %j → LluError malformed, never NaN', (extra) => {
    expect(catchLlu(() => parseReading(item(extra))).kind).toBe('malformed');
  });

  it('a missing ValueInMgPerDl names the path', () => {
    const raw = item();
    delete (raw as Record<string, unknown>).ValueInMgPerDl;
    const err = catchLlu(() => parseReading(raw, { endpoint: 'graph' }));
    expect(err.message).toMatch(/graph/);
    expect(err.message).toMatch(/ValueInMgPerDl/);
  });
});

describe('parseConnection', () => {
  const base = () =>
    clone((fixture('dump-connections.json') as { data: Record<string, unknown>[] }).data[0]!);

  it('tolerates sensor null, glucoseMeasurement null/absent, no alarmRules, no patientDevice, extra fields', () => {
    const raw = base();
    raw.sensor = null;
    raw.glucoseMeasurement = null;
    delete raw.alarmRules;
    delete raw.patientDevice;
    raw.somethingNew = { nested: [1, 2] };
    const c = parseConnection(raw);
    expect(c).toMatchObject({ sensor: null, latest: null, deviceTypeId: null });
    expect(c.alarms).toEqual({ highMgdl: null, lowMgdl: null, urgentLowMgdl: null });
    const raw2 = base();
    delete raw2.glucoseMeasurement;
    expect(parseConnection(raw2).latest).toBeNull();
  });

  it('urgent low falls back to alarmRules.f.th without fixedLowAlarmValues; u and c may be absent', () => {
    const raw = base() as { patientDevice: Record<string, unknown>; alarmRules: Record<string, unknown> };
    delete raw.patientDevice.fixedLowAlarmValues;
    delete raw.patientDevice.u;
    delete raw.alarmRules.c;
    expect(parseConnection(raw).alarms.urgentLowMgdl).toBe(55);
  });

  it('uom 0 → mmol/L, and the latest reading is in mmol/L when GlucoseUnits says so', () => {
    const raw = base() as Record<string, unknown> & { glucoseMeasurement: Record<string, unknown> };
    raw.uom = 0;
    raw.glucoseMeasurement.GlucoseUnits = 0;
    raw.glucoseMeasurement.Value = 5.1;
    const c = parseConnection(raw);
    expect(c.unit).toBe('mmol/L');
    expect(c.latest).toMatchObject({ mgdl: 91, value: 5.1, unit: 'mmol/L' });
  });

  it('missing patientId → that entry is dropped with an issue naming the path; the others stay', () => {
    const raw = base();
    delete raw.patientId;
    const issues: DataIssue[] = [];
    const out = parseConnections({ status: 0, data: [raw, base()] }, { onIssue: (i) => issues.push(i) });
    expect(out).toHaveLength(1);
    expect(issues).toEqual([
      expect.objectContaining({ patientId: null, path: 'data[0].patientId', field: 'patientId' }),
    ]);
    expect(catchLlu(() => parseConnection(raw)).kind).toBe('malformed');
  });

  it.each([
    ['targetLow', { targetLowMgdl: 70 }],
    ['uom', { unit: 'mg/dL' }],
    ['firstName', { firstName: '' }],
  ])('missing %s → only that field falls back, with an issue naming it', (field, expected) => {
    const raw = base();
    delete raw[field];
    const issues: DataIssue[] = [];
    const [c] = parseConnections({ status: 0, data: [raw] }, { onIssue: (i) => issues.push(i) });
    expect(c).toMatchObject(expected);
    expect(issues.map((i) => i.path)).toContain(`data[0].${field}`);
  });

  it('uom other than 0/1 → the unit of GlucoseUnits, with an issue (mg/dL still from ValueInMgPerDl)', () => {
    const raw = base() as Record<string, unknown> & { glucoseMeasurement: Record<string, unknown> };
    raw.uom = '1';
    raw.glucoseMeasurement.GlucoseUnits = 0;
    raw.glucoseMeasurement.Value = 5.1;
    const issues: DataIssue[] = [];
    const c = parseConnection(raw, { onIssue: (i) => issues.push(i) });
    expect(c.unit).toBe('mmol/L');
    expect(c.latest?.mgdl).toBe(91);
    expect(issues.map((i) => i.field)).toEqual(['uom']);
  });

  it('an empty connections list is fine (invitation not accepted yet)', () => {
    expect(parseConnections({ status: 0, data: [] })).toEqual([]);
  });
});

describe('parseGraph', () => {
  it('sorts oldest first and drops exact duplicates; activeSensors may be absent', () => {
    const body = clone(fixture('dump-graph.json')) as {
      data: { graphData: unknown[]; activeSensors?: unknown };
    };
    const points = body.data.graphData;
    body.data.graphData = [points[3], points[0], points[3], points[1]];
    delete body.data.activeSensors;
    const g = parseGraph(body);
    expect(g.activeSensors).toEqual([]);
    expect(g.readings.map((r) => r.mgdl)).toEqual([117, 115, 116]);
  });

  it('a bad graph point is dropped and named; a bad connection field is named under data.connection', () => {
    const body = clone(fixture('dump-graph.json')) as {
      data: { graphData: Array<Record<string, unknown>>; connection: Record<string, unknown> };
    };
    const good = parseGraph(clone(body));
    body.data.graphData[1]!.ValueInMgPerDl = 'x';
    body.data.connection.firstName = null;
    const issues: DataIssue[] = [];
    const g = parseGraph(body, { onIssue: (i) => issues.push(i) });
    expect(g.readings).toHaveLength(good.readings.length - 1);
    expect(issues.map((i) => i.path).sort()).toEqual([
      'data.connection.firstName',
      'data.graphData[1].ValueInMgPerDl',
    ]);
  });

  it('rejects a graph without graphData', () => {
    const body = clone(fixture('dump-graph.json')) as { data: Record<string, unknown> };
    delete body.data.graphData;
    const err = catchLlu(() => parseGraph(body));
    expect(err.message).toMatch(/graphData/);
  });
});
