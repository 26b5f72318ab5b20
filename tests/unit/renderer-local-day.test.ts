// The day a timeline message falls on, on this device's calendar: messages share a day heading exactly
// when their local days are equal, whatever the hour, and midnight starts a new one.
import { describe, expect, it } from 'vitest';
import { localDay } from '../../src-renderer/i18n/format';

const at = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m, d, h, min).getTime();

describe('local day of a message', () => {
  it('is the same from midnight to the last minute of a day', () => {
    expect(localDay(at(2026, 4, 12, 0, 0))).toBe(localDay(at(2026, 4, 12, 23, 59)));
  });

  it('changes at local midnight, also across a month and a year', () => {
    expect(localDay(at(2026, 4, 12, 23, 59))).not.toBe(localDay(at(2026, 4, 13, 0, 0)));
    expect(localDay(at(2026, 0, 31, 12))).not.toBe(localDay(at(2026, 1, 1, 12)));
    expect(localDay(at(2025, 11, 31, 23, 59))).not.toBe(localDay(at(2026, 0, 1, 0, 1)));
    // Not a day of the month alone: the 12th of May and of June are different days.
    expect(localDay(at(2026, 4, 12))).not.toBe(localDay(at(2026, 5, 12)));
  });
});
