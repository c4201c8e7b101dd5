import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCutterError } from './errors.js';
import { activeFreeze, type FreezeWindow, freezeWindowProblem } from './freeze-window.js';

const fridayAfternoons: FreezeWindow = {
  weekly: { days: ['fri'], from: '15:00', to: '23:59' },
  timezone: 'Europe/Berlin',
  reason: 'no Friday releases',
};

const at = (iso: string) => new Date(iso);

describe('activeFreeze with a weekly window in Europe/Berlin', () => {
  it('freezes Friday 15:00 Berlin time in winter (14:00 UTC) and says when it lifts', () => {
    expect(activeFreeze([fridayAfternoons], at('2026-03-27T13:59:59Z')).frozen).toBe(false);
    expect(activeFreeze([fridayAfternoons], at('2026-03-27T14:00:00Z'))).toEqual({
      frozen: true,
      reason: 'no Friday releases',
      until: '2026-03-27T22:59:00.000Z',
    });
  });

  it('follows the spring clock change: the next Friday freezes at 13:00 UTC', () => {
    expect(activeFreeze([fridayAfternoons], at('2026-04-03T12:59:00Z')).frozen).toBe(false);
    expect(activeFreeze([fridayAfternoons], at('2026-04-03T13:00:00Z'))).toEqual({
      frozen: true,
      reason: 'no Friday releases',
      until: '2026-04-03T21:59:00.000Z',
    });
  });

  it('follows the autumn clock change back to 14:00 UTC', () => {
    expect(activeFreeze([fridayAfternoons], at('2026-10-23T13:00:00Z')).frozen).toBe(true);
    expect(activeFreeze([fridayAfternoons], at('2026-10-30T13:30:00Z')).frozen).toBe(false);
    expect(activeFreeze([fridayAfternoons], at('2026-10-30T14:00:00Z')).until).toBe('2026-10-30T22:59:00.000Z');
  });

  it('measures a window across the spring-forward night in real time (01:00–04:00 is two hours)', () => {
    const night: FreezeWindow = {
      weekly: { days: ['sun'], from: '01:00', to: '04:00' },
      timezone: 'Europe/Berlin',
      reason: 'maintenance',
    };
    expect(activeFreeze([night], at('2026-03-28T23:59:00Z')).frozen).toBe(false);
    expect(activeFreeze([night], at('2026-03-29T00:00:00Z')).until).toBe('2026-03-29T02:00:00.000Z');
    expect(activeFreeze([night], at('2026-03-29T02:00:00Z')).frozen).toBe(false);
  });

  it('moves a start time that falls in the spring-forward gap to just after the jump', () => {
    const gap: FreezeWindow = {
      weekly: { days: ['sun'], from: '02:30', to: '05:00' },
      timezone: 'Europe/Berlin',
      reason: 'gap',
    };
    // 02:30 does not exist on 2026-03-29 in Berlin; it is read as 03:30 CEST = 01:30 UTC.
    expect(activeFreeze([gap], at('2026-03-29T01:29:00Z')).frozen).toBe(false);
    expect(activeFreeze([gap], at('2026-03-29T01:30:00Z')).frozen).toBe(true);
  });

  it('runs a window whose end is before its start past midnight into the next day', () => {
    const overnight: FreezeWindow = {
      weekly: { days: ['fri'], from: '22:00', to: '06:00' },
      timezone: 'America/New_York',
      reason: 'night',
    };
    // Saturday 2026-11-28 03:00 in New York (EST, UTC-5) is 08:00 UTC; the window lifts at 06:00 EST = 11:00 UTC.
    expect(activeFreeze([overnight], at('2026-11-28T08:00:00Z'))).toEqual({
      frozen: true,
      reason: 'night',
      until: '2026-11-28T11:00:00.000Z',
    });
    expect(activeFreeze([overnight], at('2026-11-27T02:00:00Z')).frozen).toBe(false);
  });

  it('chains back-to-back windows: a Friday evening freeze joined by a weekend freeze lifts on Monday', () => {
    const weekend: FreezeWindow = {
      weekly: { days: ['sat', 'sun'], from: '00:00', to: '24:00' },
      timezone: 'Europe/Berlin',
      reason: 'weekend',
    };
    const fridayToMidnight: FreezeWindow = {
      ...fridayAfternoons,
      weekly: { days: ['fri'], from: '15:00', to: '24:00' },
    };
    const decision = activeFreeze([fridayToMidnight, weekend], at('2026-11-27T15:00:00Z'));
    expect(decision).toEqual({ frozen: true, reason: 'no Friday releases', until: '2026-11-29T23:00:00.000Z' });
  });

  it('lifts exactly at `until` and holds just before it, whatever the instant (property)', () => {
    const overnight: FreezeWindow = {
      weekly: { days: ['tue', 'sat'], from: '21:15', to: '02:45' },
      timezone: 'Australia/Sydney',
      reason: 'night',
    };
    const windows = [fridayAfternoons, overnight];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) }), (ms) => {
        const decision = activeFreeze(windows, new Date(ms));
        if (!decision.frozen) return;
        const until = Date.parse(decision.until ?? '');
        expect(until).toBeGreaterThan(ms);
        expect(activeFreeze(windows, new Date(until)).frozen).toBe(false);
        expect(activeFreeze(windows, new Date(until - 1)).frozen).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

describe('activeFreeze with date ranges', () => {
  const holidays: FreezeWindow = {
    from: '2026-12-24',
    to: '2026-12-26',
    timezone: 'Europe/Berlin',
    reason: 'holidays',
  };

  it('reads plain dates in the window time zone and includes the whole last day', () => {
    expect(activeFreeze([holidays], at('2026-12-23T22:59:59Z')).frozen).toBe(false);
    expect(activeFreeze([holidays], at('2026-12-23T23:00:00Z')).frozen).toBe(true);
    expect(activeFreeze([holidays], at('2026-12-26T22:59:00Z'))).toEqual({
      frozen: true,
      reason: 'holidays',
      until: '2026-12-26T23:00:00.000Z',
    });
  });

  it('takes timestamps with an offset as they are', () => {
    const launch: FreezeWindow = {
      from: '2026-06-01T09:00:00+02:00',
      to: '2026-06-01T18:00:00+02:00',
      reason: 'launch',
    };
    expect(activeFreeze([launch], at('2026-06-01T06:59:00Z')).frozen).toBe(false);
    expect(activeFreeze([launch], at('2026-06-01T07:00:00Z')).until).toBe('2026-06-01T16:00:00.000Z');
  });

  it('names every window that holds the release', () => {
    const both = activeFreeze([holidays, { ...holidays, reason: 'year end' }], at('2026-12-25T12:00:00Z'));
    expect(both.reason).toBe('holidays; year end');
  });
});

describe('activeFreeze with the manual switch', () => {
  it('freezes with the given reason and no end when switched on, even outside every window', () => {
    expect(activeFreeze([], at('2026-11-25T10:00:00Z'), { frozen: true, reason: 'incident 42' })).toEqual({
      frozen: true,
      reason: 'incident 42',
    });
  });

  it('falls back to the windows when switched off', () => {
    expect(activeFreeze([fridayAfternoons], at('2026-11-27T15:00:00Z'), { frozen: false }).frozen).toBe(true);
    expect(activeFreeze([fridayAfternoons], at('2026-11-25T15:00:00Z'), { frozen: false })).toEqual({
      frozen: false,
      reason: null,
    });
  });
});

describe('bad freeze windows', () => {
  const refused = (w: FreezeWindow) => {
    try {
      activeFreeze([w], at('2026-11-25T10:00:00Z'));
    } catch (err) {
      expect(isCutterError(err, 'CUTTER_CONFIG_INVALID')).toBe(true);
      return (err as Error).message;
    }
    throw new Error('expected the window to be refused');
  };

  it('refuses an unknown time zone', () => {
    expect(refused({ ...fridayAfternoons, timezone: 'Europe/Atlantis' })).toMatch(
      /unknown time zone "Europe\/Atlantis"/,
    );
  });
  it('refuses a time of day that does not exist', () => {
    expect(refused({ ...fridayAfternoons, weekly: { days: ['fri'], from: '25:00', to: '26:00' } })).toMatch(/"25:00"/);
    expect(refused({ ...fridayAfternoons, weekly: { days: ['fri'], from: '3pm', to: '23:00' } })).toMatch(/"3pm"/);
  });
  it('refuses an unknown day and an empty day list', () => {
    expect(refused({ ...fridayAfternoons, weekly: { days: ['friday' as 'fri'], from: '15:00', to: '16:00' } })).toMatch(
      /unknown day "friday"/,
    );
    expect(refused({ ...fridayAfternoons, weekly: { days: [], from: '15:00', to: '16:00' } })).toMatch(
      /at least one day/,
    );
  });
  it('refuses a range that ends before it starts', () => {
    expect(refused({ from: '2026-12-26', to: '2026-12-24', reason: 'x' })).toMatch(/ends .* before it starts/);
  });
  it('refuses a timestamp without an offset, which would depend on the machine time zone', () => {
    expect(refused({ from: '2026-12-24T10:00:00', to: '2026-12-26', reason: 'x' })).toMatch(/with an offset/);
  });
  it('refuses a calendar date that does not exist', () => {
    expect(refused({ from: '2026-02-30', to: '2026-03-02', reason: 'x' })).toMatch(/"2026-02-30"/);
  });
  it('refuses a window without a reason', () => {
    expect(freezeWindowProblem({ ...fridayAfternoons, reason: ' ' })).toMatch(/needs a reason/);
  });
  it('refuses an invalid instant', () => {
    expect(() => activeFreeze([], new Date('nope'))).toThrow(/valid instant/);
  });
});
