// The add-on's Supervisor options schema and defaults (the `schema:` and `options:` blocks of
// ha-addon/config.yaml) and its options table in ha-addon/DOCS.md, rendered from the option rows and
// the config schema. config.yaml stays a hand-kept file the Supervisor reads; a test compares it with
// these, and the DOCS table is replaced between its markers.

import type { Segment } from '../config/paths.js';
import { isThresholdNode, type SchemaNode, schemaAt } from '../config/schema.js';
import { ADDON_OPTIONS, type AddonOption } from './option-table.js';

export const ADDON_OPTIONS_MARKERS = {
  start: '<!-- addon-options:start -->',
  end: '<!-- addon-options:end -->',
} as const;

type Tree = Record<string, unknown>;

/** `accounts[].patients[].id` → ['accounts', 0, 'patients', 0, 'id'] (index 0 stands for any entry). */
function segments(path: string): Segment[] {
  return path.split('.').flatMap((part) => (part.endsWith('[]') ? [part.slice(0, -2), 0] : [part]));
}

/** The config schema node an option becomes; throws when a row names a key the config does not have. */
export function configNode(row: AddonOption): SchemaNode {
  const node = schemaAt(segments(row.config));
  if (node === undefined) throw new Error(`add-on option ${row.option}: no config key ${row.config}`);
  return node;
}

function isContainer(node: SchemaNode): boolean {
  return node.type === 'object' || node.type === 'array';
}

/** The number range the config accepts, as the Supervisor's inclusive bounds (null where it has none). */
export function configRange(node: SchemaNode): { min: number | null; max: number | null } {
  return { min: node.minimum ?? null, max: node.maximum ?? null };
}

/** The Supervisor type string of a leaf option, e.g. `list(auto|us|…)`, `int(30,300)`, `str?`. */
export function supervisorType(row: AddonOption): string {
  const node = configNode(row);
  const optional = row.form === undefined ? '?' : '';
  let type: string;
  if (node.enum !== undefined) type = `list(${node.enum.join('|')})`;
  else if (node['x-secret'] === true) type = 'password';
  else if (row.supervisor !== undefined) type = row.supervisor;
  else if (isThresholdNode(node)) type = `match(${node.pattern})`;
  else if (node.type === 'boolean') type = 'bool';
  else if (node.type === 'number' || node.type === 'integer') {
    const int = node.type === 'integer' || row.narrow?.int === true;
    const { min, max } = row.narrow ?? configRange(node);
    type = `${int ? 'int' : 'float'}(${min ?? ''},${max ?? ''})`;
  } else type = 'str';
  return `${type}${optional}`;
}

function place(tree: Tree, at: Segment[], value: unknown): void {
  let here: Tree = tree;
  for (let i = 0; i < at.length - 1; i++) {
    const key = at[i] as string | number;
    if (typeof at[i + 1] === 'number') {
      here[key] ??= [{}];
      here = (here[key] as Tree[])[0] as Tree;
      i++;
    } else {
      here[key] ??= {};
      here = here[key] as Tree;
    }
  }
  here[at[at.length - 1] as string] = value;
}

/** The `schema:` block: every leaf option with its Supervisor type, lists as one-entry lists. */
export function addonSchema(): Tree {
  const tree: Tree = {};
  for (const row of ADDON_OPTIONS) {
    if (!isContainer(configNode(row))) place(tree, segments(row.option), supervisorType(row));
  }
  return tree;
}

/** The `options:` block: what the Configuration tab shows before the user types anything. */
export function addonDefaults(): Tree {
  const tree: Tree = {};
  for (const row of ADDON_OPTIONS) {
    const node = configNode(row);
    const at = segments(row.option);
    // Rows come parents first: members of the one entry are placed into it afterwards.
    if (row.form === 'entry') place(tree, at, [{}]);
    else if (row.form === 'empty') place(tree, at, node.type === 'array' ? [] : {});
    else if (row.form === 'fill') place(tree, at, null);
    else if (row.form === 'default') place(tree, at, node.default);
  }
  return tree;
}

const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function typeText(row: AddonOption, node: SchemaNode): string {
  if (node.type === 'array') return 'list';
  if (node.type === 'object') return 'group';
  if (node.enum !== undefined) return `one of ${node.enum.map((v) => code(String(v))).join(', ')}`;
  if (node['x-secret'] === true) return 'password';
  if (row.supervisor === 'email') return 'e-mail address';
  if (isThresholdNode(node)) return 'glucose value with unit';
  if (node.type === 'boolean') return '`true` or `false`';
  if (node.type === 'number' || node.type === 'integer') {
    const int = node.type === 'integer' || row.narrow?.int === true;
    const { min, max } = row.narrow ?? configRange(node);
    const range = min !== null && max !== null ? ` ${min}–${max}` : '';
    return `${int ? 'whole number' : 'number'}${range}`;
  }
  return 'text';
}

function defaultText(row: AddonOption, node: SchemaNode): string {
  if (row.form === 'fill' || row.form === 'entry') return '**required**';
  if (row.form === 'empty') return code(node.type === 'array' ? '[]' : '{}');
  const value = node.default;
  return value === undefined || typeof value === 'object' ? '' : code(String(value));
}

/** Markdown table of every add-on option: option, type, default, meaning. */
export function renderAddonOptions(): string {
  const rows = ADDON_OPTIONS.map((row) => {
    const node = configNode(row);
    return `| ${code(row.option)} | ${cell(typeText(row, node))} | ${cell(defaultText(row, node))} | ${cell(row.meaning)} |`;
  });
  return ['| option | type | default | meaning |', '|---|---|---|---|', ...rows, ''].join('\n');
}

/** `text` with the rendered table between the markers (which must both be present). */
export function replaceAddonOptions(text: string): string {
  const start = text.indexOf(ADDON_OPTIONS_MARKERS.start);
  const end = text.indexOf(ADDON_OPTIONS_MARKERS.end);
  if (start < 0 || end < start) {
    throw new Error(`missing ${ADDON_OPTIONS_MARKERS.start} … ${ADDON_OPTIONS_MARKERS.end} markers`);
  }
  const before = text.slice(0, start + ADDON_OPTIONS_MARKERS.start.length);
  return `${before}\n${renderAddonOptions()}${text.slice(end)}`;
}
