// The benchmark workload as plain data (it crosses process boundaries), and how it becomes the fake
// LibreLinkUp server's options. One reading per minute per patient; each reading becomes visible
// upstream after an upload lag of 1-20 s drawn from a seeded hash of its timestamp (pure, so the
// server can answer any request and the truth can be recomputed); graph history lags 15 minutes
// (the simulator's default). Patients start at different seconds of the minute.

import { slugify } from '../src/bridge/patient.js';
import type { SimOptions } from '../src/simulator/types.js';

export const MINUTE = 60_000;
export const PERIOD_MS = MINUTE;
export const LAG_MIN_MS = 1_000;
export const LAG_MAX_MS = 20_000;
export const PASSWORD = 'bench-password';

export interface PatientDesc {
  patientId: string;
  firstName: string;
  lastName: string;
  seed: number;
  firstReadingAt: number;
}

export interface AccountDesc {
  email: string;
  patients: string[];
}

export interface WorkloadDesc {
  accounts: AccountDesc[];
  patients: PatientDesc[];
}

/** 32-bit integer hash (murmur3 finaliser over two words), uniform enough for lags. */
export function hash32(a: number, b: number): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Upload lag of the reading stamped `t` (ms): uniform in [LAG_MIN_MS, LAG_MAX_MS], whole ms. */
export function uploadLag(seed: number, t: number): number {
  const u = hash32(seed, Math.floor(t / 1000)) / 0x1_0000_0000;
  return LAG_MIN_MS + Math.floor(u * (LAG_MAX_MS - LAG_MIN_MS + 1));
}

/** Deterministic PRNG in [0, 1) (mulberry32). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `accounts` accounts named `${prefix}-N@bench.invalid`, account N following `sizes[N % sizes.length]`
 * patients of its own. History starts `historyMs` before `now`, at a per-patient second of the minute.
 */
export function group(
  prefix: string,
  accounts: number,
  sizes: readonly number[],
  now: number,
  historyMs: number,
): WorkloadDesc {
  const out: WorkloadDesc = { accounts: [], patients: [] };
  const start = Math.floor((now - historyMs) / MINUTE) * MINUTE;
  for (let a = 0; a < accounts; a++) {
    const size = sizes[a % sizes.length]!;
    const ids: string[] = [];
    for (let p = 0; p < size; p++) {
      const n = out.patients.length;
      const seed = hash32(n + 1, prefix.length * 7919 + prefix.charCodeAt(0));
      const patientId = `${prefix}-p${n}`;
      out.patients.push({
        patientId,
        firstName: `${prefix}${n}`,
        lastName: 'Bench',
        seed,
        firstReadingAt: start + (seed % 60) * 1000,
      });
      ids.push(patientId);
    }
    out.accounts.push({ email: `${prefix}-${a}@bench.invalid`, patients: ids });
  }
  return out;
}

export function merge(...parts: WorkloadDesc[]): WorkloadDesc {
  return {
    accounts: parts.flatMap((p) => p.accounts),
    patients: parts.flatMap((p) => p.patients),
  };
}

/** The MQTT topic slug the bridge gives this patient (names are unique, so no suffix). */
export function slugOf(p: PatientDesc): string {
  return slugify(`${p.firstName} ${p.lastName}`);
}

export function simOptions(w: WorkloadDesc, extra: Partial<SimOptions> = {}): SimOptions {
  return {
    accounts: w.accounts.map((a) => ({
      email: a.email,
      password: PASSWORD,
      region: 'eu',
      patients: a.patients,
    })),
    patients: w.patients.map((p) => ({
      patientId: p.patientId,
      firstName: p.firstName,
      lastName: p.lastName,
      unit: 'mg/dL',
      periodMs: PERIOD_MS,
      firstReadingAt: p.firstReadingAt,
      uploadLagMs: (t: number) => uploadLag(p.seed, t),
    })),
    ...extra,
  };
}

// The bridge's own quantile, so figures and the scheduler agree on what a quantile is.
export { quantile } from '../src/bridge/cadence.js';
