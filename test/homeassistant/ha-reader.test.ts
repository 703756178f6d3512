// The HA reader itself: its template renderer, abbreviations and `~`, and the rules it applies to
// crafted configs and states over a real (in-process) broker. The end-to-end suite trusts it, so
// each rule it enforces is shown here to catch its violation.

import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBroker } from '../helpers/broker.js';
import {
  compileTemplate,
  expandAbbreviations,
  HaReader,
  pythonStr,
  replaceTopicBase,
  UnsupportedTemplateError,
} from './ha-reader.js';

describe('ha-reader template renderer', () => {
  it('renders {{ value_json.key }} as Python prints the value', () => {
    const t = compileTemplate('{{ value_json.glucose }}');
    expect(t('{"glucose": 6.1}')).toEqual({ text: '6.1', problems: [] });
    expect(t('{"glucose": 120}')).toEqual({ text: '120', problems: [] });
    expect(t('{"glucose": null}')).toEqual({ text: 'None', problems: [] });
    expect(t('{"glucose": true}')).toEqual({ text: 'True', problems: [] });
    expect(t('{"glucose": "stable"}')).toEqual({ text: 'stable', problems: [] });
    expect(pythonStr(1e-7)).toBe('1e-07');
    expect(pythonStr(1e21)).toBe('1e+21');
  });

  it('renders both conditional forms with Python truthiness and string equality', () => {
    const onOff = compileTemplate("{{ 'ON' if value_json.high else 'OFF' }}");
    expect(onOff('{"high": true}').text).toBe('ON');
    for (const falsy of ['false', 'null', '0', '""', '[]', '{}'])
      expect(onOff(`{"high": ${falsy}}`).text).toBe('OFF');
    const eq = compileTemplate('{{ "OFF" if value_json.sensor_problem == "ok" else "ON" }}');
    expect(eq('{"sensor_problem": "ok"}').text).toBe('OFF');
    expect(eq('{"sensor_problem": "ended"}').text).toBe('ON');
    expect(eq('{"sensor_problem": null}').text).toBe('ON');
  });

  it('reports a missing key and a payload that is not JSON, as HA logs them', () => {
    const t = compileTemplate('{{ value_json.glucose }}');
    expect(t('{"other": 1}')).toMatchObject({
      text: '',
      problems: [expect.stringMatching(/no attribute 'glucose'/)],
    });
    expect(t('')).toMatchObject({ text: null, problems: [expect.stringMatching(/not JSON/)] });
    const c = compileTemplate("{{ 'ON' if value_json.high else 'OFF' }}");
    expect(c('{}')).toMatchObject({ text: 'OFF', problems: [expect.stringMatching(/no attribute 'high'/)] });
  });

  it('refuses every other form, so a new template cannot slip by untested', () => {
    for (const form of [
      '{{ value }}',
      '{{ value_json.glucose | float }}',
      "{{ value_json['glucose'] }}",
      '{{ value_json.a.b }}',
      "{{ 'ON' if value_json.glucose > 180 else 'OFF' }}",
      '{% if value_json.ok %}ON{% endif %}',
      'prefix {{ value_json.x }}',
    ]) {
      expect(() => compileTemplate(form), form).toThrow(UnsupportedTemplateError);
    }
  });
});

describe('ha-reader abbreviations and topic base', () => {
  it('expands top-level, device, origin and availability keys, then substitutes ~', () => {
    const expanded = replaceTopicBase(
      expandAbbreviations({
        '~': 'base/anna',
        uniq_id: 'u1',
        stat_t: '~/state',
        json_attr_t: '~/state',
        cmd_t: 'cmd/~',
        avty: [{ t: '~/availability', pl_avail: 'up' }],
        avty_mode: 'all',
        dev: { ids: ['d1'], mf: 'Abbott', sw: '1', sn: 'S' },
        o: { name: 'x', sw: '2', url: 'https://example.org' },
        unit_of_meas: 'mg/dL',
        val_tpl: '{{ value_json.glucose }}',
      }),
    );
    expect(expanded).toEqual({
      unique_id: 'u1',
      state_topic: 'base/anna/state',
      json_attributes_topic: 'base/anna/state',
      command_topic: 'cmd/base/anna',
      availability: [{ topic: 'base/anna/availability', payload_available: 'up' }],
      availability_mode: 'all',
      device: { identifiers: ['d1'], manufacturer: 'Abbott', sw_version: '1', serial_number: 'S' },
      origin: { name: 'x', sw_version: '2', support_url: 'https://example.org' },
      unit_of_measurement: 'mg/dL',
      value_template: '{{ value_json.glucose }}',
    });
  });
});

describe('ha-reader over a broker', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    cleanups.length = 0;
  });

  async function setup() {
    const broker = await startTestBroker();
    cleanups.push(() => broker.close());
    const pub: MqttClient = await mqtt.connectAsync(broker.url);
    cleanups.push(() => pub.endAsync());
    const reader = await HaReader.connect(broker.url);
    cleanups.push(() => reader.close());
    const send = (topic: string, payload: unknown, retain = true) =>
      pub.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), {
        qos: 1,
        retain,
      });
    return { reader, send, url: broker.url };
  }

  const device = { ids: ['dev1'], name: 'Dev' };
  const origin = { name: 'test' };
  const sensor = (id: string, extra: Record<string, unknown> = {}) => ({
    uniq_id: id,
    name: id,
    '~': 'b/p',
    stat_t: '~/state',
    avty: [{ t: 'b/bridge' }, { t: '~/avail' }],
    avty_mode: 'all',
    dev: device,
    o: origin,
    ...extra,
  });

  it('tracks state through value_template, attributes, availability (all/any/latest) and removal', async () => {
    const { reader, send } = await setup();
    await send('homeassistant/sensor/n/glucose/config', {
      ...sensor('g', { val_tpl: '{{ value_json.glucose }}', unit_of_meas: 'mg/dL', json_attr_t: '~/state' }),
    });
    await send('homeassistant/sensor/n/any/config', {
      ...sensor('any'),
      avty_mode: 'any',
      val_tpl: '{{ value_json.trend }}',
    });
    await send('homeassistant/sensor/n/latest/config', {
      ...sensor('latest'),
      avty_mode: undefined,
      val_tpl: '{{ value_json.trend }}',
    });
    await reader.waitFor(() => reader.entities().length === 3, 'three entities');
    await reader.idle();
    expect(reader.entity('g')).toMatchObject({ available: false, state: null, updatedAt: null });
    await send('b/p/state', { glucose: 123, trend: 'stable' });
    await send('b/bridge', 'online');
    await reader.waitFor(
      () => reader.entity('g')?.state === '123' && reader.entity('any')?.available === true,
      'state and the bridge topic',
    );
    expect(reader.entity('g')).toMatchObject({ available: false, attributes: { glucose: 123 } });
    expect(reader.entity('any')?.available).toBe(true);
    expect(reader.entity('latest')?.available).toBe(true);
    await send('b/p/avail', 'online');
    await reader.waitFor(() => reader.entity('g')?.available === true, 'all available');
    await send('b/p/avail', 'offline');
    await reader.waitFor(
      () => reader.entity('latest')?.available === false,
      'latest follows the last message',
    );
    expect(reader.entity('g')?.available).toBe(false);
    expect(reader.entity('any')?.available).toBe(true);
    await send('b/p/state', { glucose: null, trend: null });
    await reader.waitFor(() => reader.entity('g')?.state === null, 'None is unknown');
    await send('homeassistant/sensor/n/glucose/config', '');
    await reader.waitFor(() => reader.entity('g') === undefined, 'removed');
    expect(reader.errors).toEqual([]);
  });

  it('records what HA would log: bad option, non-numeric, naive timestamp, over-long state, unknown binary payload, bad events', async () => {
    const { reader, send, url } = await setup();
    await send('homeassistant/sensor/n/trend/config', {
      ...sensor('trend', { dev_cla: 'enum', ops: ['stable'], val_tpl: '{{ value_json.trend }}' }),
    });
    await send('homeassistant/sensor/n/glucose/config', {
      ...sensor('glucose', { stat_cla: 'measurement', val_tpl: '{{ value_json.glucose }}' }),
    });
    await send('homeassistant/sensor/n/ts/config', {
      ...sensor('ts', { dev_cla: 'timestamp', val_tpl: '{{ value_json.ts }}' }),
    });
    await send('homeassistant/binary_sensor/n/high/config', {
      ...sensor('high', { val_tpl: '{{ value_json.high }}' }),
    });
    await send('homeassistant/event/n/event/config', {
      ...sensor('event'),
      stat_t: '~/event',
      evt_typ: ['low'],
    });
    await send('homeassistant/sensor/n/msg/config', {
      ...sensor('msg', { val_tpl: '{{ value_json.msg }}' }),
    });
    await reader.waitFor(() => reader.entities().length === 6, 'six entities');
    await reader.idle();
    await send('b/p/state', {
      trend: 'sideways',
      glucose: 'NaN',
      ts: '2026-01-01T07:05:00',
      high: true,
      msg: 'x'.repeat(256),
    });
    await send('b/p/event', { event_type: 'low', glucose: 60 }, false);
    await send('b/p/event', { event_type: 'party' }, false);
    await send('b/p/event', { glucose: 1 }, false);
    await send('b/p/event', 'not json', false);
    await reader.waitFor(() => reader.errors.length >= 8, 'eight errors');
    const all = reader.errors.join('\n');
    expect(all).toMatch(/invalid option, got 'sideways'/);
    expect(all).toMatch(/non-numeric value 'NaN'/);
    expect(all).toMatch(/'2026-01-01T07:05:00' has no time zone/);
    expect(all).toMatch(/no matching payload found for binary_sensor: 'True'/);
    expect(all).toMatch(/invalid event type 'party'/);
    expect(all).toMatch(/`event_type` missing/);
    expect(all).toMatch(/no valid JSON event payload/);
    expect(all).toMatch(/msg.*longer than 255 characters/);
    expect(reader.events('event')).toEqual([
      { eventType: 'low', attributes: { glucose: 60 }, at: expect.any(Number) },
    ]);
    // A retained event is what HA ignores on (re)subscription: a late reader sees it as a violation.
    await send('b/p/event', { event_type: 'low' }, true);
    const late = await HaReader.connect(url);
    cleanups.push(() => late.close());
    await late.waitFor(() => late.errors.some((e) => /retained/.test(e)), 'the retained event noticed');
    expect(late.events('event')).toEqual([]);
  });

  it('refuses invalid configs, unknown templates and duplicate unique ids', async () => {
    const { reader, send } = await setup();
    await send('homeassistant/sensor/n/a/config', {
      ...sensor('a', {
        dev_cla: 'blood_glucose_concentration',
        unit_of_meas: 'mg/dl',
        stat_cla: 'measurement',
      }),
    });
    await send('homeassistant/sensor/n/b/config', {
      ...sensor('b', { val_tpl: '{{ value_json.x | float }}' }),
    });
    await send('homeassistant/sensor/n/c/config', { ...sensor('c') });
    await send('homeassistant/sensor/n/d/config', { ...sensor('c') });
    await send('homeassistant/sensor/n/e/config', { ...sensor('e', { exp_aft: 900 }) });
    await send('homeassistant/sensor/n/bad topic/config', { ...sensor('f') });
    await reader.waitFor(() => reader.errors.length >= 5, 'five errors');
    const all = reader.errors.join('\n');
    expect(all).toMatch(/glucose unit/);
    expect(all).toMatch(/does not know the template form/);
    expect(all).toMatch(/unique ID c already exists/);
    expect(all).toMatch(/expire_after is not emulated/);
    expect(all).toMatch(/illegal discovery topic/);
    expect(reader.entities().map((e) => e.uniqueId)).toEqual(['c']);
  });

  it('reads device-based discovery: shared options, and removal by {p} or by omission', async () => {
    const { reader, send } = await setup();
    const topic = 'homeassistant/device/dev1/config';
    const cmp = (id: string) => ({ p: 'sensor', uniq_id: id, val_tpl: `{{ value_json.${id} }}` });
    await send(topic, {
      dev: device,
      o: origin,
      stat_t: 'b/p/state',
      avty_t: 'b/p/avail',
      // `~` is not a shared option: only a component's own `~` applies, to its own topics.
      cmps: { x: cmp('x'), y: cmp('y'), z: { ...cmp('z'), '~': 'b', stat_t: '~/other' } },
    });
    await send('b/p/state', { x: 1, y: 'two' });
    await send('b/p/avail', 'online');
    await reader.waitFor(
      () => reader.entity('y')?.state === 'two' && reader.entity('x')?.available === true,
      'x, y',
    );
    expect(reader.entity('z')?.config.state_topic).toBe('b/other');
    expect(reader.entity('x')?.config.device).toEqual({ identifiers: ['dev1'], name: 'Dev' });
    await send(topic, {
      dev: device,
      o: origin,
      stat_t: 'b/p/state',
      cmps: { x: cmp('x'), y: { p: 'sensor' } },
    });
    await reader.waitFor(() => reader.entities().length === 1, 'y removed by {p}, z by omission');
    expect(reader.entity('x')).toBeDefined();
    await send(topic, '');
    await reader.waitFor(() => reader.entities().length === 0, 'all removed');
    expect(reader.errors).toEqual([]);
  });

  it('reset forgets everything; entities created later pick up what their topics received since', async () => {
    const { reader, send } = await setup();
    await send('homeassistant/sensor/n/g/config', sensor('g', { val_tpl: '{{ value_json.glucose }}' }));
    await send('b/p/state', { glucose: 100 });
    await send('b/bridge', 'online');
    await send('b/p/avail', 'online');
    await reader.waitFor(
      () => reader.entity('g')?.available === true && reader.entity('g')?.state === '100',
      'g',
    );
    reader.reset();
    expect(reader.entities()).toEqual([]);
    await send('b/bridge', 'online', false);
    await send('b/p/state', { glucose: 101 }, false);
    await send(
      'homeassistant/sensor/n/g/config',
      sensor('g', { val_tpl: '{{ value_json.glucose }}' }),
      false,
    );
    await reader.waitFor(() => reader.entity('g')?.state === '101', 'g again, from the cached state');
    // b/p/avail said nothing since the reset: with mode all, g is unavailable.
    expect(reader.entity('g')?.available).toBe(false);
    expect(reader.errors).toEqual([]);
  });
});
