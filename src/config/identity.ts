// When two account entries are the same LibreLinkUp account: the e-mail compared case-folded and
// trimmed, the login URL compared after normalising what URLs allow to differ (host case, the
// default port, a trailing slash). And whether a URL carries credentials, which belong elsewhere.

export const DEFAULT_API_URL = 'https://api.libreview.io';

export function normaliseEmail(email: string): string {
  return email.normalize('NFC').trim().toLowerCase();
}

/** Lower-case scheme and host, no default port, no trailing slash; unparsable input as written. */
export function normaliseUrl(value: string | undefined): string {
  const raw = (value ?? DEFAULT_API_URL).trim();
  try {
    const url = new URL(raw);
    url.hash = '';
    // URL already lower-cases scheme and host and drops :443 for https and :80 for http.
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}`;
  } catch {
    return raw.replace(/\/+$/, '');
  }
}

/** The identity of a configured account: two entries with the same one follow the same people. */
export function accountIdentity(account: { email: string; api_url?: string | undefined }): string {
  return `${normaliseEmail(account.email)}\n${normaliseUrl(account.api_url)}`;
}

/** The `user:pass@` part of a URL ('' when there is none or it does not parse). */
export function urlCredentials(value: string): string {
  try {
    const url = new URL(value.split('{region}').join('eu'));
    return url.username === '' && url.password === '' ? '' : `${url.username}:${url.password}`;
  } catch {
    return '';
  }
}
