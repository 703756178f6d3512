// What the fake LibreLinkUp server knows: its settings, the accounts (password, home region, followed
// patients, pending login steps, lockout), the simulated patients and the tokens it has issued.

import { randomBytes, randomUUID } from 'node:crypto';
import type { Ticket } from './bodies.js';
import { SimPatient } from './patient-model.js';
import type { SimAccountSpec, SimOptions } from './types.js';

export type Step = 'tou' | 'pp' | 'verifyEmail';
const STEP_TOKEN_MS = 3_600_000;
const DEFAULT_TOKEN_LIFETIME_MS = 180 * 86_400_000;

export interface AccountState {
  spec: SimAccountSpec;
  password: string;
  userId: string;
  region: string;
  patients: string[];
  pendingSteps: Step[];
  failures: number[];
  lockedUntil: number;
  /** patientId → how many more connections answers leave it out (hideFor) */
  hidden?: Map<string, number>;
}

export interface TokenState {
  token: string;
  email: string;
  kind: 'auth' | 'step';
  /** host region that issued it; tokens are region-bound (UNSURE upstream, but peers see errors elsewhere) */
  region: string | null;
  expiresAt: number;
}

/** The server's fixed behaviour, from SimOptions with their defaults. */
export interface SimSettings {
  now: () => number;
  minimumVersion: string;
  tokenLifetimeMs: number;
  lockoutFailures: number;
  lockoutWindowMs: number;
  lockoutMs: number;
  wrongAccountIdStatus: number;
}

export function settingsFrom(options: SimOptions): SimSettings {
  return {
    now: options.now ?? (() => Date.now()),
    minimumVersion: options.minimumVersion ?? '4.16.0',
    tokenLifetimeMs: options.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS,
    lockoutFailures: options.lockoutFailures ?? 3,
    lockoutWindowMs: (options.lockoutWindowSeconds ?? 60) * 1000,
    lockoutMs: (options.lockoutSeconds ?? 300) * 1000,
    wrongAccountIdStatus: options.wrongAccountIdStatus ?? 400,
  };
}

/** Whether this answer leaves the patient out (hideFor), counting one answer off. */
export function leftOut(acc: AccountState, patientId: string): boolean {
  const n = acc.hidden?.get(patientId) ?? 0;
  if (n <= 0) return false;
  acc.hidden!.set(patientId, n - 1);
  return true;
}

function fakeJwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.${randomBytes(24).toString('base64url')}`;
}

export class SimState {
  readonly patients = new Map<string, SimPatient>();
  readonly accounts = new Map<string, AccountState>();
  readonly tokens = new Map<string, TokenState>();
  /** rotates the order of connections answers */
  connectionsServed = 0;

  constructor(
    readonly settings: SimSettings,
    options: SimOptions,
  ) {
    const startedAt = settings.now();
    for (const spec of options.patients) this.patients.set(spec.patientId, new SimPatient(spec, startedAt));
    for (const spec of options.accounts) {
      this.accounts.set(spec.email.toLowerCase(), {
        spec,
        password: spec.password,
        userId: spec.userId ?? randomUUID(),
        region: spec.region ?? 'eu',
        patients: [...spec.patients],
        pendingSteps: [...(spec.pendingSteps ?? [])],
        failures: [],
        lockedUntil: 0,
      });
    }
  }

  account(email: string): AccountState {
    const a = this.accounts.get(email.toLowerCase());
    if (!a) throw new Error(`simulator: no account ${email}`);
    return a;
  }

  patient(id: string): SimPatient {
    const p = this.patients.get(id);
    if (!p) throw new Error(`simulator: no patient ${id}`);
    return p;
  }

  /** A new token: a session (`auth`) or the token of a pending login step. */
  issue(acc: AccountState, kind: 'auth' | 'step', region: string | null): Ticket {
    const at = this.settings.now();
    const lifetime = kind === 'auth' ? this.settings.tokenLifetimeMs : STEP_TOKEN_MS;
    const expiresAt = at + lifetime;
    const token = fakeJwt({
      id: acc.userId,
      region: acc.region,
      role: 'patient',
      s: 'llu.android',
      exp: Math.floor(expiresAt / 1000),
    });
    this.tokens.set(token, { token, email: acc.spec.email, kind, region, expiresAt });
    return { token, expires: Math.floor(expiresAt / 1000), duration: lifetime };
  }

  /** The unexpired token an Authorization header carries, or null. */
  bearer(authorization: string | undefined): TokenState | null {
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    const state = token === undefined ? undefined : this.tokens.get(token);
    return state === undefined || state.expiresAt <= this.settings.now() ? null : state;
  }

  revokeTokens(email: string): void {
    for (const [token, state] of this.tokens)
      if (state.email.toLowerCase() === email.toLowerCase()) this.tokens.delete(token);
  }
}
