// The file operations of the state files in data_dir: a private directory (0700), files replaced
// atomically (a temporary file, then rename) and private (0600), and the fix to tell the user when
// the directory cannot be written.

import { chmodSync, existsSync, mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';

/** The file operations a write uses; tests inject failures (a full disk cannot be made as root). */
export interface StoreFs {
  mkdirSync: typeof mkdirSync;
  writeFileSync: typeof writeFileSync;
  chmodSync: typeof chmodSync;
  renameSync: typeof renameSync;
  unlinkSync: typeof unlinkSync;
  statSync: typeof statSync;
  existsSync: typeof existsSync;
}

export const realFs: StoreFs = {
  mkdirSync,
  writeFileSync,
  chmodSync,
  renameSync,
  unlinkSync,
  statSync,
  existsSync,
};

export function ensurePrivateDir(dir: string, fs: StoreFs = realFs): void {
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.statSync(dir);
  if (!stat.isDirectory()) {
    // Never chmod a file that stands where the directory should be.
    throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
  }
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}

/**
 * Replaces `file` (in the private directory `dir`) with `text`, atomically and 0600. Throws what
 * failed; a failure leaves no temporary file behind (a process killed halfway may: see tempPrefix).
 */
export function writeAtomic(dir: string, file: string, text: string, fs: StoreFs = realFs): void {
  const tmp = `${file}${TEMP_MARK}${process.pid}`;
  try {
    ensurePrivateDir(dir, fs);
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, file);
  } catch (error) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // never created, or the directory itself is gone
    }
    throw error;
  }
}

/** What names a temporary file of writeAtomic, after the file's own name. */
export const TEMP_MARK = '.tmp-';

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The fix for a data_dir that cannot be written, by the error code of the failed write. */
export function writeFix(code: string, dir: string): string {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full; free some space';
    case 'EACCES':
    case 'EPERM':
      return `permission denied; make ${dir} writable by the user running the bridge (chown it to that user, chmod 700)`;
    case 'EROFS':
      return `the file system is read-only; point data_dir to a writable directory or mount ${dir} read-write`;
    case 'ENOTDIR':
    case 'EEXIST':
    case 'EISDIR':
      return `a file is in the way; ${dir} (and every directory above it) must be a directory, and its state files regular files`;
    default:
      return `${code}; check that ${dir} exists, is writable by the user running the bridge and has free space`;
  }
}
