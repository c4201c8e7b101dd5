// Decides whether publishing is frozen at a given instant: date ranges, weekly slots in a time zone, a manual switch.
import { CutterError } from './errors.js';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * A one-off freeze. `from`/`to` are ISO timestamps with an offset (`2026-12-20T00:00:00+01:00`) or plain dates
 * (`2026-12-24`), read in `timezone` (UTC when absent); a plain-date `to` includes that whole day.
 */
export interface DateRangeFreeze {
  from: string;
  to: string;
  timezone?: string;
  reason: string;
}

/**
 * A weekly freeze: on each listed day from `from` until `to` (`HH:MM`, wall-clock time in `timezone`, `to` is
 * exclusive and may be `24:00`). A `to` at or before `from` runs past midnight into the next day.
 */
export interface WeeklyFreeze {
  weekly: { days: readonly Weekday[]; from: string; to: string };
  timezone: string;
  reason: string;
}

export type FreezeWindow = DateRangeFreeze | WeeklyFreeze;

export interface ManualFreeze {
  frozen: boolean;
  reason?: string;
}

export interface FreezeDecision {
  frozen: boolean;
  reason: string | null;
  /** When the freeze lifts (ISO, UTC); absent for a manual freeze, which lifts only when switched off. */
  until?: string;
}

interface Span {
  start: number;
  end: number;
  reason: string;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Back-to-back windows (Friday evening, then the weekend) are chained into one freeze, within reason. */
const MAX_CHAIN = 64;

/** Is publishing frozen at `now`, why, and until when. A manual freeze wins over the configured windows. */
export function activeFreeze(windows: readonly FreezeWindow[], now: Date, manual?: ManualFreeze): FreezeDecision {
  const at = now.getTime();
  if (Number.isNaN(at)) throw new CutterError('CUTTER_BAD_INPUT', 'the freeze check needs a valid instant');
  for (const w of windows) {
    const problem = freezeWindowProblem(w);
    if (problem) throw new CutterError('CUTTER_CONFIG_INVALID', `freeze window "${w.reason}": ${problem}`);
  }
  if (manual?.frozen) return { frozen: true, reason: manual.reason?.trim() || 'frozen by hand' };

  const first = spansAt(windows, at);
  if (first.length === 0) return { frozen: false, reason: null };
  // The freeze lifts at the first instant no window covers: follow windows that start as another ends.
  let until = Math.max(...first.map((s) => s.end));
  for (let i = 0; i < MAX_CHAIN; i++) {
    const next = spansAt(windows, until);
    if (next.length === 0) break;
    until = Math.max(...next.map((s) => s.end));
  }
  const reason = [...new Set(first.map((s) => s.reason))].join('; ');
  return { frozen: true, reason, until: new Date(until).toISOString() };
}

/** What is wrong with a window (a bad time zone, time or date), or null when it is usable. */
export function freezeWindowProblem(w: FreezeWindow): string | null {
  if (!w.reason || w.reason.trim() === '') return 'a freeze window needs a reason';
  const tz = 'weekly' in w ? w.timezone : (w.timezone ?? 'UTC');
  if (!isTimeZone(tz)) return `unknown time zone "${tz}" (use an IANA name such as Europe/Berlin)`;
  if ('weekly' in w) {
    if (w.weekly.days.length === 0) return 'a weekly window needs at least one day';
    const bad = w.weekly.days.find((d) => !WEEKDAYS.includes(d));
    if (bad !== undefined) return `unknown day "${bad}" (use ${WEEKDAYS.join(', ')})`;
    for (const t of [w.weekly.from, w.weekly.to]) {
      if (parseClock(t) === null) return `"${t}" is not a time of day (HH:MM, 00:00 to 24:00)`;
    }
    return null;
  }
  const start = rangeStart(w);
  const end = rangeEnd(w);
  if (start === null) return `"${w.from}" is not a date (YYYY-MM-DD) or a timestamp with an offset`;
  if (end === null) return `"${w.to}" is not a date (YYYY-MM-DD) or a timestamp with an offset`;
  if (end <= start) return `the window ends (${w.to}) before it starts (${w.from})`;
  return null;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function spansAt(windows: readonly FreezeWindow[], at: number): Span[] {
  const out: Span[] = [];
  for (const w of windows) {
    const spans = 'weekly' in w ? weeklySpansAround(w, at) : [dateRangeSpan(w)];
    for (const s of spans) if (s.start <= at && at < s.end) out.push(s);
  }
  return out;
}

function dateRangeSpan(w: DateRangeFreeze): Span {
  return { start: rangeStart(w) ?? 0, end: rangeEnd(w) ?? 0, reason: w.reason };
}

const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Timestamps must carry their offset: a freeze must not move with the machine's local time zone. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

function rangeStart(w: DateRangeFreeze): number | null {
  return readInstant(w.from, w.timezone ?? 'UTC', 0);
}

function rangeEnd(w: DateRangeFreeze): number | null {
  // A plain date as the end includes that whole day.
  return readInstant(w.to, w.timezone ?? 'UTC', 1);
}

function readInstant(text: string, tz: string, plainDateDayOffset: number): number | null {
  const date = PLAIN_DATE.exec(text);
  if (date) {
    const [, y, m, d] = date.map(Number) as [number, number, number, number];
    const check = new Date(Date.UTC(y, m - 1, d));
    if (check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null;
    return zonedToUtc(y, m, d + plainDateDayOffset, 0, tz);
  }
  if (!TIMESTAMP.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** The weekly window's occurrences that could cover `at`: those starting on the last eight local days. */
function weeklySpansAround(w: WeeklyFreeze, at: number): Span[] {
  const from = parseClock(w.weekly.from) ?? 0;
  const to = parseClock(w.weekly.to) ?? 0;
  const local = localParts(at, w.timezone);
  const out: Span[] = [];
  for (let back = 8; back >= 0; back--) {
    const day = new Date(Date.UTC(local.year, local.month - 1, local.day - back));
    const weekday = WEEKDAYS[day.getUTCDay()] as Weekday;
    if (!w.weekly.days.includes(weekday)) continue;
    const y = day.getUTCFullYear();
    const m = day.getUTCMonth() + 1;
    const d = day.getUTCDate();
    const start = zonedToUtc(y, m, d, from, w.timezone);
    const end = zonedToUtc(y, m, to > from ? d : d + 1, to, w.timezone);
    out.push({ start, end, reason: w.reason });
  }
  return out;
}

/** `HH:MM` → minutes after midnight, or null. `24:00` is the end of the day. */
function parseClock(text: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return null;
  return h * 60 + min;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

function localParts(at: number, tz: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(tz).formatToParts(new Date(at))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts['year'] ?? 1970,
    month: parts['month'] ?? 1,
    day: parts['day'] ?? 1,
    hour: (parts['hour'] ?? 0) % 24,
    minute: parts['minute'] ?? 0,
    second: parts['second'] ?? 0,
  };
}

/** How far `tz` is ahead of UTC at instant `at`, in ms. */
function offsetAt(at: number, tz: string): number {
  const p = localParts(at, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/**
 * The instant when the wall clock in `tz` shows the given local date and minute of the day. Day and minute
 * overflow roll over (day 32, minute 1440). In the spring-forward gap the wall time does not exist and is moved
 * forward by the jump (02:30 → 03:30, as Temporal's "compatible"); in the autumn overlap it is the first occurrence.
 */
function zonedToUtc(year: number, month: number, day: number, minutes: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, day) + minutes * MINUTE_MS;
  // Try the offsets in force a day either side: the right one is the one that maps back to the same wall time.
  const candidates = [offsetAt(wall - DAY_MS, tz), offsetAt(wall + DAY_MS, tz)].sort((a, b) => b - a);
  for (const offset of candidates) {
    const at = wall - offset;
    if (offsetAt(at, tz) === offset) return at;
  }
  // Inside a gap neither offset maps back: read the wall time with the offset from before the jump.
  const before = candidates[candidates.length - 1] ?? 0;
  return wall - before;
}
