// The arithmetic of GitHub's content-creation limits: when the next write may start, and the floor for N writes.

/** GitHub's documented secondary limits on content-creating requests. */
export const GITHUB_WRITE_LIMITS = { perMinute: 80, perHour: 500 } as const;

const MINUTE = 60_000;
const HOUR = 3_600_000;

export interface WriteLimits {
  perMinute: number;
  perHour: number;
  /** Simulated time runs this much faster than real time (a sandbox clock scale); windows shrink by it. */
  timeScale?: number;
}

/** One write: started at `s`, finished at `e` (-1 while in flight), both real epoch ms. */
export interface WriteMark {
  s: number;
  e: number;
}

export interface SlotQuery {
  now: number;
  marks: readonly WriteMark[];
  limits: WriteLimits;
  /** No write before this (a `retry-after` from GitHub). */
  holdUntil?: number;
  /** Spacing multiplier (2 after GitHub pushed back, 1 otherwise). */
  slowdown?: number;
  /** An in-flight write unreported for this long counts as finished then (its process died). */
  staleMs?: number;
}

export function windows(limits: WriteLimits): { minute: number; hour: number; spacing: number } {
  const scale = limits.timeScale ?? 1;
  const minute = MINUTE / scale;
  return { minute, hour: HOUR / scale, spacing: minute / limits.perMinute };
}

/**
 * Earliest real time the next write may start. A finished write counts until `e + window` and an in-flight one
 * until it finishes: GitHub stamps a write somewhere between our start and its end, so counting from the end
 * can never let the window hold one write too many. Writes are also spaced evenly (no bursts), `spacing` apart.
 * Returns `{ at, blockedByInFlight }`: when an in-flight write decides, `at` is only a time to look again.
 */
export function nextWriteSlot(q: SlotQuery): { at: number; blockedByInFlight: boolean } {
  const w = windows(q.limits);
  const stale = q.staleMs ?? 30_000;
  const ends = q.marks.map((m) => (m.e >= 0 ? m.e : q.now < m.s + stale ? Number.POSITIVE_INFINITY : m.s + stale));
  let at = Math.max(q.now, q.holdUntil ?? 0);
  const lastStart = q.marks.reduce((max, m) => Math.max(max, m.s), Number.NEGATIVE_INFINITY);
  if (Number.isFinite(lastStart)) at = Math.max(at, lastStart + w.spacing * (q.slowdown ?? 1));
  let blockedByInFlight = false;
  for (const [limit, span] of [
    [q.limits.perMinute, w.minute],
    [q.limits.perHour, w.hour],
  ] as const) {
    const recent = ends.filter((e) => e > at - span).sort((a, b) => b - a);
    if (recent.length < limit) continue;
    const gate = recent[limit - 1]!;
    if (!Number.isFinite(gate)) {
      blockedByInFlight = true;
      at = Math.max(at, q.now + w.spacing);
    } else at = Math.max(at, gate + span);
  }
  return { at, blockedByInFlight };
}

/** The marks that can still affect a window (finished within the hour, or in flight). */
export function pruneMarks<M extends WriteMark>(marks: readonly M[], now: number, limits: WriteLimits): M[] {
  const { hour } = windows(limits);
  const live = marks.filter((m) => m.e < 0 || m.e > now - hour);
  // Only the newest perHour marks can ever gate a write; older ones would only grow the shared state.
  return live.length > limits.perHour ? live.slice(live.length - limits.perHour) : live;
}

/**
 * The least wall time N writes can take under the limits with even spacing from an idle start, when each write
 * takes no time: what the benchmark compares a fleet run against, and the basis of the progress line's ETA.
 *
 * It is {@link nextWriteSlot} run N times over the last `perHour + 1` marks, with the work each call would repeat
 * left out: every simulated write starts and ends at once and never before the one before it, so the ends stay in
 * ascending order, a window's count is a binary search and its gate an index (no filter and sort per write).
 * The fleet's progress line asks for it after every task event, so it must stay cheap at thousands of writes.
 */
export function writeFloorMs(writes: number, limits: WriteLimits): number {
  if (writes <= 1) return 0;
  const w = windows(limits);
  const keep = limits.perHour + 1;
  const gates = [
    [limits.perMinute, w.minute],
    [limits.perHour, w.hour],
  ] as const;
  const ends: number[] = [];
  let first = 0; // ends[first…] are the marks nextWriteSlot would still be given
  let at = 0;
  for (let n = 0; n < writes; n++) {
    let next = at;
    if (ends.length > first) next = Math.max(next, ends[ends.length - 1]! + w.spacing);
    for (const [limit, span] of gates) {
      // How many ends lie after `next - span`: the tail of the sorted marks, found by bisection.
      let lo = first;
      let hi = ends.length;
      const after = next - span;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ends[mid]! > after) hi = mid;
        else lo = mid + 1;
      }
      if (ends.length - lo < limit) continue;
      next = Math.max(next, ends[ends.length - limit]! + span);
    }
    at = next;
    ends.push(at);
    if (ends.length - first > keep) first++;
  }
  return at;
}
