// Loads each Home Assistant blueprint as YAML (with the !input tag Home Assistant defines) and checks
// its inputs, selectors, the !input references, the event types against the bridge's, and the actions.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML, { type ScalarTag } from 'yaml';
import { ALERT_TYPES } from '../../src/bridge/events.js';

class InputRef {
  constructor(readonly name: string) {}
}

const inputTag: ScalarTag = {
  tag: '!input',
  identify: (value) => value instanceof InputRef,
  resolve: (name) => new InputRef(name),
};

const DIR = 'blueprints/automation/librelinkup2mqtt/';
const REPO = 'https://github.com/librelinkup2mqtt/librelinkup2mqtt/blob/main/';

type Node = unknown;
interface Selector {
  min?: number;
  max?: number;
  [key: string]: unknown;
}
interface Step {
  action?: string;
  target?: unknown;
  data?: Record<string, unknown>;
  value_template?: string;
}
interface Blueprint {
  blueprint: {
    name: string;
    description: string;
    domain: string;
    source_url: string;
    homeassistant?: { min_version?: string };
    input: Record<
      string,
      { name?: string; description?: string; default?: unknown; selector: Record<string, Selector> }
    >;
  };
  mode?: string;
  variables?: Record<string, Node>;
  triggers: Array<Record<string, Node>>;
  conditions: Array<Record<string, Node>>;
  actions: Array<Record<string, Node>>;
}

function load(file: string): Blueprint {
  const text = readFileSync(new URL(`../../${DIR}${file}`, import.meta.url), 'utf8');
  const doc = YAML.parseDocument(text, { customTags: [inputTag] });
  expect(doc.errors).toEqual([]);
  expect(doc.warnings).toEqual([]);
  return doc.toJS() as Blueprint;
}

/** Every value in a tree, with the key it sits under. */
function* walk(node: Node, key = ''): Generator<[string, Node]> {
  yield [key, node];
  if (Array.isArray(node)) for (const v of node) yield* walk(v, key);
  else if (node !== null && typeof node === 'object' && !(node instanceof InputRef)) {
    for (const [k, v] of Object.entries(node)) yield* walk(v, k);
  }
}

function inputRefs(bp: Blueprint): Set<string> {
  const { blueprint: _meta, ...body } = bp;
  const refs = new Set<string>();
  for (const [, v] of walk(body)) if (v instanceof InputRef) refs.add(v.name);
  return refs;
}

function templates(bp: Blueprint): string[] {
  const { blueprint: _meta, ...body } = bp;
  return [...walk(body)]
    .map(([, v]) => v)
    .filter((v): v is string => typeof v === 'string' && /\{[{%]/.test(v));
}

function actionsCalled(bp: Blueprint): string[] {
  return [...walk(bp.actions)]
    .filter(([k, v]) => k === 'action' && typeof v === 'string')
    .map(([, v]) => v as string);
}

/** The quoted event types a template compares event_type with. */
function eventTypesIn(bp: Blueprint): string[] {
  const cond = templates({ ...bp, actions: [], variables: {} } as Blueprint).join('\n');
  const found = new Set<string>();
  for (const m of cond.matchAll(/event_type\s*(?:==|in)\s*(\[[^\]]*\]|'[^']*')/g)) {
    for (const q of m[1]!.matchAll(/'([^']+)'/g)) found.add(q[1]!);
  }
  return [...found].sort();
}

const KNOWN_ACTIONS = new Set(['light.turn_on', 'light.turn_off', 'scene.create', 'scene.turn_on']);

function commonChecks(file: string, bp: Blueprint) {
  const meta = bp.blueprint;
  expect(meta.domain).toBe('automation');
  expect(meta.name).toMatch(/^LibreLinkUp: /);
  expect(meta.description).toMatch(/Not a medical device/);
  expect(meta.source_url).toBe(`${REPO}${DIR}${file}`);
  expect(meta.homeassistant?.min_version).toBe('2024.12.0');

  // Every input has a name and a selector; every reference is declared; every input is used.
  const declared = Object.keys(meta.input);
  for (const [key, input] of Object.entries(meta.input)) {
    expect(input.name, key).toBeTruthy();
    expect(Object.keys(input.selector ?? {}), key).toHaveLength(1);
  }
  expect([...inputRefs(bp)].sort()).toEqual([...declared].sort());

  // The person's event entity: an MQTT event entity, the trigger's state.
  expect(meta.input.event_entity?.selector).toEqual({
    entity: { filter: [{ domain: 'event', integration: 'mqtt' }] },
  });
  expect(bp.triggers).toHaveLength(1);
  expect(bp.triggers[0]).toEqual({ trigger: 'state', entity_id: new InputRef('event_entity') });

  // Templates: balanced delimiters, variables defined and used, a freshness guard on the event.
  for (const t of templates(bp)) {
    expect(t.split('{{').length, t).toBe(t.split('}}').length);
    expect(t.split('{%').length, t).toBe(t.split('%}').length);
  }
  const all = templates(bp).join('\n');
  for (const name of Object.keys(bp.variables ?? {})) {
    const uses = all.split('\n').filter((line) => new RegExp(`\\b${name}\\b`).test(line));
    expect(uses.length, `variable ${name} is used`).toBeGreaterThan(0);
  }
  expect(all).toMatch(/as_datetime\(ev\.state\)/);

  // Actions are known services or the user's notify action (a template).
  for (const a of actionsCalled(bp)) {
    expect(KNOWN_ACTIONS.has(a) || /^\{\{\s*notify_action\b/.test(a), a).toBe(true);
  }
  // Literal entity ids are well-formed.
  for (const [k, v] of walk(bp.actions)) {
    if (k === 'entity_id' && typeof v === 'string' && !v.includes('{{'))
      expect(v).toMatch(/^[a-z_]+\.[a-z0-9_]+$/);
  }
}

describe('low_glucose_lights.yaml', () => {
  const file = 'low_glucose_lights.yaml';
  const bp = load(file);

  it('is a valid automation blueprint with consistent inputs', () => {
    commonChecks(file, bp);
    expect(Object.keys(bp.blueprint.input).sort()).toEqual(
      [
        'event_entity',
        'flash_color',
        'lights',
        'night_end',
        'night_only',
        'night_start',
        'notify_action',
        'repetitions',
      ].sort(),
    );
  });

  it('offers lights, a colour, a repetition count and night times with sensible defaults', () => {
    const input = bp.blueprint.input;
    expect(input.lights?.selector).toEqual({ entity: { multiple: true, filter: [{ domain: 'light' }] } });
    expect(input.flash_color?.selector).toEqual({ color_rgb: {} });
    expect(input.flash_color?.default).toEqual([255, 0, 0]);
    const n = input.repetitions?.selector.number ?? {};
    expect(n.min).toBeGreaterThanOrEqual(1);
    expect(input.repetitions?.default).toBeGreaterThanOrEqual(n.min ?? Number.NaN);
    expect(input.repetitions?.default).toBeLessThanOrEqual(n.max ?? Number.NaN);
    expect(input.night_only).toMatchObject({ default: false, selector: { boolean: {} } });
    for (const key of ['night_start', 'night_end']) {
      expect(input[key]?.selector).toEqual({ time: {} });
      expect(input[key]?.default).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    }
    expect(input.notify_action).toMatchObject({ default: '', selector: { text: {} } });
  });

  it('reacts to low and urgent_low only, which the bridge fires', () => {
    expect(eventTypesIn(bp)).toEqual(['low', 'urgent_low']);
    for (const t of eventTypesIn(bp)) expect(ALERT_TYPES).toContain(t);
  });

  it('limits to night time when asked, with the chosen times', () => {
    const night = bp.conditions.find((c) => c.condition === 'or') as {
      conditions: Array<Record<string, Node>>;
    };
    expect(night.conditions).toContainEqual({
      condition: 'time',
      after: new InputRef('night_start'),
      before: new InputRef('night_end'),
    });
    expect(night.conditions).toContainEqual({
      condition: 'template',
      value_template: '{{ not night_only }}',
    });
  });

  it('snapshots the lights, flashes them the chosen number of times in the chosen colour, and restores them', () => {
    expect(actionsCalled(bp)).toEqual([
      '{{ notify_action | trim }}',
      'scene.create',
      'light.turn_on',
      'light.turn_off',
      'scene.turn_on',
    ]);
    const repeat = bp.actions.find((a) => 'repeat' in a)?.repeat as { count: unknown; sequence: Step[] };
    expect(repeat.count).toEqual(new InputRef('repetitions'));
    const on = repeat.sequence.find((s) => s.action === 'light.turn_on');
    expect(on?.target).toEqual({ entity_id: new InputRef('lights') });
    expect(on?.data?.rgb_color).toEqual(new InputRef('flash_color'));
    const snapshot = bp.actions.find((a) => a.action === 'scene.create') as { data: Record<string, unknown> };
    expect(snapshot.data.snapshot_entities).toEqual(new InputRef('lights'));
  });

  it('notifies only when a notify action is given', () => {
    const branch = bp.actions.find((a) => 'if' in a) as { if: Step[]; then: Step[] };
    expect(branch.if[0]?.value_template).toMatch(/notify_action \| trim != ''/);
    expect(branch.then[0]?.action).toBe('{{ notify_action | trim }}');
  });
});

describe('stale_data_notification.yaml', () => {
  const file = 'stale_data_notification.yaml';
  const bp = load(file);

  it('is a valid automation blueprint with consistent inputs', () => {
    commonChecks(file, bp);
    expect(Object.keys(bp.blueprint.input).sort()).toEqual(['event_entity', 'notify_action', 'title']);
    expect(bp.blueprint.input.notify_action?.default).toBe('notify.persistent_notification');
  });

  it('reacts to the stale event only, which the bridge fires', () => {
    expect(eventTypesIn(bp)).toEqual(['stale']);
    expect(ALERT_TYPES).toContain('stale');
  });

  it('sends one notification with the chosen title, naming the person', () => {
    expect(bp.actions).toHaveLength(1);
    const notify = bp.actions[0] as { action: string; data: { title: string; message: string } };
    expect(notify.action).toBe('{{ notify_action | trim }}');
    expect(notify.data.title).toBe('{{ title }}');
    expect(notify.data.message).toMatch(/\{\{ person \}\}.*15 minutes/s);
  });
});
