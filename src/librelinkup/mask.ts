// E-mail addresses appear in logs only masked: enough to tell two accounts apart, not to spam one.

/** "foo.bar@example.com" → "fo***@example.com". */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return `${email.slice(0, 2)}***`;
  return `${email.slice(0, Math.min(2, at))}***${email.slice(at)}`;
}
