// The add-on's options, one row each: which config key an option becomes, whether the Configuration
// tab shows it with a value, and what the add-on docs say about it. Types, ranges, choices and defaults
// are not written here: they come from the config schema (option-schema.ts), so ha-addon/config.yaml
// and the options table in ha-addon/DOCS.md are checked against, or rendered from, the same facts the
// loader enforces.

export interface AddonOption {
  /** path in the add-on options, list entries as `[]`: `accounts[].patients[].name` */
  option: string;
  /** the config key it becomes, same notation */
  config: string;
  /**
   * How the Configuration tab shows it: `default` with the config's default, `fill` empty for the
   * user to fill in (required), `empty` as an empty list or group, `entry` as a list with one entry
   * (holding its members' values). Absent: optional, not shown until set (Supervisor "?").
   */
  form?: 'default' | 'fill' | 'empty' | 'entry';
  /** Supervisor type when it says more than the config type gives: `email` checks the address */
  supervisor?: 'email';
  /** a narrower number range than the config allows, and why */
  narrow?: { int: boolean; min: number; max: number; because: string };
  /** the add-on docs' words */
  meaning: string;
}

export const ADDON_OPTIONS: readonly AddonOption[] = [
  {
    option: 'accounts',
    config: 'accounts',
    form: 'entry',
    meaning:
      'the LibreLinkUp (follower) accounts to read from: the app that follows the person, not the LibreLink / ' +
      'Libre 3 app of the person wearing the sensor',
  },
  {
    option: 'accounts[].email',
    config: 'accounts[].email',
    form: 'fill',
    supervisor: 'email',
    meaning: 'e-mail of the LibreLinkUp (follower) account',
  },
  {
    option: 'accounts[].password',
    config: 'accounts[].password',
    form: 'fill',
    meaning: 'its password; never written to the log',
  },
  {
    option: 'accounts[].region',
    config: 'accounts[].region',
    form: 'default',
    meaning:
      "`auto` follows LibreLinkUp's redirect after login. Set a region code only if `auto` does not work",
  },
  {
    option: 'accounts[].accept_terms',
    config: 'accounts[].accept_terms',
    form: 'default',
    meaning:
      '`true` accepts new terms-of-use / privacy steps on your behalf. Off by default: you accept them in the app',
  },
  {
    option: 'accounts[].patients',
    config: 'accounts[].patients',
    form: 'empty',
    meaning:
      '`[]` bridges every person the account follows; a list bridges only those people. The Supervisor ' +
      'requires it in every account entry, even when empty',
  },
  {
    option: 'accounts[].patients[].id',
    config: 'accounts[].patients[].id',
    meaning: 'picks the person by LibreLinkUp patientId (the log lists it for every person at start)',
  },
  {
    option: 'accounts[].patients[].match',
    config: 'accounts[].patients[].match',
    meaning: 'or by the person\'s "First Last" name in LibreLinkUp, case-insensitive',
  },
  {
    option: 'accounts[].patients[].name',
    config: 'accounts[].patients[].name',
    meaning: 'display name in Home Assistant and in the topics (`Mum` → `librelinkup2mqtt/mum/...`)',
  },
  {
    option: 'accounts[].patients[].target_low',
    config: 'accounts[].patients[].target_low',
    meaning: 'below this `low` turns on and a `low` event fires. With a unit: `70 mg/dL` or `3.9 mmol/L`',
  },
  {
    option: 'accounts[].patients[].target_high',
    config: 'accounts[].patients[].target_high',
    meaning: 'above this `high` turns on and a `high` event fires, e.g. `180 mg/dL` or `10 mmol/L`',
  },
  {
    option: 'accounts[].patients[].urgent_low',
    config: 'accounts[].patients[].urgent_low',
    meaning: 'below this an `urgent_low` event fires, e.g. `54 mg/dL` or `3.0 mmol/L`',
  },
  {
    option: 'accounts[].patients[].sensor_days',
    config: 'accounts[].patients[].sensor_days',
    narrow: { int: true, min: 1, max: 30, because: 'sensor lives are whole days' },
    meaning:
      'sensor life in days for the sensor-expiry entities when the sensor type cannot tell, e.g. `15` for a ' +
      'Libre 2 Plus or 3 Plus; empty: estimated from the sensor type',
  },
  {
    option: 'mqtt',
    config: 'mqtt',
    form: 'empty',
    meaning: 'leave empty to use the broker the Supervisor announces (the Mosquitto broker add-on)',
  },
  {
    option: 'mqtt.url',
    config: 'mqtt.url',
    meaning:
      'broker URL, e.g. `mqtt://192.168.1.10:1883` or `mqtts://broker.example.com:8883`. A bare `host:port` ' +
      'means `mqtt://`',
  },
  {
    option: 'mqtt.username',
    config: 'mqtt.username',
    meaning: 'broker user name. Also used with the Mosquitto add-on, instead of the one it hands out',
  },
  {
    option: 'mqtt.password',
    config: 'mqtt.password',
    meaning: 'broker password; never written to the log',
  },
  { option: 'mqtt.base_topic', config: 'mqtt.base_topic', meaning: 'prefix of the state topics' },
  {
    option: 'mqtt.discovery_prefix',
    config: 'mqtt.discovery_prefix',
    meaning: "Home Assistant's discovery prefix",
  },
  {
    option: 'poll_interval',
    config: 'poll.interval',
    form: 'default',
    narrow: {
      int: true,
      min: 30,
      max: 300,
      because:
        'the add-on cannot set poll.min_interval (10 s), so the form stays well above it; beyond 5 minutes ' +
        'the first reading after a gap in the data would be published late',
    },
    meaning: 'seconds: the longest wait between two polls when no reading is due',
  },
  {
    option: 'log_level',
    config: 'log_level',
    form: 'default',
    meaning: 'how much to log; passwords, tokens and the account id are redacted at every level',
  },
];
