// How a failure ends the program: the exit code and what is printed, decided by the error's `kind`
// in one table. 2 means the user must fix the configuration or the command line; anything else that
// reaches the command line is fatal (1) and printed with its stack for a report.

import type { AddonErrorKind } from './addon/options.js';
import type { ConfigErrorKind } from './config/errors.js';
import { AppError, isAppError } from './errors.js';
import type { HttpListenError } from './http/server.js';
import type { BrokerError } from './mqtt/broker.js';
import type { MqttRefusedError } from './mqtt/client.js';

export const EXIT_OK = 0;
export const EXIT_FATAL = 1;
export const EXIT_USAGE = 2;

/** Bad command-line arguments. */
export class UsageError extends AppError<'usage'> {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('usage', message);
  }
}

export type ExitKind =
  | ConfigErrorKind
  | AddonErrorKind
  | UsageError['kind']
  | BrokerError['kind']
  | MqttRefusedError['kind']
  | HttpListenError['kind'];

interface ExitRule {
  code: number;
  /** `message`: complete on its own; `prefixed`: after the program's name; `stack`: a fatal report */
  shown: 'message' | 'prefixed' | 'stack';
}

const FIX_CONFIG: ExitRule = { code: EXIT_USAGE, shown: 'message' };
const FIX_ARGUMENTS: ExitRule = { code: EXIT_USAGE, shown: 'prefixed' };
const FATAL: ExitRule = { code: EXIT_FATAL, shown: 'stack' };

/**
 * Kinds not listed (LibreLinkUp's are handled by the poller and never end the program) and errors
 * without a kind are fatal.
 */
export const EXIT_BY_KIND: Readonly<Record<ExitKind, ExitRule>> = {
  file: FIX_CONFIG,
  yaml: FIX_CONFIG,
  invalid: FIX_CONFIG,
  usage: FIX_ARGUMENTS,
  options_missing: FIX_ARGUMENTS,
  options_invalid: FIX_ARGUMENTS,
  broker: FATAL,
  mqtt_refused: FATAL,
  http_listen: FATAL,
};

function ruleOf(error: unknown): ExitRule {
  if (!isAppError(error) || !Object.hasOwn(EXIT_BY_KIND, error.kind)) return FATAL;
  return EXIT_BY_KIND[error.kind as ExitKind];
}

/** The exit code for a failure that reached the command line, and the text for stderr. */
export function exitFor(error: unknown): { code: number; text: string } {
  const rule = ruleOf(error);
  const message = (error as Error | undefined)?.message ?? String(error);
  switch (rule.shown) {
    case 'message':
      return { code: rule.code, text: `${message}\n` };
    case 'prefixed':
      return { code: rule.code, text: `librelinkup2mqtt: ${message}\n` };
    case 'stack':
      return {
        code: rule.code,
        text: `librelinkup2mqtt: fatal: ${(error as Error)?.stack ?? String(error)}\n`,
      };
  }
}
