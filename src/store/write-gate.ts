// A write lock the threads of one process share (SharedArrayBuffer + Atomics), taken around SQLite write transactions.

/**
 * Why: two handles on one SQLite file in one process (the webhook thread's and the engine thread's) meet at
 * SQLite's write lock, and a writer that finds it taken sleeps in SQLite's busy handler for 1, 2, 5, 10… ms
 * whatever the holder's transaction takes (usually well under a millisecond). Waiting on this gate instead, the
 * waiter is woken the moment the holder releases it. The gate is advisory: SQLite's own lock and busy timeout stay
 * in force underneath (other processes on the file, a holder that died), so a gate held too long is passed by
 * after {@link WriteGateOptions.maxWaitMs} rather than waited on forever.
 */

/**
 * The state word (0 free, 1 held, 2 held with possible waiters), the number of first-in-line writers waiting, then
 * 64-bit counters shared by every thread.
 */
const STATE = 0;
const FIRST_WAITING = 1;
const COUNTERS_AT = 8;
const ACQUIRED = 0;
const WAITED = 1;
const WAIT_MICROS = 2;
const MAX_WAIT_MICROS = 3;
const PASSED_BY = 4;
const BYTES = COUNTERS_AT + 5 * 8;

export interface WriteGateOptions {
  /** Longer than any write transaction should take; past it the gate is passed by and SQLite's lock decides. */
  maxWaitMs?: number;
  /**
   * A first-in-line writer (the webhook thread's handle): while it waits, the others do not take the gate again
   * ahead of it. Without this, the engine thread, running commit after commit, would retake the gate in the
   * instant between its release and the woken webhook thread getting a core.
   */
  firstInLine?: boolean;
}

export interface WriteGateStats {
  /** Write transactions run through the gate. */
  acquired: number;
  /** Of those, how many found it held by another thread and waited. */
  waited: number;
  /** Total and longest wait, in milliseconds. */
  waitMs: number;
  maxWaitMs: number;
  /** Waits that gave up on the gate after `maxWaitMs` (a holder that died, or a very long transaction). */
  passedBy: number;
}

export class WriteGate {
  /** Hand this to another thread (workerData) and open `new WriteGate(buffer)` there: both then share the lock. */
  readonly buffer: SharedArrayBuffer;
  private readonly cells: Int32Array;
  private readonly counters: BigInt64Array;
  private readonly maxWaitMs: number;
  private readonly firstInLine: boolean;
  /** Re-entrant within a thread: a transaction that calls another write method must not wait for itself. */
  private depth = 0;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(BYTES), options: WriteGateOptions = {}) {
    if (buffer.byteLength < BYTES) throw new RangeError(`a WriteGate needs a buffer of ${BYTES} bytes`);
    this.buffer = buffer;
    this.cells = new Int32Array(buffer, 0, 2);
    this.counters = new BigInt64Array(buffer, COUNTERS_AT, 5);
    this.maxWaitMs = options.maxWaitMs ?? 2_000;
    this.firstInLine = options.firstInLine ?? false;
  }

  /** Run `write` holding the gate (a synchronous better-sqlite3 transaction or statement). */
  run<T>(write: () => T): T {
    if (this.depth > 0) return this.nested(write);
    this.acquire();
    this.depth = 1;
    try {
      return write();
    } finally {
      this.depth = 0;
      this.release();
    }
  }

  stats(): WriteGateStats {
    const n = (slot: number) => Number(Atomics.load(this.counters, slot));
    return {
      acquired: n(ACQUIRED),
      waited: n(WAITED),
      waitMs: n(WAIT_MICROS) / 1000,
      maxWaitMs: n(MAX_WAIT_MICROS) / 1000,
      passedBy: n(PASSED_BY),
    };
  }

  private nested<T>(write: () => T): T {
    this.depth++;
    try {
      return write();
    } finally {
      this.depth--;
    }
  }

  // Drepper's futex mutex ("Futexes are tricky", mutex 2), on Atomics.wait/notify.
  private acquire(): void {
    const c = this.cells;
    const k = this.counters;
    Atomics.add(k, ACQUIRED, 1n);
    const started = performance.now();
    const deadline = started + this.maxWaitMs;
    if (!this.firstInLine) {
      // Let a waiting first-in-line writer through before taking the gate again.
      for (let n = Atomics.load(c, FIRST_WAITING); n > 0; n = Atomics.load(c, FIRST_WAITING)) {
        const left = deadline - performance.now();
        if (left <= 0) break;
        Atomics.wait(c, FIRST_WAITING, n, left);
      }
    }
    let state = Atomics.compareExchange(c, STATE, 0, 1);
    if (state === 0) {
      if (performance.now() - started > 0.05) this.waited(k, started);
      return;
    }
    if (this.firstInLine) Atomics.add(c, FIRST_WAITING, 1);
    do {
      if (state === 2 || Atomics.compareExchange(c, STATE, 1, 2) !== 0) {
        const left = deadline - performance.now();
        if (left <= 0) {
          // Whoever holds it is gone or stuck: go on and let SQLite's lock and busy timeout decide.
          Atomics.store(c, STATE, 2);
          Atomics.add(k, PASSED_BY, 1n);
          break;
        }
        Atomics.wait(c, STATE, 2, left);
      }
      state = Atomics.compareExchange(c, STATE, 0, 2);
    } while (state !== 0);
    if (this.firstInLine && Atomics.sub(c, FIRST_WAITING, 1) === 1) Atomics.notify(c, FIRST_WAITING);
    this.waited(k, started);
  }

  private waited(k: BigInt64Array, started: number): void {
    const micros = BigInt(Math.round((performance.now() - started) * 1000));
    Atomics.add(k, WAITED, 1n);
    Atomics.add(k, WAIT_MICROS, micros);
    for (let max = Atomics.load(k, MAX_WAIT_MICROS); micros > max; max = Atomics.load(k, MAX_WAIT_MICROS)) {
      if (Atomics.compareExchange(k, MAX_WAIT_MICROS, max, micros) === max) break;
    }
  }

  private release(): void {
    const c = this.cells;
    if (Atomics.sub(c, STATE, 1) !== 1) {
      Atomics.store(c, STATE, 0);
      Atomics.notify(c, STATE, 1);
    }
  }
}
