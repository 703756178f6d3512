// A tiny per-client cookie jar. LibreLinkUp sits behind Cloudflare, whose bot-management cookies
// (`__cf_bm`) a real app sends back; peers fixed "Attention Required" pages partly by keeping them.
// Host-scoped only (no paths, domains or Secure flags): we talk to two or three hosts at most.

const MAX_PER_HOST = 20;
const MAX_VALUE_LENGTH = 4096;

interface Stored {
  value: string;
  expiresAt: number | null;
}

export class CookieJar {
  private readonly hosts = new Map<string, Map<string, Stored>>();

  /** `cookie` header value for `host`, or null when there is nothing to send. */
  header(host: string, now: number): string | null {
    const jar = this.hosts.get(host);
    if (!jar) return null;
    const parts: string[] = [];
    for (const [name, c] of jar) {
      if (c.expiresAt !== null && c.expiresAt <= now) jar.delete(name);
      else parts.push(`${name}=${c.value}`);
    }
    return parts.length > 0 ? parts.join('; ') : null;
  }

  /** Remember the Set-Cookie lines of one response from `host`. */
  store(host: string, setCookies: readonly string[], now: number): void {
    for (const line of setCookies) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || value.length > MAX_VALUE_LENGTH) continue;
      const expiresAt = expiryOf(attrs, now);
      let jar = this.hosts.get(host);
      if (!jar) {
        jar = new Map();
        this.hosts.set(host, jar);
      }
      if (expiresAt !== null && expiresAt <= now) {
        jar.delete(name);
        continue;
      }
      if (!jar.has(name) && jar.size >= MAX_PER_HOST) continue;
      jar.set(name, { value, expiresAt });
    }
  }
}

function expiryOf(attrs: string[], now: number): number | null {
  let expires: number | null = null;
  for (const attr of attrs) {
    const [k = '', v = ''] = attr.split('=', 2).map((s) => s.trim());
    const key = k.toLowerCase();
    // Max-Age wins over Expires (RFC 6265 §5.3).
    if (key === 'max-age' && /^-?\d+$/.test(v)) return now + Number(v) * 1000;
    if (key === 'expires') {
      const at = Date.parse(v);
      if (Number.isFinite(at)) expires = at;
    }
  }
  return expires;
}

/** Set-Cookie lines of a fetch response, whichever API the fetch implementation offers. */
export function setCookieLines(headers: {
  get(name: string): string | null;
  raw?: () => Record<string, string[]>;
  getSetCookie?: () => string[];
}): string[] {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  if (typeof headers.raw === 'function') return headers.raw()['set-cookie'] ?? [];
  const joined = headers.get('set-cookie');
  return joined ? joined.split(/,(?=\s*[^;=\s,]+=)/) : [];
}
