// LibreLinkUp's timestamp text: "M/D/YYYY h:mm:ss AM/PM", en-US, 12-hour clock, no leading zeros, no
// zone. FactoryTimestamp is UTC; Timestamp is the patient's phone wall time (reference §4).

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
