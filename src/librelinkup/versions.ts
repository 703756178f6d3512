// App version strings as LibreLinkUp's `version` header and its 920 `minimumVersion` use them.

const VERSION = /^\d{1,4}(\.\d{1,6}){0,3}$/;

/** "4.16.0"-like; anything else from upstream is not adopted (it would end up in a header). */
export function isVersionString(value: string): boolean {
  return VERSION.test(value);
}

/** Numeric, segment by segment; missing segments count as 0 ("4.16" == "4.16.0"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** The higher of two versions, ignoring one that is not a version string. */
export function maxVersion(a: string, b: string | null | undefined): string {
  if (b === null || b === undefined || !isVersionString(b)) return a;
  if (!isVersionString(a)) return b;
  return compareVersions(b, a) > 0 ? b : a;
}
