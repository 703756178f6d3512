import { readdirSync, readFileSync } from 'node:fs';

const DIR = new URL('../fixtures/', import.meta.url);

/** A recorded body from test/librelinkup/fixtures (copied from the shared reference and the HTTP dump). */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as unknown;
}

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, DIR), 'utf8');
}

export function fixtureNames(): string[] {
  return readdirSync(DIR)
    .filter((n) => n.endsWith('.json'))
    .sort();
}

/** Deep copy for tests that mutate a fixture. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
