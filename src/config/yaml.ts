// YAML text → plain data, plus where each key sits (for line numbers in messages). Syntax errors
// name line and column but never quote the source line: it may hold a password.

import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem } from './errors.js';
import type { Segment } from './paths.js';

export interface ParsedYaml {
  value: unknown;
  /** 1-based line of the key at `segments` (or of its nearest existing parent) */
  lineOf: (segments: readonly Segment[]) => number | undefined;
  /** raw values written after secret-looking keys, to scrub from messages */
  rawSecrets: string[];
}

const SECRET_LINE = /^[\s-]*["']?[\w-]*(pass|secret|token)[\w-]*["']?\s*:\s*(.*)$/i;
const QUOTING_HINT =
  'put a value in quotes when it starts with one of * & ! @ ` % { [ | > or contains ": " or " #"';
/** Errors whose message is fixed text, never a piece of the source: safe even on a password line. */
const FIXED_TEXT_CODES = new Set([
  'DUPLICATE_KEY',
  'TAB_AS_INDENT',
  'BAD_INDENT',
  'MULTILINE_IMPLICIT_KEY',
  'BLOCK_AS_IMPLICIT_KEY',
]);

/** Values after keys like `password:`, straight from the text (it may not even parse). */
export function rawSecretValues(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = SECRET_LINE.exec(line);
    const raw = m?.[2]?.trim();
    // A bare ${VAR} reference is not the secret itself (and scrubbing it would garble fixes).
    if (raw === undefined || raw === '' || /^["']?\$\{[^}]*\}["']?$/.test(raw)) continue;
    const bare = raw.replace(/\s+#.*$/, '');
    out.push(raw, bare, bare.replace(/^(["'])(.*)\1$/, '$2'), bare.replace(/^[*&!]+/, ''));
  }
  return out;
}

export function parseYaml(text: string, source: string | undefined): ParsedYaml {
  const lineCounter = new LineCounter();
  const rawSecrets = rawSecretValues(text);
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  const lines = text.split(/\r?\n/);
  if (doc.errors.length > 0) {
    const problems: ConfigProblem[] = doc.errors.slice(0, 5).map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      const secretLine = SECRET_LINE.test(lines[line - 1] ?? '') && !FIXED_TEXT_CODES.has(error.code);
      const what = secretLine
        ? 'syntax error on a line holding a secret (details hidden)'
        : (error.message.split('\n')[0] ?? 'syntax error').replace(/\s+at line \d+, column \d+:?$/, '');
      return { path: '', message: `line ${line}, column ${col}: ${what}`, fix: QUOTING_HINT };
    });
    throw new ConfigError('yaml', problems, { source, secrets: rawSecrets });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    const problem: ConfigProblem = {
      path: '',
      message: `cannot be read: ${(error as Error).message.split('\n')[0]}`,
      fix: 'check anchors (&name) and aliases (*name)',
    };
    throw new ConfigError('yaml', [problem], { source, secrets: rawSecrets, cause: error });
  }
  return { value, lineOf: (segments) => lineOf(doc.contents, segments, lineCounter), rawSecrets };
}

function lineOf(root: unknown, segments: readonly Segment[], lc: LineCounter): number | undefined {
  let node: unknown = root;
  let line: number | undefined;
  for (const s of segments) {
    let keyNode: Node | undefined;
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(s),
      );
      keyNode = isScalar(pair?.key) ? pair.key : undefined;
      next = pair?.value;
    } else if (isSeq(node) && typeof s === 'number') {
      next = node.items[s];
      keyNode = next as Node | undefined;
    } else break;
    const range = keyNode?.range;
    if (range === undefined || range === null) break;
    line = lc.linePos(range[0]).line;
    node = next;
  }
  return line;
}
