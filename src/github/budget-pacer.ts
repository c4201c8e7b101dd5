// A Pacer that keeps content-creating requests under GitHub's secondary limits, its state shared through the store.

import { randomUUID } from 'node:crypto';
import type { Store } from '../store/types.js';
import { FifoGate } from './fifo-gate.js';
import type { Pacer } from './pacer.js';
import {
  GITHUB_WRITE_LIMITS,
  nextWriteSlot,
  pruneMarks,
  type WriteLimits,
  type WriteMark,
  windows,
} from './write-budget.js';

export interface BudgetPacerOptions {
  /** Where the budget lives (its kv table), so every task and process using the token shares one budget. */
  store: Pick<Store, 'kvGet' | 'kvSet'>;
  /** kv key of this budget; one per token (default `github:write-budget:default`). */
  key?: string;
  writesPerMinute?: number;
  writesPerHour?: number;
  /** The sandbox's clock scale: limit windows are that much shorter in real time. */
  timeScale?: number;
  /** Writes in flight at once in this process (default 4). */
  maxConcurrentWrites?: number;
  /** Reads in flight at once in this process (default 16; GitHub allows 100 concurrent requests). */
  maxConcurrentReads?: number;
  /** Real clock (epoch ms) and sleep; tests pass fake ones. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface BudgetState {
  marks: Array<WriteMark & { id: string }>;
  holdUntil: number;
  slowUntil: number;
}

export interface PacerStats {
  writes: number;
  reads: number;
  /** Real ms writes spent waiting for the budget. */
  waitedMs: number;
  pushedBack: number;
}

const EMPTY: BudgetState = { marks: [], holdUntil: 0, slowUntil: 0 };

export class BudgetPacer implements Pacer {
  readonly limits: WriteLimits;
  readonly stats: PacerStats = { writes: 0, reads: 0, waitedMs: 0, pushedBack: 0 };
  private readonly key: string;
  private readonly store: BudgetPacerOptions['store'];
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly writeGate: FifoGate;
  private readonly readGate: FifoGate;
  /** `retry-after` heard in this process, honoured before the store has it. */
  private localHold = 0;
  private pending: Promise<void> = Promise.resolve();
  /**
   * This process's reservations take turns: writers let through the gate together would all wake for the same slot,
   * and all but one would lose the compare-and-set and read the shared state again (8 reads and parses per write).
   * Other processes still meet at the store's compare-and-set.
   */
  private reserving: Promise<unknown> = Promise.resolve();

  constructor(opts: BudgetPacerOptions) {
    this.store = opts.store;
    this.key = opts.key ?? 'github:write-budget:default';
    this.limits = {
      perMinute: opts.writesPerMinute ?? GITHUB_WRITE_LIMITS.perMinute,
      perHour: opts.writesPerHour ?? GITHUB_WRITE_LIMITS.perHour,
      timeScale: opts.timeScale ?? 1,
    };
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.writeGate = new FifoGate(Math.max(1, opts.maxConcurrentWrites ?? 4));
    this.readGate = new FifoGate(Math.max(1, opts.maxConcurrentReads ?? 16));
  }

  async acquire(kind: 'write' | 'read'): Promise<() => void> {
    if (kind === 'read') {
      await this.readGate.enter();
      this.stats.reads++;
      return once(() => this.readGate.leave());
    }
    await this.writeGate.enter();
    try {
      const asked = this.now();
      const turn = this.reserving.then(() => this.reserveWrite());
      this.reserving = turn.catch(() => {});
      const id = await turn;
      // the wait for this process's turn is a wait for the budget too
      this.stats.waitedMs += this.now() - asked;
      this.stats.writes++;
      return once(() => {
        this.writeGate.leave();
        this.track(this.finishWrite(id));
      });
    } catch (err) {
      this.writeGate.leave();
      throw err;
    }
  }

  noteRetryAfter(ms: number): void {
    const until = this.now() + Math.max(0, ms);
    this.localHold = Math.max(this.localHold, until);
    this.stats.pushedBack++;
    const slowFor = Math.max(0, ms) + windows(this.limits).minute;
    this.track(
      this.update((s) => ({
        ...s,
        holdUntil: Math.max(s.holdUntil, until),
        slowUntil: Math.max(s.slowUntil, this.now() + slowFor),
      })),
    );
  }

  /** The shared state now (for progress output and tests). */
  async snapshot(): Promise<BudgetState> {
    await this.pending;
    return ((await this.store.kvGet(this.key))?.value as BudgetState | undefined) ?? EMPTY;
  }

  /** Wait for state writes started by `noteRetryAfter` and finished writes. */
  async flush(): Promise<void> {
    await this.pending;
  }

  private track(p: Promise<unknown>): void {
    this.pending = this.pending.then(
      () => p.then(() => undefined),
      () => p.then(() => undefined),
    );
    p.catch(() => {});
  }

  private async reserveWrite(): Promise<string> {
    const id = randomUUID();
    for (;;) {
      const entry = await this.store.kvGet(this.key);
      const state = (entry?.value as BudgetState | undefined) ?? EMPTY;
      const now = this.now();
      const slot = nextWriteSlot({
        now,
        marks: state.marks,
        limits: this.limits,
        holdUntil: Math.max(state.holdUntil, this.localHold),
        slowdown: state.slowUntil > now ? 2 : 1,
      });
      if (slot.at <= now) {
        const next: BudgetState = {
          ...state,
          marks: [...pruneMarks(state.marks, now, this.limits), { id, s: now, e: -1 }],
        };
        const set = await this.store.kvSet(this.key, next, entry ? entry.version : null);
        if (set.ok) return id;
        continue; // another task took the slot first: look again
      }
      await this.sleep(Math.max(1, Math.min(slot.at - now, 1000)));
    }
  }

  private finishWrite(id: string): Promise<void> {
    const end = this.now();
    return this.update((s) => ({
      ...s,
      marks: s.marks.map((m) => (m.id === id ? { ...m, e: Math.max(end, m.s) } : m)),
    }));
  }

  private async update(change: (s: BudgetState) => BudgetState): Promise<void> {
    for (;;) {
      const entry = await this.store.kvGet(this.key);
      const state = (entry?.value as BudgetState | undefined) ?? EMPTY;
      const set = await this.store.kvSet(this.key, change(state), entry ? entry.version : null);
      if (set.ok) return;
    }
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
