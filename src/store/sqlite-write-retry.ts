// Waits for SQLite's write lock in fine steps, instead of in SQLite's busy handler (1, 2, 5, 10… ms).

import type Database from 'better-sqlite3';

/**
 * Why: serve's two handles on one file (the webhook thread's ingests, the engine thread's claims and step commits)
 * meet at SQLite's write lock, and the other's transaction usually ends within a fraction of a millisecond. SQLite's
 * busy handler, finding the lock taken, sleeps 1 ms, then 2, then 5: one collision costs the webhook thread's whole
 * event loop 1 ms, three in a row 8 ms. Here a write that finds the lock taken is tried again after 50 µs, doubling
 * up to 5 ms, for as long as the busy timeout allows — the same bound, and the same SQLITE_BUSY error at its end.
 * Only while a write is tried is the connection's busy timeout 0; reads keep SQLite's own busy handling.
 */
const FIRST_WAIT_MS = 0.05;
const LONGEST_WAIT_MS = 5;

/** A synchronous sleep of `ms` (fractions included) for this thread, as SQLite's own busy handler does. */
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => Atomics.wait(sleeper, 0, 0, ms);

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * `write(run)` runs a synchronous better-sqlite3 write (an `.immediate()` transaction or a single statement) and,
 * while another connection holds the write lock, tries it again in fine steps until `timeoutMs` has passed. A write
 * inside another write runs once (the outer one holds the lock).
 */
export function writeRetry(db: Database.Database, timeoutMs: number): <T>(run: () => T) => T {
  const noWait = db.prepare('PRAGMA busy_timeout = 0');
  const restore = db.prepare(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(timeoutMs))}`);
  let depth = 0;
  return <T>(run: () => T): T => {
    if (depth > 0) return run();
    depth++;
    noWait.get();
    try {
      const deadline = performance.now() + timeoutMs;
      for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, LONGEST_WAIT_MS)) {
        try {
          return run();
        } catch (err) {
          const left = deadline - performance.now();
          if (!isBusy(err) || left <= 0) throw err;
          sleep(Math.min(wait, left));
        }
      }
    } finally {
      restore.get();
      depth--;
    }
  };
}
