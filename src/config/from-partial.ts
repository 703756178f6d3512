// A full Config from only the keys a caller cares about (the demo, tests, benchmarks), through the
// loader's own defaults and checks: a hand-built literal can miss a default the loader would fill in,
// or hold a value the loader would refuse, and then the program runs on a config no user can write.

import { parseConfigObject } from './load.js';
import type { Config, Threshold } from './types.js';

/** The config as written: every key optional except accounts, thresholds as text ("70 mg/dL"). */
type Written<T> = T extends Threshold
  ? string
  : T extends readonly (infer U)[]
    ? Written<U>[]
    : T extends object
      ? { [K in keyof T]?: Written<T[K]> }
      : T;

export type PartialConfig = Written<Omit<Config, 'accounts'>> & {
  accounts: Array<Written<Config['accounts'][number]> & { email: string; password: string }>;
};

/**
 * Validates `partial` as a config file's content would be (without an environment: ${VAR} is an error)
 * and returns it with every default filled in, as a fresh unfrozen copy the caller owns. Throws
 * ConfigError like the loader.
 */
export function configFrom(partial: PartialConfig): Config {
  return structuredClone(parseConfigObject(structuredClone(partial), {}, 'configFrom'));
}
