// Schema validation (ajv: every error at once, defaults filled in) and the translation of ajv's
// errors into problems a user can act on: the key path, what is wrong, how to fix it.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { describeValue } from './echo.js';
import type { ConfigProblem } from './errors.js';
import { formatPath, pointerToSegments, type Segment } from './paths.js';
import { configSchema, isThresholdNode, type SchemaNode, schemaAt } from './schema.js';
import { closestKey, otherHomes } from './suggest.js';
import { thresholdProblem } from './thresholds.js';

export interface LocatedProblem extends ConfigProblem {
  segments: Segment[];
}

let validator: ValidateFunction | null = null;

function compiled(): ValidateFunction {
  if (validator === null) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strictTypes: false });
    ajv.addKeyword({ keyword: 'x-secret', schemaType: 'boolean' });
    validator = ajv.compile(configSchema());
  }
  return validator;
}

/** Validates `data` in place (defaults are written into it) and returns its problems. */
export function validateSchema(data: unknown, tainted: ReadonlySet<string>): LocatedProblem[] {
  const validate = compiled();
  if (validate(data)) return [];
  const problems: LocatedProblem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const p = translate(error, tainted);
    if (p === null) continue;
    const id = `${p.path}\n${p.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(p);
  }
  return problems;
}

function located(segments: Segment[], message: string, fix: string): LocatedProblem {
  return { segments, path: formatPath(segments), message, fix };
}

function translate(error: ErrorObject, tainted: ReadonlySet<string>): LocatedProblem | null {
  // The branches of "id or match" report through their oneOf error; see below.
  if (/\/oneOf\/\d+\//.test(error.schemaPath)) return null;
  const at = pointerToSegments(error.instancePath);
  const node = schemaAt(at);
  const data = error.data;
  const shown = describeValue(data, at, tainted);
  const got = shown === null ? '' : `, got ${shown}`;

  if (isThresholdNode(node) && (error.keyword === 'type' || error.keyword === 'pattern')) {
    const t = thresholdProblem(data);
    return located(at, t.message, t.fix);
  }
  switch (error.keyword) {
    case 'required':
      return required(at, String(error.params.missingProperty));
    case 'additionalProperties':
      return unknownKey(at, String(error.params.additionalProperty), error.parentSchema as SchemaNode);
    case 'type':
      return located(
        at,
        `must be ${typeName(String(error.params.type))}, got ${typeOf(data)}`,
        data === null ? 'give it a value, or remove the key' : typeFix(at, node),
      );
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map(String).join(', ');
      return located(at, `must be one of: ${allowed}${got}`, enumFix(at));
    }
    case 'pattern':
      return patternProblem(at, data, shown);
    case 'minLength':
      return located(at, 'must not be empty', 'give it a value, or remove the key to use the default');
    case 'maxLength':
      return located(
        at,
        `is longer than ${String(error.params.limit)} characters`,
        'use a shorter value: it becomes part of MQTT topics or Home Assistant names',
      );
    case 'minItems':
      return minItems(at);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return located(at, `must be ${bound(error)}${got}`, numberFix(at, node));
    case 'oneOf':
      return idOrMatch(at, data);
    default:
      return located(at, error.message ?? 'is not valid', 'see the configuration reference');
  }
}

function required(at: Segment[], key: string): LocatedProblem {
  const segments = [...at, key];
  const fixes: Record<string, string> = {
    accounts:
      'add an "accounts:" list with your LibreLinkUp follower account, email and password; see config.example.yaml',
    email: 'add "email:" with the e-mail you log in to the LibreLinkUp app with',
    password: 'add "password: ${LLU_PASSWORD}" and set LLU_PASSWORD in the environment',
  };
  return located(segments, 'is required but missing', fixes[key] ?? `add "${key}:"`);
}

function unknownKey(at: Segment[], key: string, parent: SchemaNode): LocatedProblem {
  const segments = [...at, key];
  const allowed = Object.keys(parent.properties ?? {});
  const close = closestKey(key, allowed);
  if (close !== undefined) {
    return located(
      segments,
      `unknown key "${key}" — did you mean "${close}"?`,
      'remove it or fix the spelling',
    );
  }
  const homes = otherHomes(key);
  if (homes.length > 0) {
    return located(
      segments,
      `unknown key "${key}" here — it belongs at ${homes.join(' or ')}`,
      'move it there',
    );
  }
  const list = allowed.length > 0 ? `; allowed here: ${allowed.join(', ')}` : '';
  return located(segments, `unknown key "${key}"`, `remove it or fix the spelling${list}`);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a group of keys (a mapping)',
};

function typeName(type: string): string {
  return type
    .split(',')
    .map((t) => TYPE_NAMES[t] ?? t)
    .join(' or ');
}

/** The type of what was written, never the value itself. */
export function typeOf(data: unknown): string {
  if (data === null) return 'an empty value';
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object') return 'a group of keys (a mapping)';
  if (typeof data === 'string') return 'text';
  if (typeof data === 'number') return Number.isInteger(data) ? 'a whole number' : 'a number';
  if (typeof data === 'boolean') return `${data}`;
  return typeof data;
}

function typeFix(at: Segment[], node: SchemaNode | undefined): string {
  switch (node?.type) {
    case 'string':
      return node['x-secret'] === true
        ? `put it in quotes "...", or better, use \${VARIABLE} and set it in the environment`
        : 'write it as text; put it in quotes if it looks like a number, date or true/false';
    case 'number':
    case 'integer':
      return `write a number without quotes${exampleOf(node)}`;
    case 'boolean':
      return 'write true or false, without quotes';
    case 'array':
      return `write a list below it, each entry starting with "- "`;
    case 'object':
      return `write its keys indented below "${String(at[at.length - 1] ?? '')}:"`;
    default:
      return 'see the configuration reference';
  }
}

function exampleOf(node: SchemaNode): string {
  const example = node.default ?? node.examples?.[0];
  return example === undefined ? '' : `, e.g. ${String(example)}`;
}

function enumFix(at: Segment[]): string {
  const key = at[at.length - 1];
  if (key === 'region') return '"auto" follows the region LibreLinkUp names at login';
  if (key === 'log_level') return 'info is the usual choice; debug for troubleshooting';
  return 'use one of the listed values';
}

function bound(error: ErrorObject): string {
  const limit = String(error.params.limit);
  switch (error.keyword) {
    case 'minimum':
      return `at least ${limit}`;
    case 'maximum':
      return `at most ${limit}`;
    case 'exclusiveMinimum':
      return `greater than ${limit}`;
    default:
      return `less than ${limit}`;
  }
}

function numberFix(at: Segment[], node: SchemaNode | undefined): string {
  const key = String(at[at.length - 1] ?? '');
  if (key === 'port') {
    return node?.minimum === 0
      ? 'use a port from 1 to 65535, or 0 for any free port'
      : 'use a port from 1 to 65535';
  }
  if (at[0] === 'poll') return `use a number of seconds${node === undefined ? '' : exampleOf(node)}`;
  if (key === 'sensor_days') return 'use the sensor life in days, e.g. 14 or 15';
  return `use a number in range${node === undefined ? '' : exampleOf(node)}`;
}

function minItems(at: Segment[]): LocatedProblem {
  if (at.length === 1 && at[0] === 'accounts') {
    return located(
      at,
      'is an empty list: at least one account is needed',
      'add your LibreLinkUp follower account as "- email: ..." with its password',
    );
  }
  return located(
    at,
    'is an empty list',
    'remove "patients:" to bridge every person the account follows, or list at least one',
  );
}

function patternProblem(at: Segment[], data: unknown, shown: string | null): LocatedProblem {
  const key = String(at[at.length - 1] ?? '');
  const got = shown === null ? '' : ` (got ${shown})`;
  if (at[0] === 'mqtt' && key === 'url') return mqttUrlProblem(at, data, shown);
  switch (key) {
    case 'email':
      return located(
        at,
        `is not an e-mail address${got}`,
        'write the e-mail of the LibreLinkUp follower account',
      );
    case 'api_url':
    case 'region_url':
      return located(
        at,
        `must be an http:// or https:// URL${got}`,
        'remove it to use the LibreView default',
      );
    case 'version':
      return located(at, `must be a version number like 4.16.0${got}`, 'remove it to use the default');
    case 'base_topic':
    case 'discovery_prefix':
      return located(
        at,
        `must be an MQTT topic without +, #, spaces or empty levels${got}`,
        'use letters, digits, _ and - with / between levels, e.g. "librelinkup2mqtt"',
      );
    default:
      return located(at, `does not have the expected form${got}`, 'see the configuration reference');
  }
}

export function mqttUrlProblem(at: Segment[], data: unknown, shown: string | null): LocatedProblem {
  const text = typeof data === 'string' ? data.trim() : '';
  const got = shown === null ? '' : ` (got ${shown})`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1];
  const allowed = 'mqtt://, mqtts://, ws://, wss:// or tcp://';
  if (scheme === undefined) {
    const hint = shown === null ? 'mqtt://host:1883' : `mqtt://${text.replace(/^\/*/, '')}`;
    return located(at, `must be a broker URL starting with ${allowed}${got}`, `write it as ${hint}`);
  }
  if (/^(mqtts?|wss?|tcp)$/i.test(scheme)) {
    return located(at, `has no host name${got}`, `write it as ${scheme}://host:1883`);
  }
  return located(
    at,
    `uses "${scheme}://", which is not an MQTT scheme; it must start with ${allowed}${got}`,
    'use mqtt://host:1883, or mqtts://host:8883 for TLS; MQTT does not run over http',
  );
}

function idOrMatch(at: Segment[], data: unknown): LocatedProblem {
  // Any value can land here (a list of `false`s included): only an object can hold both keys.
  const entry = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  if ('id' in entry && 'match' in entry) {
    return located(at, 'has both id and match', 'keep one: id for the patientId, or match for "First Last"');
  }
  return located(
    at,
    'needs id or match to say which person it is',
    'add id: <patientId>, or match: "First Last" as LibreLinkUp shows the name',
  );
}
