// The machine-checkable part of Home Assistant's discovery rules (reference A.12), as HA applies
// them: returns the list of violations for one discovery message.

const COMPONENTS = new Set(['sensor', 'binary_sensor', 'event', 'button', 'device_automation', 'device']);
const DEVICE_KEYS = new Set([
  'identifiers',
  'connections',
  'manufacturer',
  'model',
  'model_id',
  'name',
  'hw_version',
  'serial_number',
  'sw_version',
  'via_device',
  'suggested_area',
  'configuration_url',
]);
const ORIGIN_KEYS = new Set(['name', 'sw_version', 'support_url']);
const SENSOR_CLASSES = new Set(['blood_glucose_concentration', 'enum', 'timestamp', 'duration']);
const BINARY_CLASSES = new Set(['problem', 'connectivity']);

export function checkDiscovery(prefix: string, topic: string, payload: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const m = new RegExp(`^${prefix}/(\\w+)/(?:([A-Za-z0-9_-]+)/)?([A-Za-z0-9_-]+)/config$`).exec(topic);
  if (!m) return [`illegal discovery topic ${topic}`];
  const component = m[1]!;
  if (!COMPONENTS.has(component)) errors.push(`unsupported component ${component}`);
  const json = JSON.stringify(payload);
  if (/NaN|undefined/.test(json)) errors.push('NaN/undefined in payload');
  if (typeof payload.unique_id !== 'string' || payload.unique_id === '') errors.push('unique_id missing');
  if (/@/.test(String(payload.unique_id))) errors.push('unique_id contains an e-mail');
  const device = payload.device as Record<string, unknown> | undefined;
  if (!device || !Array.isArray(device.identifiers) || device.identifiers.length === 0)
    errors.push('device.identifiers');
  for (const k of Object.keys(device ?? {}))
    if (!DEVICE_KEYS.has(k)) errors.push(`device has extra key ${k}`);
  const origin = payload.origin as Record<string, unknown> | undefined;
  if (!origin || typeof origin.name !== 'string') errors.push('origin.name');
  for (const k of Object.keys(origin ?? {}))
    if (!ORIGIN_KEYS.has(k)) errors.push(`origin has extra key ${k}`);
  if (origin?.support_url !== undefined && !/^https?:\/\//.test(String(origin.support_url)))
    errors.push('support_url');
  if (payload.availability_topic !== undefined && payload.availability !== undefined)
    errors.push('availability exclusive');
  for (const a of (payload.availability as Array<Record<string, unknown>> | undefined) ?? []) {
    if (typeof a.topic !== 'string') errors.push('availability item without topic');
  }
  if (
    payload.availability_mode !== undefined &&
    !['all', 'any', 'latest'].includes(String(payload.availability_mode))
  ) {
    errors.push('availability_mode');
  }
  for (const [k, v] of Object.entries(payload)) {
    if (k.endsWith('_topic') && (typeof v !== 'string' || /[+#]/.test(v))) errors.push(`${k} invalid`);
  }
  if (
    payload.default_entity_id !== undefined &&
    !/^[a-z_]+\.[a-z0-9_]+$/.test(String(payload.default_entity_id))
  ) {
    errors.push(`default_entity_id ${String(payload.default_entity_id)}`);
  }
  const category = payload.entity_category;
  if (category !== undefined) {
    const allowed =
      component === 'sensor' || component === 'binary_sensor' ? ['diagnostic'] : ['config', 'diagnostic'];
    if (!allowed.includes(String(category))) errors.push('entity_category');
  }
  if (payload.icon !== undefined && !/^[a-z]+:[a-z0-9-]+$/.test(String(payload.icon))) errors.push('icon');
  const dc = payload.device_class;
  if (component === 'sensor') {
    if (typeof payload.state_topic !== 'string') errors.push('sensor without state_topic');
    if (dc !== undefined && !SENSOR_CLASSES.has(String(dc))) errors.push(`sensor device_class ${String(dc)}`);
    if (dc === 'blood_glucose_concentration') {
      if (!['mg/dL', 'mmol/L'].includes(String(payload.unit_of_measurement))) errors.push('glucose unit');
      if (payload.state_class !== 'measurement') errors.push('glucose state_class');
    }
    if (dc === 'enum' || payload.options !== undefined) {
      if (dc !== 'enum') errors.push('options without enum');
      if (!Array.isArray(payload.options) || payload.options.length === 0) errors.push('enum options');
      if (payload.unit_of_measurement !== undefined || payload.state_class !== undefined)
        errors.push('enum with unit/state_class');
    }
    if (
      dc === 'timestamp' &&
      (payload.unit_of_measurement !== undefined || payload.state_class !== undefined)
    ) {
      errors.push('timestamp with unit/state_class');
    }
    const p = payload.suggested_display_precision;
    if (p !== undefined && !(Number.isInteger(p) && (p as number) >= 0))
      errors.push('suggested_display_precision');
  }
  if (component === 'binary_sensor') {
    if (typeof payload.state_topic !== 'string') errors.push('binary_sensor without state_topic');
    if (dc !== undefined && !BINARY_CLASSES.has(String(dc)))
      errors.push(`binary_sensor device_class ${String(dc)}`);
  }
  if (component === 'event') {
    if (!Array.isArray(payload.event_types) || payload.event_types.length === 0) errors.push('event_types');
    if (typeof payload.state_topic !== 'string') errors.push('event without state_topic');
  }
  if (component === 'button' && typeof payload.command_topic !== 'string')
    errors.push('button without command_topic');
  return errors;
}
