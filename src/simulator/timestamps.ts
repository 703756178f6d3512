// LibreLinkUp's timestamp text: "M/D/YYYY h:mm:ss AM/PM", en-US, 12-hour clock, no leading zeros, no
// zone. FactoryTimestamp is UTC; Timestamp is the patient's phone wall time.

/** `ms` rendered as LibreLinkUp writes it, `offsetMinutes` ahead of UTC (0 for FactoryTimestamp). */
export function formatLluTimestamp(ms: number, offsetMinutes = 0): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const h24 = d.getUTCHours();
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12;
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ` +
    `${h12}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${h24 < 12 ? 'AM' : 'PM'}`
  );
}

/** A LibreLinkUp timestamp moved by `ms` (text that is not one is returned unchanged). */
export function shiftLluTimestamp(text: string, ms: number): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/.exec(text);
  if (m === null) return text;
  const hour = (Number(m[4]) % 12) + (m[7] === 'PM' ? 12 : 0);
  const at = Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), hour, Number(m[5]), Number(m[6]));
  return formatLluTimestamp(at + ms);
}
