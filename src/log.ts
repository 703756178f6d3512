// One pino logger for the whole process. Secrets are removed here, at the logger, twice over:
// by key (password, token, authorization, account-id, ...) wherever they sit in a logged object,
// and by value: every secret the program learns (passwords from the config, tokens and Account-Id
// hashes from logins) is registered and scrubbed from any string, message or error text.

import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { UPSTREAM_TEXT_MAX_CHARS } from './librelinkup/limits.js';

export type { Logger } from 'pino';

const SECRET_KEY = /pass(word)?|token|authorization|account[-_]?id|secret|ticket|cookie/i;
const REDACTED = '[redacted]';
const secrets = new Set<string>();
/** Tokens renewed on every call would grow the set (and the cost of every log line) without end. */
const rotating = new Set<string>();
/**
 * Fixed secrets (passwords) are also found in any letter case: upstream may echo a lower-cased
 * copy. Rotating tokens are many and machine-made: matched exactly.
 */
const anyCase = new Map<string, RegExp>();
export const ROTATING_SECRETS_KEPT = 4096;

/**
 * Remember a secret value so that it never appears in a log line. Short values are ignored.
 * `rotating` values (session tokens, renewed by upstream tickets) are kept for the ROTATING_SECRETS_KEPT
 * most recently used: each client re-registers its current token on every request, so only tokens no
 * longer in use fall out (key-based redaction and the Bearer pattern still hide them).
 */
export function registerSecret(value: string | undefined | null, options: { rotating?: boolean } = {}): void {
  if (typeof value !== 'string' || value.length < 4) return;
  if (!options.rotating) {
    if (!secrets.has(value)) grams.add(value);
    secrets.add(value);
    if (!anyCase.has(value))
      anyCase.set(value, new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu'));
    return;
  }
  if (rotating.has(value)) {
    // Seen again (the client re-registers its current token on every request): keep it recent.
    rotating.delete(value);
    rotating.add(value);
    return;
  }
  if (secrets.has(value)) return;
  rotating.add(value);
  secrets.add(value);
  grams.add(value);
  if (rotating.size > ROTATING_SECRETS_KEPT) {
    const oldest = rotating.values().next().value as string;
    rotating.delete(oldest);
    // A value registered as a fixed secret too (a password used as a token) stays a secret.
    if (!anyCase.has(oldest)) {
      secrets.delete(oldest);
      grams.remove(oldest);
    }
  }
}

/**
 * Which strings may hold a registered secret, found without looking for each secret: the first four
 * characters of every secret, folded to ASCII lower case, counted. A plain-ASCII text none of whose
 * four-character windows is such a prefix holds no secret in any letter case, so the per-secret
 * search (thousands of secrets with hundreds of accounts, for every string of every log line) is
 * skipped. Texts with other characters, and secrets that start with other characters, always take
 * the full search: Unicode case folding has too many special cases to prefilter safely.
 */
export class SecretPrefixes {
  private readonly counts = new Map<string, number>();
  /** secrets whose first four characters are not all ASCII */
  private unusual = 0;

  add(secret: string): void {
    const p = prefixOf(secret);
    if (p === null) this.unusual += 1;
    else this.counts.set(p, (this.counts.get(p) ?? 0) + 1);
  }

  remove(secret: string): void {
    const p = prefixOf(secret);
    if (p === null) this.unusual -= 1;
    else {
      const n = (this.counts.get(p) ?? 0) - 1;
      if (n > 0) this.counts.set(p, n);
      else this.counts.delete(p);
    }
  }

  mayHoldOne(text: string): boolean {
    if (this.unusual > 0) return true;
    if (this.counts.size === 0) return false;
    if (!ASCII.test(text)) return true;
    if (text.length < 4) return false;
    const folded = text.toLowerCase();
    for (let i = 0; i + 4 <= folded.length; i++) if (this.counts.has(folded.slice(i, i + 4))) return true;
    return false;
  }
}

const ASCII = /^\p{ASCII}*$/u;

function prefixOf(secret: string): string | null {
  const head = secret.slice(0, 4);
  return ASCII.test(head) ? head.toLowerCase() : null;
}

const grams = new SecretPrefixes();

/** A JSON web token (what LibreLinkUp's session tokens are), known to us or not. */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** `"password":"x"`, `token=x`, `Account-Id: x` inside a text: the value goes, the key stays. */
const SECRET_VALUE =
  /\b((?:pass(?:word)?|token|authorization|account[-_]?id|secret|ticket|cookie)"?)(\s*[:=]\s*"?)(?!\[redacted\])[^\s",;&}]+/gi;
/** Anything shaped like an e-mail address: upstream text has no business naming one. */
const EMAIL = /[^\s"'<>()@,;:]+@[^\s"'<>()@,;:]+\.[A-Za-z]{2,}/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

export function scrubString(text: string): string {
  let out = text;
  if (grams.mayHoldOne(text)) {
    for (const secret of secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    for (const pattern of anyCase.values()) out = out.replace(pattern, REDACTED);
  }
  // Bearer tokens we have not been told about yet (e.g. inside an upstream error text).
  return out
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, `Bearer ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(SECRET_VALUE, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`);
}

const SAFE_TEXT_SCAN_CHARS = 65_536;

/**
 * Text that leaves the bridge for MQTT, the status page or /health (error messages, anything that
 * may carry upstream words): redacted as the logger redacts, plus e-mail addresses, on one line,
 * and cut to `max` characters. Redaction comes first: cutting first could leave half a secret.
 */
export function safeText(text: string, max: number = UPSTREAM_TEXT_MAX_CHARS): string {
  // Cut absurdly long text before the regular expressions run; far beyond any secret's length.
  const bounded = text.length > SAFE_TEXT_SCAN_CHARS ? text.slice(0, SAFE_TEXT_SCAN_CHARS) : text;
  const clean = scrubString(bounded.replace(CONTROL, ' ')).replace(EMAIL, REDACTED).trim();
  const chars = Array.from(clean);
  if (chars.length <= max) return clean;
  return `${chars
    .slice(0, Math.max(0, max - 1))
    .join('')
    .trimEnd()}…`;
}

export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) {
    // Same prototype, scrubbed own fields: pino's error serializer (which runs after this) then
    // still names the class (LluError, MqttRefusedError) instead of "Object".
    // DOMException's getters need a real instance: a plain copy (with its name) for those.
    const out = (
      value instanceof DOMException ? { name: value.name } : Object.create(Object.getPrototypeOf(value))
    ) as Record<string, unknown>;
    // defineProperty: some errors (DOMException) have a getter-only `message` on their prototype.
    Object.defineProperty(out, 'message', {
      value: scrubString(value.message),
      enumerable: true,
      writable: true,
    });
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) ? REDACTED : scrub(v, depth + 1);
    }
    if (value.stack) {
      Object.defineProperty(out, 'stack', {
        value: scrubString(value.stack),
        enumerable: true,
        writable: true,
      });
    }
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] =
      SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'object'
        ? REDACTED
        : scrub(v, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  level?: string;
  /** where lines go; default stdout. Tests pass a stream to read every line back. */
  destination?: DestinationStream;
  name?: string;
  /** `pretty`: one human-readable line per event (terminal, add-on log panel); default `json` */
  format?: 'pretty' | 'json';
  /** ANSI colours in pretty lines (only for a terminal) */
  colorize?: boolean;
}

export type LogFormatSetting = 'auto' | 'pretty' | 'json';

/**
 * `auto` writes for whoever reads: people on a terminal and in the Home Assistant add-on log panel
 * (not a terminal, but read by people) get pretty lines; everything else (Docker log drivers, files,
 * pipes into a log shipper) gets JSON lines.
 */
export function resolveLogFormat(
  setting: LogFormatSetting | undefined,
  where: { isTTY: boolean; addon: boolean },
): 'pretty' | 'json' {
  if (setting === 'pretty' || setting === 'json') return setting;
  return where.isTTY || where.addon ? 'pretty' : 'json';
}

/**
 * Pretty lines are made from the JSON line after redaction, so they can hold no more than it does.
 * One line per event: the account and person lead the message, other fields follow on the same line.
 */
function prettyStream(destination: DestinationStream | undefined, colorize: boolean): DestinationStream {
  return pinoPretty({
    destination: destination ?? 1,
    sync: true,
    colorize,
    singleLine: true,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss',
    ignore: 'name,account,patient',
    messageFormat: '{if account}[{account}] {end}{if patient}{patient}: {end}{msg}',
  });
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'librelinkup2mqtt',
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrub(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a) => (typeof a === 'string' ? scrubString(a) : a)) as Parameters<
            typeof method
          >;
          method.apply(this, cleaned);
        },
      },
    },
    options.format === 'pretty'
      ? prettyStream(options.destination, options.colorize ?? false)
      : (options.destination ?? pino.destination({ dest: 1, sync: true })),
  );
}

/** A logger that writes nowhere, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
