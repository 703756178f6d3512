// The configuration schema (schema.json, the single source of truth) and the few questions the
// loader and the docs ask about it: what is allowed at a path, is it secret, where does a key live.

import { readFileSync } from 'node:fs';
import type { Segment } from './paths.js';
import { REGION_CHOICES } from './regions.js';

export interface SchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  minLength?: number;
  maxLength?: number;
  required?: string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  examples?: unknown[];
  $ref?: string;
  'x-secret'?: boolean;
  [keyword: string]: unknown;
}

export interface RootSchema extends SchemaNode {
  definitions: Record<string, SchemaNode>;
}

let cached: RootSchema | null = null;

/**
 * schema.json, read once on first use (it sits next to this file in src/ and in dist/), with the
 * region enum filled in from the client's allow-list so the two cannot disagree.
 */
export function configSchema(): RootSchema {
  if (cached === null) {
    const schema = JSON.parse(readFileSync(new URL('./schema.json', import.meta.url), 'utf8')) as RootSchema;
    const region = schema.properties?.accounts?.items?.properties?.region;
    if (region === undefined) throw new Error('schema.json: accounts[].region is missing');
    region.enum = [...REGION_CHOICES];
    cached = schema;
  }
  return cached;
}

export const THRESHOLD_REF = '#/definitions/threshold';

/** A node with its `$ref` target merged in (the node's own keywords win). */
export function resolve(node: SchemaNode): SchemaNode {
  if (node.$ref === undefined) return node;
  const name = node.$ref.replace('#/definitions/', '');
  const target = configSchema().definitions[name];
  if (target === undefined) throw new Error(`schema.json: unknown $ref ${node.$ref}`);
  // $ref stays in the result so callers can still tell what kind of value this is.
  return { ...target, ...node };
}

/** The schema node describing the value at `segments`, or undefined where nothing is allowed. */
export function schemaAt(segments: readonly Segment[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = configSchema();
  for (const s of segments) {
    if (node === undefined) return undefined;
    node = typeof s === 'number' ? node.items : node.properties?.[s];
  }
  return node === undefined ? undefined : resolve(node);
}

export function isSecretPath(segments: readonly Segment[]): boolean {
  return schemaAt(segments)?.['x-secret'] === true;
}

export function isThresholdNode(node: SchemaNode | undefined): boolean {
  return node?.$ref === THRESHOLD_REF;
}

export interface SchemaEntry {
  /** schema-level segments, arrays as -1 */
  segments: Segment[];
  node: SchemaNode;
  required: boolean;
}

/** Every key of the schema, depth first in schema order, groups before their members. */
export function schemaEntries(): SchemaEntry[] {
  const out: SchemaEntry[] = [];
  const visit = (node: SchemaNode, at: Segment[]) => {
    const resolved = resolve(node);
    const props = resolved.properties ?? resolved.items?.properties;
    if (props === undefined) return;
    const owner = resolved.properties ? resolved : (resolved.items as SchemaNode);
    const base = resolved.properties ? at : [...at, -1];
    for (const [key, child] of Object.entries(props)) {
      const segments = [...base, key];
      out.push({ segments, node: resolve(child), required: owner.required?.includes(key) ?? false });
      visit(child, segments);
    }
  };
  visit(configSchema(), []);
  return out;
}
