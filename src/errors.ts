// The one base of the errors this program throws on purpose. Each family (LibreLinkUp, config,
// add-on options, broker, HTTP listener, command line) names its cases in its own `kind` union;
// callers decide by `kind` (the poller's wait, the CLI's exit code), never by class or message.
// The wrapped failure, when there is one, is the standard `cause`.

export class AppError<K extends string = string> extends Error {
  override readonly name: string = 'AppError';
  readonly kind: K;

  constructor(kind: K, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
  }
}

/**
 * Also true for an AppError from another copy of this module (a second realm, a bundled copy), which
 * `instanceof` misses: any Error with a string `kind`.
 */
export function isAppError(value: unknown): value is AppError {
  return (
    value instanceof AppError ||
    (value instanceof Error && typeof (value as { kind?: unknown }).kind === 'string')
  );
}
