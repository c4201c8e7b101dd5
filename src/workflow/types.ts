// The vocabulary of a flow: steps with condition shapes, what a step may return, what it is given.

import type { JsonObject, NewTask, StepLogEntry, TaskRecord } from '../store/types.js';
import type { Shape } from './shape.js';

export type { JsonObject } from '../store/types.js';

export interface RetryPolicy {
  /** Runs of one step before a transient error fails the task (default 6). */
  maxAttempts?: number;
  /** First backoff delay; doubled each attempt, with jitter (default 500 ms). */
  baseMs?: number;
  /** Backoff ceiling (default 60 s); a `retryAfterMs` from the server wins over it. */
  maxMs?: number;
}

export interface StepOutcome {
  /** Deep-merged into the data: `null` deletes a key, arrays replace. `children` is reserved (fan-out counters). */
  patch?: JsonObject;
  /** The task is done now, whatever else would match. */
  complete?: boolean;
  /** Park the task; it is looked at again at `until` (ISO) or after `pollMs`, and the shapes decide anew. */
  wait?: { reason: string; until?: string; pollMs?: number };
  /**
   * Fan-out: child tasks created atomically with this step. The parent's data then carries
   * `children: { total, pending, done, failed, cancelled }`; a step with `when: { children: { pending: 0 } }`
   * summarises once they are all finished. Until then, when no step matches, the parent waits for them.
   */
  children?: Array<{ kind: string; key: string; data?: JsonObject; dedupeKey?: string }>;
  /**
   * The task fails with this error (never retried by backoff) after the patch is kept: a step whose failure must
   * leave something behind, e.g. a gate that times out clears its wait clock so a manual retry waits afresh.
   */
  fail?: unknown;
}

export interface StepContext<D = unknown> {
  taskId: string;
  kind: string;
  key: string;
  /** A deep-frozen copy of the task's data. */
  data: Readonly<JsonObject>;
  /** Kept in the step's log entry (redacted) and emitted live. */
  log(message: string, fields?: JsonObject): void;
  /** Aborted on timeout, cancellation, lost lease or `stop({ abort: true })`. */
  signal: AbortSignal;
  now(): Date;
  deps: D;
  /** 1 on the first run of this step, 2 on the first retry… */
  attempt: number;
  /** Runs this step gets (its retry policy over the engine's): a transient error on the last one fails the task. */
  maxAttempts: number;
  /** The child tasks of this task (for a fan-out summary). */
  listChildren(): Promise<TaskRecord[]>;
}

export interface Step<D = unknown> {
  name: string;
  /** The shape the task's data must have for this step to run (ALOMA condition). */
  when: Shape;
  run(ctx: StepContext<D>): Promise<StepOutcome>;
  /** Documentation for readers and the dashboard: steps with side effects must be idempotent (they may re-run). */
  effect?: 'none' | 'idempotent';
  retry?: RetryPolicy;
  timeoutMs?: number;
}

export interface Flow<D = unknown> {
  name: string;
  steps: readonly Step<D>[];
  /** The first step, in table order, whose shape the data matches; null when none does (the task is finished). */
  select(data: unknown): Step<D> | null;
  /** The table as text: one `name  when: shape` line per step. */
  describe(): string;
}

export interface StepEvent {
  taskId: string;
  kind: string;
  key: string;
  entry: StepLogEntry;
  task: TaskRecord;
}

export interface LogEvent {
  taskId: string;
  step: string;
  message: string;
  fields?: JsonObject;
}

export interface EngineEvents {
  step: StepEvent;
  task: TaskRecord;
  log: LogEvent;
  /** Trouble in the engine itself (a store error in the worker loop); tasks are untouched. */
  problem: { error: unknown; taskId?: string };
}

export type { NewTask, TaskRecord };
