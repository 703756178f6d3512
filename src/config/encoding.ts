// A config file must be UTF-8. Reading it as such silently turns a Latin-1 "é" (or a file saved as
// UTF-16) into U+FFFD, which then reaches a password or a name unnoticed; so the bytes are decoded
// strictly, and the first bad byte is named by line and column (never quoted: it may be a password).

import { ConfigError } from './errors.js';

/** Byte offset of the first byte that is not part of valid UTF-8, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    if (len > 1) {
      if (i + len > bytes.length) return i;
      const b1 = bytes[i + 1]!;
      // Overlongs, UTF-16 surrogates and code points above U+10FFFF are invalid second bytes.
      const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
      const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
      if (b1 < lo || b1 > hi) return i;
      for (let k = 2; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += len;
  }
  return -1;
}

/** The file's text; a ConfigError naming line and column of the first byte that is not UTF-8. */
export function decodeConfigBytes(bytes: Uint8Array, source?: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    const at = Math.max(0, firstInvalidUtf8(bytes));
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    throw new ConfigError(
      'file',
      [
        {
          path: '',
          message: `line ${line}, column ${at - lineStart + 1}: not valid UTF-8 text (byte 0x${(bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0')})${utf16 ? '; the file looks like UTF-16' : ''}`,
          fix: 'save the file as UTF-8 (in most editors: Save with encoding → UTF-8)',
        },
      ],
      { ...(source === undefined ? {} : { source }), cause: error },
    );
  }
}
