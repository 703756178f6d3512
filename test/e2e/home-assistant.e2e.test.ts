// What Home Assistant shows, end to end: the real app (src/app.ts) polls the fake LibreLinkUp server
// and publishes to a broker (in-process aedes, and a real mosquitto when installed); an HA reader
// (test/homeassistant/ha-reader.ts) reads discovery, states, availability and events exactly as Home
// Assistant does. Every entity of two patients (mg/dL with threshold overrides; mmol/L with
// TrendArrow 0) is checked against the fake server's upstream truth, never against the bridge's own
// payloads. Curves are step functions, so low/high/in-range transitions happen every 2 s.

import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { describe, expect, it, type TestContext } from 'vitest';
import { ABSENCE_ANSWERS, ABSENCE_MS } from '../../src/bridge/presence.js';
import { parseThreshold } from '../../src/config/thresholds.js';
import type { Config } from '../../src/config/types.js';
import type { FakeLibreLinkUpServer, SimOptions } from '../../src/simulator/types.js';
import { startTestBroker } from '../helpers/broker.js';
import { MOSQUITTO_MISSING, startMosquitto } from '../helpers/mosquitto.js';
import { type EntityView, type FiredEvent, HaReader } from '../homeassistant/ha-reader.js';
import { cleanupFor } from './cleanup.js';
import { configFor, runBridge, startSim } from './harness.js';
import { EMAIL, MGDL_PATIENT, MMOL_PATIENT, movableClock, twoPatients } from './world.js';

const LIMIT_MS = 20_000;
const TEST_MS = 120_000;
const POLL = { interval: 1, min_interval: 0.25, timeout: 5 };
const DAY_MS = 86_400_000;
/** Each curve holds a value for 2 s (two readings), then steps to the next one. */
const PHASE_MS = 2_000;

type Key =
  | 'glucose'
  | 'trend'
  | 'high'
  | 'low'
  | 'timestamp'
  | 'event'
  | 'rate'
  | 'delta'
  | 'range'
  | 'time_in_range'
  | 'average'
  | 'gmi'
  | 'sensor_activated'
  | 'sensor_expires'
  | 'sensor';

/** Every entity of a followed person (issue 4 and 8). A new one must be added here, with its check. */
const PATIENT_ENTITIES: Record<Key, EntityView['component']> = {
  glucose: 'sensor',
  trend: 'sensor',
  high: 'binary_sensor',
  low: 'binary_sensor',
  timestamp: 'sensor',
  event: 'event',
  rate: 'sensor',
  delta: 'sensor',
  range: 'sensor',
  time_in_range: 'sensor',
  average: 'sensor',
  gmi: 'sensor',
  sensor_activated: 'sensor',
  sensor_expires: 'sensor',
  sensor: 'binary_sensor',
};
const KEYS = Object.keys(PATIENT_ENTITIES) as Key[];
/** Unavailable while the reading is stale; the others stay, so users see since when. */
const FRESH: readonly Key[] = ['glucose', 'trend', 'high', 'low', 'rate', 'delta', 'range'];
const TRENDS = ['falling_quickly', 'falling', 'stable', 'rising', 'rising_quickly'];
const EVENT_TYPES = ['low', 'urgent_low', 'high', 'in_range', 'falling_quickly', 'rising_quickly', 'stale'];

const ACCOUNT_KEY = `acct_${createHash('sha256').update(EMAIL).digest('hex').slice(0, 8)}`;
const BRIDGE = {
  connectivity: 'librelinkup2mqtt_bridge_connectivity',
  pollNow: 'librelinkup2mqtt_bridge_poll_now',
  problem: `librelinkup2mqtt_${ACCOUNT_KEY}_problem`,
  lastError: `librelinkup2mqtt_${ACCOUNT_KEY}_last_error`,
};

const uid = (patientId: string, key: Key) => `librelinkup2mqtt_${patientId}_${key}`;
const floorSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
const steps = (values: number[]) => (t: number) => values[Math.floor(t / PHASE_MS) % values.length]!;

/** What is true of one followed person, written independently of src/ (except parsing a threshold). */
interface Person {
  id: string;
  name: string;
  unit: 'mg/dL' | 'mmol/L';
  /** effective thresholds in mg/dL: the config override where there is one, else LibreLinkUp's */
  targetLow: number;
  targetHigh: number;
  urgentLow: number;
  /** LibreLinkUp's own targets (MeasurementColor, hence the `range` entity, follows these) */
  upstreamLow: number;
  upstreamHigh: number;
  values: number[];
  sensorActivatedAt: number;
}

// Anna (mg/dL): upstream targets 70–180, overridden in the config to 4.4 mmol/L (79.2 mg/dL) and
// 150 mg/dL, so 75 is low and 165 is high only through the override. 260 is above the high alarm
// (orange), 50 is below the urgent low (54).
// Ben (mmol/L, TrendArrow 0): upstream targets 72–162, no override.
function people(now: number): { anna: Person; ben: Person } {
  const activated = floorSecond(now - 3 * DAY_MS);
  return {
    anna: {
      id: MGDL_PATIENT,
      name: 'Anna Smith',
      unit: 'mg/dL',
      targetLow: 4.4 * 18,
      targetHigh: 150,
      urgentLow: 54,
      upstreamLow: 70,
      upstreamHigh: 180,
      values: [120, 75, 165, 260, 120, 50],
      sensorActivatedAt: activated,
    },
    ben: {
      id: MMOL_PATIENT,
      name: 'Ben Jones',
      unit: 'mmol/L',
      targetLow: 72,
      targetHigh: 162,
      urgentLow: 54,
      upstreamLow: 72,
      upstreamHigh: 162,
      values: [110, 65, 110, 181],
      sensorActivatedAt: activated,
    },
  };
}

function worldOf(now: () => number, anna: Person, ben: Person): SimOptions {
  const world = twoPatients(now);
  const [a, b] = world.patients;
  const sensor = (serial: string, activatedAt: number) => ({
    serial,
    activatedAt,
    warmupMinutes: 60,
    productType: 4,
  });
  world.patients = [
    {
      ...a!,
      targetLow: anna.upstreamLow,
      targetHigh: anna.upstreamHigh,
      curve: steps(anna.values),
      sensor: sensor('3MH0000A01', anna.sensorActivatedAt),
    },
    {
      ...b!,
      targetLow: ben.upstreamLow,
      targetHigh: ben.upstreamHigh,
      curve: steps(ben.values),
      sensor: sensor('3MH0000B02', ben.sensorActivatedAt),
      trendArrow: 0,
    },
  ];
  return world;
}

// ---- expectations from the upstream truth ------------------------------------------------------

type Truth = ReturnType<FakeLibreLinkUpServer['readingsOf']>[number];

function inUnit(mgdl: number, unit: Person['unit']): number {
  return unit === 'mg/dL' ? mgdl : Math.round((mgdl / 18) * 10) / 10;
}

function trendOf(arrow: number): string | null {
  return arrow >= 1 && arrow <= 5 ? TRENDS[arrow - 1]! : null;
}

function rangeOf(mgdl: number, p: Person): string {
  if (mgdl < p.urgentLow) return 'urgent_low';
  if (mgdl < p.targetLow) return 'low';
  if (mgdl > p.targetHigh) return 'high';
  return 'in_range';
}

/** MeasurementColor as the fake server sets it: below target low red, ≥ 250 orange, above target yellow. */
function colourOf(mgdl: number, p: Person): string {
  if (mgdl < p.upstreamLow) return 'below_low';
  if (mgdl >= 250) return 'above_high_alarm';
  if (mgdl > p.upstreamHigh) return 'above_target';
  return 'in_range';
}

function fastOf(arrow: number): string | null {
  return arrow === 1 ? 'falling_quickly' : arrow === 5 ? 'rising_quickly' : null;
}

function truthAt(sim: FakeLibreLinkUpServer, p: Person, timestamp: number): Truth {
  const truth = sim.readingsOf(p.id).find((r) => r.timestamp === timestamp);
  expect(truth, `${p.name}: an upstream reading at ${new Date(timestamp).toISOString()}`).toBeDefined();
  return truth!;
}

function decimals(text: string): number {
  return text.includes('.') ? text.split('.')[1]!.length : 0;
}

function expectNumberOrUnknown(e: EntityView, maxDecimals: number, what: string): void {
  if (e.state === null) return;
  expect(Number.isFinite(Number(e.state)), `${what} "${e.state}" is a number`).toBe(true);
  expect(decimals(e.state), `${what} "${e.state}" has at most ${maxDecimals} decimals`).toBeLessThanOrEqual(
    maxDecimals,
  );
}

function entityOf(reader: HaReader, p: Person, key: Key): EntityView {
  const e = reader.entity(uid(p.id, key));
  expect(e, `${p.name} ${key} is discovered`).toBeDefined();
  return e!;
}

/**
 * Every entity of `p` as Home Assistant shows it, against the upstream reading its timestamp names.
 * Returns that reading. All entities render the same retained state message, so they agree.
 */
function checkPerson(reader: HaReader, sim: FakeLibreLinkUpServer, p: Person): Truth {
  const e = (key: Key) => entityOf(reader, p, key);
  const mine = reader.entities().filter((x) => x.uniqueId.startsWith(`librelinkup2mqtt_${p.id}_`));
  expect(mine.map((x) => x.uniqueId).sort()).toEqual(KEYS.map((k) => uid(p.id, k)).sort());
  for (const key of KEYS) {
    const x = e(key);
    expect(x.component, `${p.name} ${key} component`).toBe(PATIENT_ENTITIES[key]);
    expect(x.available, `${p.name} ${key} available`).toBe(true);
    expect(x.config.device).toMatchObject({ name: p.name, via_device: 'librelinkup2mqtt_bridge' });
  }

  const timestamp = e('timestamp');
  expect(timestamp.config).toMatchObject({ device_class: 'timestamp' });
  expect(timestamp.state, `${p.name} timestamp`).toMatch(/(Z|[+-]\d\d:\d\d)$/);
  const truth = truthAt(sim, p, Date.parse(timestamp.state!));

  const glucose = e('glucose');
  expect(glucose.config).toMatchObject({
    device_class: 'blood_glucose_concentration',
    state_class: 'measurement',
    unit_of_measurement: p.unit,
    suggested_display_precision: p.unit === 'mg/dL' ? 0 : 1,
  });
  expect(glucose.state, `${p.name} glucose for ${truth.mgdl} mg/dL`).toBe(String(inUnit(truth.mgdl, p.unit)));

  const trend = e('trend');
  expect(trend.config).toMatchObject({ device_class: 'enum', options: TRENDS });
  expect(trend.state, `${p.name} trend for TrendArrow ${truth.trendArrow}`).toBe(trendOf(truth.trendArrow));

  for (const key of ['high', 'low'] as const) {
    expect(e(key).config).toMatchObject({ device_class: 'problem' });
  }
  expect(e('high').state, `${p.name} high at ${truth.mgdl} mg/dL`).toBe(
    truth.mgdl > p.targetHigh ? 'on' : 'off',
  );
  expect(e('low').state, `${p.name} low at ${truth.mgdl} mg/dL`).toBe(
    truth.mgdl < p.targetLow ? 'on' : 'off',
  );

  expect(e('range').config).toMatchObject({ device_class: 'enum' });
  expect(e('range').state, `${p.name} range at ${truth.mgdl} mg/dL`).toBe(colourOf(truth.mgdl, p));

  expect(e('rate').config).toMatchObject({
    unit_of_measurement: `${p.unit}/min`,
    state_class: 'measurement',
  });
  expectNumberOrUnknown(e('rate'), p.unit === 'mg/dL' ? 1 : 2, `${p.name} rate`);
  expect(e('delta').config).toMatchObject({ unit_of_measurement: p.unit, state_class: 'measurement' });
  expectNumberOrUnknown(e('delta'), p.unit === 'mg/dL' ? 0 : 1, `${p.name} delta`);
  expectNumberOrUnknown(e('time_in_range'), 1, `${p.name} time in range`);
  if (e('time_in_range').state !== null) {
    expect(Number(e('time_in_range').state)).toBeGreaterThanOrEqual(0);
    expect(Number(e('time_in_range').state)).toBeLessThanOrEqual(100);
  }
  expect(e('average').config).toMatchObject({ unit_of_measurement: p.unit });
  expectNumberOrUnknown(e('average'), p.unit === 'mg/dL' ? 0 : 1, `${p.name} average`);
  expectNumberOrUnknown(e('gmi'), 1, `${p.name} GMI`);

  expect(Date.parse(e('sensor_activated').state ?? '')).toBe(p.sensorActivatedAt);
  // pt 4 is a Libre 3: 15 days (an estimate, src/bridge/sensor-life.ts)
  expect(Date.parse(e('sensor_expires').state ?? '')).toBe(p.sensorActivatedAt + 15 * DAY_MS);
  expect(e('sensor').state, `${p.name} sensor problem`).toBe('off');

  expect(e('event').config.event_types).toEqual(expect.arrayContaining(EVENT_TYPES));
  return truth;
}

/** Readings the bridge showed, in order, from `from` (an index into the timestamp history) on. */
function shownReadings(reader: HaReader, p: Person, from: number): number[] {
  const out: number[] = [];
  for (const h of reader.history(uid(p.id, 'timestamp')).slice(from)) {
    if (h.state === null) continue;
    const ts = Date.parse(h.state);
    if (out[out.length - 1] !== ts) out.push(ts);
  }
  return out;
}

interface EventWindow {
  expected: Array<{ type: string; timestamp: string }>;
  actual: Array<{ type: string; timestamp: string }>;
  events: FiredEvent[];
}

/**
 * Events Home Assistant must have seen between shown readings R0..Rm (R0 = the reading shown when
 * the window opened): one per transition into a range or a fast trend, for R1..R(m-1) — the events
 * of Rm may still be on their way (they follow Rm's state).
 */
function eventWindow(reader: HaReader, sim: FakeLibreLinkUpServer, p: Person, from: number): EventWindow {
  const shown = shownReadings(reader, p, from);
  const expected: EventWindow['expected'] = [];
  const truths = shown.map((ts) => truthAt(sim, p, ts));
  for (let i = 1; i < truths.length - 1; i++) {
    const [prev, cur] = [truths[i - 1]!, truths[i]!];
    const timestamp = new Date(cur.timestamp).toISOString();
    if (rangeOf(cur.mgdl, p) !== rangeOf(prev.mgdl, p))
      expected.push({ type: rangeOf(cur.mgdl, p), timestamp });
    const fast = fastOf(cur.trendArrow);
    if (fast !== null && fast !== fastOf(prev.trendArrow)) expected.push({ type: fast, timestamp });
  }
  const first = shown[0];
  const last = shown[shown.length - 2];
  const events =
    first === undefined || last === undefined
      ? []
      : reader.events(uid(p.id, 'event')).filter((ev) => {
          const ts = Date.parse(String(ev.attributes.timestamp));
          return ts > first && ts <= last;
        });
  const actual = events.map((ev) => ({ type: ev.eventType, timestamp: String(ev.attributes.timestamp) }));
  return { expected, actual, events };
}

// ---- brokers -----------------------------------------------------------------------------------

interface Broker {
  url: string;
  close(): Promise<void>;
}

const BROKERS: Array<{ title: string; skip: boolean; start: () => Promise<Broker> }> = [
  { title: 'aedes (in-process)', skip: false, start: () => startTestBroker() },
  {
    title: MOSQUITTO_MISSING ? `mosquitto — SKIPPED: ${MOSQUITTO_MISSING}` : 'mosquitto',
    skip: MOSQUITTO_MISSING !== '',
    start: () => startMosquitto(undefined, ['allow_anonymous true']),
  },
];

// Each test has its own fake server, broker, reader and bridge: they run side by side.
describe.concurrent.each(BROKERS)('Home Assistant reading the bridge over $title', ({ skip, start }) => {
  const test = skip ? it.skip : it;

  async function setup(ctx: TestContext, clock = movableClock()) {
    const defer = cleanupFor(ctx);
    const { anna, ben } = people(clock.now());
    const world = worldOf(clock.now, anna, ben);
    const sim = await startSim(world);
    defer(() => sim.close());
    const broker = await start();
    defer(() => broker.close());
    const config: Config = configFor(sim, broker.url, { poll: POLL }, world);
    config.accounts[0]!.patients = [
      {
        id: MGDL_PATIENT,
        target_low: parseThreshold('4.4 mmol/L')!,
        target_high: parseThreshold('150 mg/dL')!,
      },
      { id: MMOL_PATIENT },
    ];
    defer(async () => rmSync(config.data_dir, { recursive: true, force: true }));
    const reader = await HaReader.connect(broker.url);
    defer(() => reader.close());
    const bridge = await runBridge(config, clock.now);
    defer(() => bridge.stop());
    return { sim, broker, reader, bridge, clock, anna, ben, defer };
  }

  function allIds(anna: Person, ben: Person): string[] {
    return [
      ...KEYS.map((k) => uid(anna.id, k)),
      ...KEYS.map((k) => uid(ben.id, k)),
      ...Object.values(BRIDGE),
    ];
  }

  /** Every entity discovered and available, with a state where it has one. */
  function complete(reader: HaReader, ids: string[]): boolean {
    return ids.every((id) => {
      const e = reader.entity(id);
      return (
        e?.available === true && (e.component === 'event' || e.component === 'button' || e.updatedAt !== null)
      );
    });
  }

  async function discovered(reader: HaReader, anna: Person, ben: Person): Promise<void> {
    await reader.waitFor(
      () => complete(reader, allIds(anna, ben)),
      'every entity discovered, available, with state',
    );
    await reader.idle();
  }

  test(
    'shows every entity of both patients as upstream has it: glucose and unit, precision, trend (unknown for ' +
      'TrendArrow 0), high/low against targets and the config override, timestamp, range, rate/delta; ' +
      'all unavailable once the bridge stops',
    async (ctx) => {
      const { sim, reader, bridge, anna, ben } = await setup(ctx);
      await discovered(reader, anna, ben);

      // Bridge device: connected, no problem, a poll-now button. The account's status follows the
      // patients' states of the same poll, so it may still be on its way.
      await reader.waitFor(() => reader.entity(BRIDGE.connectivity)?.state === 'on', 'the bridge connected');
      expect(reader.entity(BRIDGE.connectivity)).toMatchObject({ state: 'on', available: true });
      expect(reader.entity(BRIDGE.connectivity)?.config.device_class).toBe('connectivity');
      expect(reader.entity(BRIDGE.problem)).toMatchObject({ state: 'off', available: true });
      // No false alarm while starting: the problem entity never turned on before the first answer.
      expect(reader.history(BRIDGE.problem).map((h) => h.state)).not.toContain('on');
      expect(reader.history(BRIDGE.lastError).map((h) => h.state)).toContain('starting');
      expect(reader.entity(BRIDGE.lastError)).toMatchObject({ state: 'OK', available: true });
      expect(reader.entity(BRIDGE.pollNow)?.config.command_topic).toBe(
        'librelinkup2mqtt/bridge/request/poll',
      );
      const patientDevice = reader.entity(uid(anna.id, 'glucose'))?.config.device as { via_device: string };
      const bridgeDevice = reader.entity(BRIDGE.connectivity)?.config.device as { identifiers: string[] };
      expect(bridgeDevice.identifiers).toContain(patientDevice.via_device);

      // Check at every new state until each patient has shown every value of its curve, so high and
      // low are seen on and off, including 75 and 165 (low/high through the override only).
      const seen = { anna: new Set<number>(), ben: new Set<number>() };
      await reader.waitFor(
        () => {
          seen.anna.add(checkPerson(reader, sim, anna).mgdl);
          seen.ben.add(checkPerson(reader, sim, ben).mgdl);
          return anna.values.every((v) => seen.anna.has(v)) && ben.values.every((v) => seen.ben.has(v));
        },
        'every value of both curves shown and checked',
        2 * LIMIT_MS,
      );
      // Ben's TrendArrow is always 0: never a made-up trend.
      const benTrends = reader.history(uid(ben.id, 'trend')).map((h) => h.state);
      expect(benTrends.length).toBeGreaterThan(3);
      expect(new Set(benTrends)).toEqual(new Set([null]));
      // Anna's trends did change and were shown.
      expect(new Set(reader.history(uid(anna.id, 'trend')).map((h) => h.state)).size).toBeGreaterThan(1);

      await bridge.stop();
      await reader.waitFor(
        () => reader.entities().every((e) => !e.available),
        'every entity unavailable after the bridge stopped',
      );
      expect(reader.entities()).toHaveLength(allIds(anna, ben).length);
      expect(reader.errors).toEqual([]);
    },
    TEST_MS,
  );

  test(
    'fires each event once, on the transition into low, urgent_low, high, in_range, falling_quickly and ' +
      'rising_quickly, with the reading in its attributes',
    async (ctx) => {
      const { sim, reader, anna, ben } = await setup(ctx);
      await discovered(reader, anna, ben);
      // The window opens at the reading shown now: everything after it is compared.
      const from = {
        anna: reader.history(uid(anna.id, 'timestamp')).length - 1,
        ben: reader.history(uid(ben.id, 'timestamp')).length - 1,
      };
      const wanted = {
        anna: ['low', 'urgent_low', 'high', 'in_range', 'falling_quickly', 'rising_quickly'],
        ben: ['low', 'high', 'in_range'],
      };
      await reader.waitFor(
        () => {
          let covered = true;
          for (const [name, p] of [
            ['anna', anna],
            ['ben', ben],
          ] as const) {
            const w = eventWindow(reader, sim, p, from[name]);
            expect(w.actual, `${p.name}: events fired once per transition`).toEqual(w.expected);
            const types = new Set(w.actual.map((a) => a.type));
            covered &&= wanted[name].every((t) => types.has(t));
          }
          return covered;
        },
        'every kind of transition for both patients',
        2 * LIMIT_MS,
      );

      for (const p of [anna, ben]) {
        const w = eventWindow(reader, sim, p, from[p === anna ? 'anna' : 'ben']);
        for (const ev of w.events) {
          const truth = truthAt(sim, p, Date.parse(String(ev.attributes.timestamp)));
          expect(ev.attributes, `${p.name} ${ev.eventType} attributes`).toMatchObject({
            glucose_mgdl: truth.mgdl,
            glucose: inUnit(truth.mgdl, p.unit),
            unit: p.unit,
            trend: trendOf(truth.trendArrow),
          });
        }
      }
      // Ben has no trend: never a fast-trend event.
      const benTypes = reader.events(uid(ben.id, 'event')).map((ev) => ev.eventType);
      expect(benTypes).not.toContain('falling_quickly');
      expect(benTypes).not.toContain('rising_quickly');
      expect(reader.errors).toEqual([]);
    },
    TEST_MS,
  );

  test(
    'after 15 minutes without a reading: glucose, trend, high, low, rate, delta and range unavailable, ' +
      'the timestamp stays, stale fires once; fresh again when readings resume',
    async (ctx) => {
      const clock = movableClock();
      const { sim, reader, anna, ben } = await setup(ctx, clock);
      await discovered(reader, anna, ben);

      sim.pauseReadings(anna.id);
      const last = sim.readingsOf(anna.id).at(-1)!;
      // Fifteen minutes from the last reading the bridge has shown: at a 1 s cadence the newest one may
      // still be on its way when readings pause.
      await reader.waitFor(
        () => Date.parse(reader.entity(uid(anna.id, 'timestamp'))?.state ?? '') === last.timestamp,
        'the last reading shown',
      );
      clock.advance(16 * 60_000);
      await reader.waitFor(() => reader.entity(uid(anna.id, 'glucose'))?.available === false, 'Anna stale');
      await reader.waitFor(
        () => reader.events(uid(anna.id, 'event')).some((ev) => ev.eventType === 'stale'),
        'the stale event',
      );
      for (const key of KEYS) {
        expect(reader.entity(uid(anna.id, key))?.available, `Anna ${key} available while stale`).toBe(
          !FRESH.includes(key),
        );
      }
      const timestamp = reader.entity(uid(anna.id, 'timestamp'))!;
      expect(Date.parse(timestamp.state!), 'the last reading stays shown').toBe(last.timestamp);
      const stale = reader.events(uid(anna.id, 'event')).filter((ev) => ev.eventType === 'stale');
      expect(stale).toHaveLength(1);
      expect(stale[0]!.attributes).toMatchObject({
        timestamp: new Date(last.timestamp).toISOString(),
        glucose_mgdl: last.mgdl,
      });

      // Ben's readings go on: he stays fresh, checked against the truth at the moved clock.
      await reader.waitFor(() => {
        const ts = reader.entity(uid(ben.id, 'timestamp'))?.state;
        return ts != null && Date.parse(ts) > clock.now() - 60_000;
      }, 'Ben fresh at the moved clock');
      const benShown = reader.history(uid(ben.id, 'timestamp')).length;
      await reader.waitFor(
        () => shownReadings(reader, ben, benShown).length >= 3,
        'three more polls with new readings for Ben',
      );
      checkPerson(reader, sim, ben);
      expect(reader.events(uid(anna.id, 'event')).filter((ev) => ev.eventType === 'stale')).toHaveLength(1);

      sim.resumeReadings(anna.id);
      await reader.waitFor(() => {
        const ts = reader.entity(uid(anna.id, 'timestamp'))?.state;
        return (
          reader.entity(uid(anna.id, 'glucose'))?.available === true && Date.parse(ts ?? '') > last.timestamp
        );
      }, 'Anna fresh again');
      checkPerson(reader, sim, anna);
      expect(reader.errors).toEqual([]);
    },
    TEST_MS,
  );

  test(
    're-sends discovery, states and availability within 5 s of homeassistant/status online',
    async (ctx) => {
      const { sim, reader, anna, ben } = await setup(ctx);
      await discovered(reader, anna, ben);
      reader.reset(); // Home Assistant restarted: it knows nothing
      expect(reader.entities()).toEqual([]);
      const t0 = Date.now();
      await reader.publish('homeassistant/status', 'online');
      await reader.waitFor(
        () => complete(reader, allIds(anna, ben)),
        'every entity back, available, with state',
      );
      expect(Date.now() - t0).toBeLessThan(5_000);
      checkPerson(reader, sim, anna);
      checkPerson(reader, sim, ben);
      expect(reader.entity(BRIDGE.problem)?.state).toBe('off');
      expect(reader.errors).toEqual([]);
    },
    TEST_MS,
  );

  test(
    'removes the entities of a patient no longer shared (empty retained configs), keeps the others',
    async (ctx) => {
      const { sim, broker, reader, clock, anna, ben, defer } = await setup(ctx);
      await discovered(reader, anna, ben);
      sim.unfollow(EMAIL, ben.id);
      // Removal waits for the absence to be confirmed: several answers, then several minutes.
      const answers = () =>
        sim.requests.filter((r) => r.endpoint === 'connections' && r.outcome === 'ok').length;
      const from = answers();
      await reader.waitFor(() => answers() >= from + ABSENCE_ANSWERS, 'answers without Ben');
      clock.advance(ABSENCE_MS);
      await reader.waitFor(
        () => KEYS.every((k) => reader.entity(uid(ben.id, k)) === undefined),
        'Ben removed from Home Assistant',
      );
      const remaining = [...KEYS.map((k) => uid(anna.id, k)), ...Object.values(BRIDGE)];
      expect(complete(reader, remaining)).toBe(true);
      checkPerson(reader, sim, anna);

      // Home Assistant started afterwards finds only retained configs: none for Ben.
      const late = await HaReader.connect(broker.url);
      defer(() => late.close());
      await late.waitFor(
        () => complete(late, remaining),
        "the late reader finding Anna's and the bridge's entities",
      );
      await late.idle();
      expect(
        late
          .entities()
          .map((e) => e.uniqueId)
          .sort(),
      ).toEqual([...remaining].sort());
      checkPerson(late, sim, anna);
      expect(reader.errors).toEqual([]);
      expect(late.errors).toEqual([]);
    },
    TEST_MS,
  );

  test(
    'a changed password turns the account problem on, with last_error saying so in words',
    async (ctx) => {
      const { sim, reader, anna, ben } = await setup(ctx);
      await discovered(reader, anna, ben);
      // The account's first state may still be on its way after the patients' entities.
      await reader.waitFor(() => reader.entity(BRIDGE.problem)?.state === 'off', 'the problem entity off');
      const changed = 'Ch4nged-Elsewhere!';
      sim.setPassword(EMAIL, changed);
      sim.revokeTokens(EMAIL);
      await reader.waitFor(() => reader.entity(BRIDGE.problem)?.state === 'on', 'the problem entity on');
      const problem = reader.entity(BRIDGE.problem)!;
      expect(problem).toMatchObject({ available: true, config: { device_class: 'problem' } });
      expect(problem.attributes).toMatchObject({ ok: false, error_kind: 'bad_credentials' });
      const lastError = reader.entity(BRIDGE.lastError)!;
      expect(lastError.available).toBe(true);
      expect(lastError.state).toMatch(/password/i);
      expect(lastError.state).not.toContain(changed);
      // Connectivity has a topic of its own, published with the same account change.
      await reader.waitFor(() => reader.entity(BRIDGE.connectivity)?.state === 'off', 'connectivity off');
      expect(reader.errors).toEqual([]);
    },
    TEST_MS,
  );
});
