import { describe, expect, it } from 'vitest';
import { firstCommitAt } from './first-commit.js';

describe('firstCommitAt', () => {
  it('is the earliest author date, whatever the order and time zone of the commits', () => {
    expect(
      firstCommitAt([
        { date: '2026-11-24T10:00:00Z' },
        { date: '2026-11-24T09:30:00+02:00' },
        { date: '2026-11-23T23:00:00-05:00' },
      ]),
    ).toBe('2026-11-24T04:00:00.000Z');
  });

  it('ignores commits without a parsable date and is null when none has one', () => {
    expect(firstCommitAt([{}, { date: 'not a date' }, { date: '2026-01-02T03:04:05Z' }])).toBe(
      '2026-01-02T03:04:05.000Z',
    );
    expect(firstCommitAt([{}, { date: 'garbage' }])).toBeNull();
    expect(firstCommitAt([])).toBeNull();
  });
});
