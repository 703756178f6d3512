// The configuration reference as a Markdown table, generated from schema.json so the README and
// the add-on docs cannot drift from what the loader accepts.

import { genericPath } from './paths.js';
import { isThresholdNode, type SchemaEntry, type SchemaNode, schemaEntries } from './schema.js';

export const CONFIG_REFERENCE_MARKERS = {
  start: '<!-- config-reference:start -->',
  end: '<!-- config-reference:end -->',
} as const;

// `<` escaped so GitHub does not swallow "<patient>" as an HTML tag.
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\r?\n/g, ' ');
const code = (text: string) => `\`${text}\``;

function typeOf(node: SchemaNode): string {
  if (isThresholdNode(node)) return 'glucose value with unit';
  if (node.enum !== undefined) return `one of ${node.enum.map((v) => code(String(v))).join(', ')}`;
  const upTo = node.maximum === undefined ? '' : `, at most ${node.maximum}`;
  const range =
    node.exclusiveMinimum !== undefined
      ? ` > ${node.exclusiveMinimum}${upTo}`
      : node.minimum !== undefined && node.maximum !== undefined
        ? ` ${node.minimum}–${node.maximum}`
        : '';
  switch (node.type) {
    case 'array':
      return 'list';
    case 'object':
      return 'group';
    case 'integer':
      return `integer${range}`;
    case 'number':
      return `number${range}`;
    default:
      return node.type ?? '';
  }
}

function defaultOf(entry: SchemaEntry): string {
  const { node } = entry;
  if (entry.required) return '**required**';
  if (node.default === undefined || (typeof node.default === 'object' && node.default !== null)) return '';
  return code(String(node.default));
}

function descriptionOf(node: SchemaNode): string {
  const secret = node['x-secret'] === true ? ' **Secret.**' : '';
  return `${node.description ?? ''}${secret}`;
}

/** Markdown table: key path (arrays as `accounts[].email`), type, default, description. */
export function renderConfigReference(): string {
  const rows = schemaEntries().map(
    (e) =>
      `| ${code(genericPath(e.segments))} | ${cell(typeOf(e.node))} | ${cell(defaultOf(e))} | ${cell(descriptionOf(e.node))} |`,
  );
  return ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
}

/** `text` with the generated reference placed between the markers (which must both be present). */
export function replaceConfigReference(text: string): string {
  const start = text.indexOf(CONFIG_REFERENCE_MARKERS.start);
  const end = text.indexOf(CONFIG_REFERENCE_MARKERS.end);
  if (start < 0 || end < start) {
    throw new Error(`missing ${CONFIG_REFERENCE_MARKERS.start} … ${CONFIG_REFERENCE_MARKERS.end} markers`);
  }
  const before = text.slice(0, start + CONFIG_REFERENCE_MARKERS.start.length);
  return `${before}\n${renderConfigReference()}${text.slice(end)}`;
}
