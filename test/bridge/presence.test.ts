import { describe, expect, it } from 'vitest';
import {
  ABSENCE_ANSWERS,
  ABSENCE_MS,
  absenceConfirmed,
  ownerOf,
  type Presence,
  SEEN,
  type Sighting,
  sight,
  verdict,
} from '../../src/bridge/presence.js';

const MIN = 60_000;
const T = 1_000_000_000;

/** The sighting after a series of answers (true = person in it), one per `stepMs`. */
function after(answers: boolean[], stepMs = MIN): Sighting {
  let s: Sighting = SEEN;
  answers.forEach((seen, i) => {
    s = sight(s, seen, T + i * stepMs);
  });
  return s;
}

describe('presence: one account', () => {
  it.each([
    { answers: [false], stepMs: MIN, at: T, confirmed: false, why: 'one empty answer proves nothing' },
    {
      answers: [false, false, false],
      stepMs: MIN,
      at: T + 2 * MIN,
      confirmed: false,
      why: '3 answers, 2 minutes',
    },
    {
      answers: [false, false, false],
      stepMs: 5 * MIN,
      at: T + 10 * MIN,
      confirmed: true,
      why: '3 answers, 10 minutes',
    },
    {
      answers: [false, false],
      stepMs: 10 * MIN,
      at: T + 60 * MIN,
      confirmed: false,
      why: 'an hour but 2 answers',
    },
    {
      answers: [false, false, false, true],
      stepMs: 5 * MIN,
      at: T + 15 * MIN,
      confirmed: false,
      why: 'back resets',
    },
    {
      answers: [false, true, false, false],
      stepMs: 5 * MIN,
      at: T + 20 * MIN,
      confirmed: false,
      why: 'counting restarts',
    },
    {
      answers: [false, true, false, false, false],
      stepMs: 5 * MIN,
      at: T + 20 * MIN,
      confirmed: true,
      why: 'restarted count complete',
    },
  ])('$why', ({ answers, stepMs, at, confirmed }) => {
    expect(absenceConfirmed(after(answers, stepMs), at)).toBe(confirmed);
  });

  it('counts answers and remembers when the absence began', () => {
    expect(sight(undefined, false, T)).toEqual({ missed: 1, missingSince: T, confirmed: false });
    const two = sight(sight(undefined, false, T), false, T + MIN);
    expect(two).toEqual({ missed: 2, missingSince: T, confirmed: false });
    expect(sight(two, false, T + ABSENCE_MS)).toEqual({ missed: 3, missingSince: T, confirmed: true });
    expect(sight(two, true, T + MIN)).toEqual(SEEN);
  });

  it('the constants: several answers and several minutes', () => {
    expect(ABSENCE_ANSWERS).toBeGreaterThanOrEqual(2);
    expect(ABSENCE_MS).toBeGreaterThanOrEqual(5 * MIN);
  });
});

describe('presence: across accounts', () => {
  const gone: Sighting = { missed: ABSENCE_ANSWERS, missingSince: T - ABSENCE_MS, confirmed: true };
  const missing: Sighting = { missed: 1, missingSince: T, confirmed: false };
  it.each<{ presence: Presence; expected: string; why: string }>([
    { presence: { a: SEEN }, expected: 'present', why: 'seen by its only account' },
    { presence: { a: gone, b: SEEN }, expected: 'present', why: 'one account stopped, the other follows' },
    { presence: { a: missing }, expected: 'missing', why: 'not yet confirmed' },
    { presence: { a: gone, b: missing }, expected: 'missing', why: 'one confirmed, the other not yet' },
    { presence: { a: gone, b: gone }, expected: 'gone', why: 'every account confirmed' },
    { presence: { a: gone }, expected: 'gone', why: 'its only account confirmed' },
  ])('$why → $expected', ({ presence, expected }) => {
    expect(verdict(presence, T)).toBe(expected);
  });

  it.each<{ presence: Presence; expected: string | undefined; why: string }>([
    { presence: { a: SEEN, b: SEEN }, expected: 'a', why: 'first in config order' },
    { presence: { a: missing, b: SEEN }, expected: 'b', why: 'the one that sees them' },
    { presence: { a: gone, b: missing }, expected: 'b', why: 'the one still holding them' },
    { presence: { b: SEEN }, expected: 'b', why: 'only one follows' },
    { presence: {}, expected: undefined, why: 'nobody' },
  ])('owner: $why', ({ presence, expected }) => {
    expect(ownerOf(presence, ['a', 'b'], T)).toBe(expected);
  });
});
