// Whether a followed person is still there, judged across every account that follows them. One
// answer without a person proves little (upstream has answered an empty list for a moment), and
// removing a person deletes their Home Assistant entities and history graphs, so absence must be
// confirmed by several answers AND some minutes before it counts. A failed poll is not an answer:
// an account that cannot reach LibreLinkUp never confirms anything. Pure.

/** Consecutive answers of one account without the person before that account counts as not following. */
export const ABSENCE_ANSWERS = 3;
/** ...and at least this long since the first of them, so a burst of quick polls cannot confirm it. */
export const ABSENCE_MS = 10 * 60_000;

/** What one account's answers said about one person. */
export interface Sighting {
  /** consecutive answers of this account without the person (0 = in the last answer) */
  missed: number;
  /** when the first of those answers came; null while present */
  missingSince: number | null;
  /** the absence was confirmed at the latest answer (absenceConfirmed then) */
  confirmed: boolean;
}

export const SEEN: Sighting = { missed: 0, missingSince: null, confirmed: false };

/** Per account key: what that account's answers said. */
export type Presence = Readonly<Record<string, Sighting>>;

/** present: some account's last answer had the person; missing: none, but not yet confirmed; gone: confirmed by all. */
export type Verdict = 'present' | 'missing' | 'gone';

/** The account answered, with or without the person. */
export function sight(previous: Sighting | undefined, seen: boolean, now: number): Sighting {
  if (seen) return SEEN;
  const before = previous ?? SEEN;
  const missed = before.missed + 1;
  const missingSince = before.missingSince ?? now;
  return { missed, missingSince, confirmed: absenceConfirmed({ missed, missingSince }, now) };
}

/** This account has confirmed that it no longer follows the person. */
export function absenceConfirmed(s: Pick<Sighting, 'missed' | 'missingSince'>, now: number): boolean {
  return s.missed >= ABSENCE_ANSWERS && s.missingSince !== null && now - s.missingSince >= ABSENCE_MS;
}

/** A person is gone only when every account that followed them has confirmed the absence. */
export function verdict(presence: Presence, now: number): Verdict {
  const sightings = Object.values(presence);
  if (sightings.some((s) => s.missed === 0)) return 'present';
  return sightings.every((s) => absenceConfirmed(s, now)) ? 'gone' : 'missing';
}

/**
 * The account whose configuration names the person (display name, thresholds, the account shown on
 * the status page): the first in config order that saw them in its last answer, else the first that
 * has not confirmed the absence, so two accounts never take turns renaming one device.
 */
export function ownerOf(presence: Presence, order: readonly string[], now: number): string | undefined {
  const held = order.filter((key) => presence[key] !== undefined);
  return (
    held.find((key) => presence[key]!.missed === 0) ??
    held.find((key) => !absenceConfirmed(presence[key]!, now)) ??
    held[0]
  );
}
