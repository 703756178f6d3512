// LibreLinkUp's timestamp text (reference §4 "Glucose item"): "M/D/YYYY h:mm:ss AM/PM", en-US,
// 12-hour clock, no leading zeros on month, day and hour, no zone. FactoryTimestamp is UTC; Timestamp
// is the patient's phone wall time, so Timestamp − FactoryTimestamp is the phone's UTC offset.

import { describe, expect, it } from 'vitest';
import { formatLluTimestamp } from '../../src/simulator/timestamps.js';
import { parseLlu } from './helpers.js';

describe('formatLluTimestamp', () => {
  it('writes the reference\'s example: 1672418561000 ↔ "12/30/2022 4:42:41 PM"', () => {
    expect(formatLluTimestamp(1672418561000)).toBe('12/30/2022 4:42:41 PM');
    expect(parseLlu('12/30/2022 4:42:41 PM')).toBe(1672418561000);
  });

  it('matches the HTTP dump: FactoryTimestamp 1:38:50 PM UTC, Timestamp +2 h', () => {
    const t = Date.UTC(2022, 4, 21, 13, 38, 50);
    expect(formatLluTimestamp(t)).toBe('5/21/2022 1:38:50 PM');
    expect(formatLluTimestamp(t, 120)).toBe('5/21/2022 3:38:50 PM');
  });

  it('writes no leading zeros on month, day and hour, but two digits for minutes and seconds', () => {
    expect(formatLluTimestamp(Date.UTC(2024, 0, 5, 9, 5, 7))).toBe('1/5/2024 9:05:07 AM');
    expect(formatLluTimestamp(Date.UTC(2024, 9, 10, 10, 0, 0))).toBe('10/10/2024 10:00:00 AM');
  });

  it.each([
    [Date.UTC(2024, 2, 3, 0, 0, 0), '3/3/2024 12:00:00 AM'],
    [Date.UTC(2024, 2, 3, 0, 59, 59), '3/3/2024 12:59:59 AM'],
    [Date.UTC(2024, 2, 3, 1, 0, 0), '3/3/2024 1:00:00 AM'],
    [Date.UTC(2024, 2, 3, 11, 59, 59), '3/3/2024 11:59:59 AM'],
    [Date.UTC(2024, 2, 3, 12, 0, 0), '3/3/2024 12:00:00 PM'],
    [Date.UTC(2024, 2, 3, 12, 30, 0), '3/3/2024 12:30:00 PM'],
    [Date.UTC(2024, 2, 3, 13, 0, 0), '3/3/2024 1:00:00 PM'],
    [Date.UTC(2024, 2, 3, 23, 59, 59), '3/3/2024 11:59:59 PM'],
  ])('12-hour clock edge %#: %s', (ms, text) => {
    expect(formatLluTimestamp(ms)).toBe(text);
    expect(parseLlu(text)).toBe(ms);
  });

  it('drops milliseconds (whole seconds on the wire)', () => {
    expect(formatLluTimestamp(Date.UTC(2024, 5, 1, 8, 0, 0, 999))).toBe('6/1/2024 8:00:00 AM');
  });

  it('round-trips every minute of a day', () => {
    const day = Date.UTC(2023, 10, 26);
    for (let m = 0; m < 24 * 60; m++) {
      const t = day + m * 60_000 + (m % 60) * 1000;
      expect(parseLlu(formatLluTimestamp(t))).toBe(t);
    }
  });

  describe('Timestamp offset vs FactoryTimestamp', () => {
    it('defaults to UTC (offset 0) for FactoryTimestamp', () => {
      const t = Date.UTC(2024, 6, 4, 15, 16, 17);
      expect(formatLluTimestamp(t)).toBe(formatLluTimestamp(t, 0));
    });

    it.each([60, 120, -300, 330, -600])('Timestamp − FactoryTimestamp = %i minutes', (offset) => {
      const t = Date.UTC(2024, 6, 4, 15, 16, 17);
      const factory = parseLlu(formatLluTimestamp(t));
      const local = parseLlu(formatLluTimestamp(t, offset));
      expect(factory).toBe(t);
      expect(local - factory).toBe(offset * 60_000);
    });

    it('moves the date across midnight and the year boundary with the offset', () => {
      const t = Date.UTC(2022, 11, 31, 23, 30, 0);
      expect(formatLluTimestamp(t)).toBe('12/31/2022 11:30:00 PM');
      expect(formatLluTimestamp(t, 60)).toBe('1/1/2023 12:30:00 AM');
      expect(formatLluTimestamp(Date.UTC(2023, 0, 1, 2, 0, 0), -300)).toBe('12/31/2022 9:00:00 PM');
    });
  });
});
