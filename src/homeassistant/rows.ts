// What every entity row shares, and how Home Assistant reads a row's field. A value template is
// always derived from the field the row writes, never typed beside it.

export type Component = 'sensor' | 'binary_sensor' | 'event' | 'button';

/** How a state JSON field becomes the entity's state. */
export type Template = (field: string) => string;

export const plain: Template = (field) => `{{ value_json.${field} }}`;
export const onOff: Template = (field) => `{{ 'ON' if value_json.${field} else 'OFF' }}`;
/** On unless the field says `ok`. */
export const okUnless: Template = (field) => `{{ 'OFF' if value_json.${field} == 'ok' else 'ON' }}`;

export interface EntityDef {
  /** entity key: the end of the unique_id, object id and config topic; never changes */
  key: string;
  component: Component;
  name: string;
  /** default `plain`; only used when the row has a field */
  template?: Template;
  /** what the entity shows, for the README and add-on entity tables */
  doc: string;
}

export function valueTemplate(def: EntityDef, field: string | null): Record<string, string> {
  return field === null ? {} : { value_template: (def.template ?? plain)(field) };
}

export function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}
