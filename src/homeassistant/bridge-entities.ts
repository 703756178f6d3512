// The bridge device's entities: the bridge's own, and per LibreLinkUp account one row per field of
// the account state JSON (in the order it is written), some of which are entities. As for a
// person's entities, the account state payload is a fold over its rows and templates come from the
// fields.

import type { AccountStatus } from '../bridge/events.js';
import { safeText } from '../log.js';
import type { Topics } from '../mqtt/topics.js';
import { type EntityDef, isoOrNull, onOff } from './rows.js';

export interface BridgeEntity extends EntityDef {
  /** its own topics (no state JSON: bridge entities read a plain payload or send a command) */
  topics: (t: Topics) => Record<string, string>;
  config: Record<string, unknown>;
}

export const BRIDGE_ENTITIES: readonly BridgeEntity[] = [
  {
    key: 'connectivity',
    component: 'binary_sensor',
    name: 'LibreLinkUp connection',
    topics: (t) => ({ state_topic: t.bridgeConnectivity() }),
    config: { device_class: 'connectivity', entity_category: 'diagnostic' },
    doc: 'on while at least one account reaches LibreLinkUp',
  },
  {
    key: 'poll_now',
    component: 'button',
    name: 'Poll now',
    topics: (t) => ({ command_topic: t.pollRequest() }),
    config: { payload_press: 'PRESS', icon: 'mdi:refresh' },
    doc: 'polls every account now (at most once per 10 s)',
  },
];

export interface AccountEntity extends EntityDef {
  config: Record<string, unknown>;
}

export interface AccountRow {
  field: string;
  value: (a: AccountStatus) => unknown;
  entity?: AccountEntity;
}

/**
 * Before the first answer nothing is known to be wrong: a problem entity that flashed on at every
 * start would fire every automation watching it.
 */
function starting(a: AccountStatus): boolean {
  return !a.ok && a.lastSuccessAt === null && a.lastErrorAt === null;
}

export const ACCOUNT_ROWS: readonly AccountRow[] = [
  { field: 'account', value: (a) => a.label },
  { field: 'ok', value: (a) => a.ok },
  {
    field: 'problem',
    value: (a) => !a.ok && !starting(a),
    entity: {
      key: 'problem',
      component: 'binary_sensor',
      name: 'problem',
      template: onOff,
      config: { device_class: 'problem' },
      doc: 'on while the account cannot poll; stays off while starting, before the first answer',
    },
  },
  { field: 'error_kind', value: (a) => a.errorKind },
  {
    field: 'message',
    value: (a) => (a.ok ? 'OK' : starting(a) ? 'starting' : safeText(a.message ?? 'unknown problem')),
    entity: {
      key: 'last_error',
      component: 'sensor',
      name: 'last error',
      config: { icon: 'mdi:alert-circle-outline' },
      doc: 'what went wrong, in plain words; `starting` until the first answer, `OK` when polling works',
    },
  },
  { field: 'last_success', value: (a) => isoOrNull(a.lastSuccessAt) },
  { field: 'last_error', value: (a) => isoOrNull(a.lastErrorAt) },
  { field: 'next_poll', value: (a) => isoOrNull(a.nextPollAt) },
  { field: 'blocked_until', value: (a) => isoOrNull(a.blockedUntil) },
  { field: 'requests', value: (a) => a.requests },
  { field: 'logins', value: (a) => a.logins },
];

export type AccountEntityRow = AccountEntity & { field: string };

export const ACCOUNT_ENTITIES: readonly AccountEntityRow[] = ACCOUNT_ROWS.flatMap((row) =>
  row.entity ? [{ ...row.entity, field: row.field }] : [],
);

export function accountPayload(a: AccountStatus): Record<string, unknown> {
  return Object.fromEntries(ACCOUNT_ROWS.map((row) => [row.field, row.value(a)]));
}
