// Rules a JSON Schema cannot say well: relations between keys, URLs that must really parse,
// thresholds that must carry a unit and make sense, and a broker that must not be open to the
// network without a password. Runs on data that may still hold schema errors, so every rule
// checks the types it relies on and stays silent where the schema already complained.

import { describeValue } from './echo.js';
import { accountIdentity, urlCredentials } from './identity.js';
import { formatPath, type Segment } from './paths.js';
import { implausible, parseThreshold } from './thresholds.js';
import type { LocatedProblem } from './validate.js';

type Obj = Record<string, unknown>;
const THRESHOLD_KEYS = ['urgent_low', 'target_low', 'target_high'] as const;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export function customChecks(
  data: unknown,
  tainted: ReadonlySet<string>,
  hasProblem: (segments: Segment[]) => boolean,
): LocatedProblem[] {
  if (!isObj(data)) return [];
  const out: LocatedProblem[] = [];
  const add = (segments: Segment[], message: string, fix: string) => {
    if (!hasProblem(segments)) out.push({ segments, path: formatPath(segments), message, fix });
  };
  checkPoll(data.poll, add);
  checkMqtt(data.mqtt, tainted, add);
  if (Array.isArray(data.accounts)) {
    data.accounts.forEach((account, i) => {
      if (isObj(account)) checkAccount(account, ['accounts', i], tainted, add);
    });
    checkDuplicateAccounts(data.accounts, add);
  }
  return out;
}

type Add = (segments: Segment[], message: string, fix: string) => void;

function checkPoll(poll: unknown, add: Add): void {
  if (!isObj(poll) || !isPositive(poll.interval) || !isPositive(poll.min_interval)) return;
  if (poll.min_interval > poll.interval) {
    add(
      ['poll', 'min_interval'],
      `is ${poll.min_interval} s, longer than poll.interval (${poll.interval} s)`,
      'min_interval is the shortest spacing between polls and interval the longest: make min_interval at most interval',
    );
  }
}

function checkMqtt(mqtt: unknown, tainted: ReadonlySet<string>, add: Add): void {
  if (!isObj(mqtt)) return;
  if (typeof mqtt.url === 'string') {
    const at: Segment[] = ['mqtt', 'url'];
    let host = '';
    try {
      host = new URL(mqtt.url.trim()).hostname;
    } catch {
      add(at, `is not a valid URL${shownSuffix(mqtt.url, at, tainted)}`, 'write it as mqtt://host:1883');
      return;
    }
    if (host === '')
      add(at, `has no host name${shownSuffix(mqtt.url, at, tainted)}`, 'write it as mqtt://host:1883');
  }
  const tls = mqtt.tls;
  if (isObj(tls)) {
    if (tls.cert !== undefined && tls.key === undefined) {
      add(
        ['mqtt', 'tls', 'key'],
        'is missing: a client certificate (tls.cert) needs its private key',
        'add tls.key, or remove tls.cert',
      );
    }
    if (tls.key !== undefined && tls.cert === undefined) {
      add(
        ['mqtt', 'tls', 'cert'],
        'is missing: a private key (tls.key) needs its client certificate',
        'add tls.cert, or remove tls.key',
      );
    }
  }
  const embedded = mqtt.embedded;
  if (mqtt.url === undefined && isObj(embedded) && typeof embedded.host === 'string') {
    const hasCredentials = typeof mqtt.username === 'string' && typeof mqtt.password === 'string';
    if (!isLoopbackHost(embedded.host) && !hasCredentials) {
      add(
        ['mqtt', 'embedded', 'host'],
        `is "${embedded.host}", so the built-in broker would be reachable from other machines without a password`,
        'set mqtt.username and mqtt.password, which the broker then requires, or listen on 127.0.0.1',
      );
    }
  }
}

function shownSuffix(value: unknown, at: Segment[], tainted: ReadonlySet<string>): string {
  const shown = describeValue(value, at, tainted);
  return shown === null ? '' : ` (got ${shown})`;
}

function checkHttpUrl(value: unknown, at: Segment[], tainted: ReadonlySet<string>, add: Add): void {
  if (typeof value !== 'string') return;
  try {
    const url = new URL(value.split('{region}').join('eu'));
    if (url.hostname === '') throw new Error('no host');
  } catch {
    add(at, `is not a valid URL${shownSuffix(value, at, tainted)}`, 'remove it to use the LibreView default');
  }
}

function checkAccount(account: Obj, at: Segment[], tainted: ReadonlySet<string>, add: Add): void {
  for (const key of ['api_url', 'region_url'] as const) {
    const value = account[key];
    if (typeof value === 'string' && urlCredentials(value) !== '') {
      // The value is not echoed: it holds a password.
      add(
        [...at, key],
        'must not contain a user name or password (user:pass@)',
        'remove the user:pass@ part; the LibreLinkUp login goes in the email and password keys of the account',
      );
    } else checkHttpUrl(value, [...at, key], tainted, add);
  }
  if (typeof account.region_url === 'string' && !account.region_url.includes('{region}')) {
    add(
      [...at, 'region_url'],
      'must contain {region}, where the region code goes',
      'write it like https://api-{region}.libreview.io, or remove it to use the default',
    );
  }
  if (!Array.isArray(account.patients)) return;
  const seen = new Map<string, number>();
  account.patients.forEach((patient, j) => {
    if (!isObj(patient)) return;
    const pat: Segment[] = [...at, 'patients', j];
    checkThresholds(patient, pat, add);
    for (const key of ['id', 'match'] as const) {
      const v = patient[key];
      if (typeof v !== 'string') continue;
      const id = `${key}:${v.trim().toLowerCase()}`;
      const first = seen.get(id);
      if (first !== undefined) {
        add([...pat, key], `names the same person as patients[${first}]`, 'keep one entry per person');
      } else seen.set(id, j);
    }
  });
}

function checkThresholds(patient: Obj, at: Segment[], add: Add): void {
  const mgdl: Partial<Record<(typeof THRESHOLD_KEYS)[number], number>> = {};
  for (const key of THRESHOLD_KEYS) {
    const v = patient[key];
    const t = typeof v === 'string' ? parseThreshold(v) : null;
    if (t === null) continue;
    const bad = implausible(t);
    if (bad !== null) add([...at, key], bad.message, bad.fix);
    else mgdl[key] = t.mgdl;
  }
  const order = (low: (typeof THRESHOLD_KEYS)[number], high: (typeof THRESHOLD_KEYS)[number]) => {
    const a = mgdl[low];
    const b = mgdl[high];
    if (a !== undefined && b !== undefined && a >= b) {
      add(
        [...at, high],
        `is "${String(patient[high])}", not above ${low} ("${String(patient[low])}")`,
        `check both values and their units; ${low} is the lower one`,
      );
    }
  };
  order('urgent_low', 'target_low');
  order('target_low', 'target_high');
  if (mgdl.target_low === undefined) order('urgent_low', 'target_high');
}

function checkDuplicateAccounts(accounts: unknown[], add: Add): void {
  const seen = new Map<string, number>();
  accounts.forEach((account, i) => {
    if (!isObj(account) || typeof account.email !== 'string') return;
    const apiUrl = typeof account.api_url === 'string' ? account.api_url : undefined;
    const id = accountIdentity({ email: account.email, api_url: apiUrl });
    const first = seen.get(id);
    if (first !== undefined) {
      add(
        ['accounts', i, 'email'],
        `is the same account as accounts[${first}]`,
        'remove the duplicate entry',
      );
    } else seen.set(id, i);
  });
}
