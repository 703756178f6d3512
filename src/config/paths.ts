// Key paths as users read them: `accounts[0].patients[1].name`. Internally a path is a list of
// segments (string keys and array indexes), the shape ajv, the YAML document and the env walk share.

export type Segment = string | number;

export function formatPath(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}

/** ajv's JSON pointer (`/accounts/0/email`) → segments; numeric parts become indexes. */
export function pointerToSegments(pointer: string): Segment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^(0|[1-9]\d*)$/.test(part) ? Number(part) : part));
}

/** The schema-level path of a key, arrays written as `[]`: `accounts[].patients[].name`. */
export function genericPath(segments: readonly Segment[]): string {
  return formatPath(segments.map((s) => (typeof s === 'number' ? -1 : s))).replace(/\[-1\]/g, '[]');
}
