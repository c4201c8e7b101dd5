// The persistence contract every store (embedded SQLite today, Postgres later) implements; all methods async.

export type JsonObject = Record<string, unknown>;

/**
 * queued: runnable at `runAfter`; running: leased by a worker; waiting: parked until `runAfter` (a timed wait)
 * or, with no `runAfter`, until its children are finished; done/failed/cancelled: terminal.
 */
export type TaskStatus = 'queued' | 'running' | 'waiting' | 'done' | 'failed' | 'cancelled';

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['done', 'failed', 'cancelled'];

export interface TaskError {
  code: string;
  message: string;
  hint?: string;
  transient: boolean;
}

/** Fan-out counters of a parent task; also visible to steps as `data.children`. */
export interface ChildCounts {
  total: number;
  pending: number;
  done: number;
  failed: number;
  cancelled: number;
}

export interface TaskRecord {
  id: string;
  /** Creation order; per-key serialization runs the tasks of one key in this order. */
  seq: number;
  kind: string;
  /** Serialization key, e.g. `owner/repo`: two tasks with the same key never run at once. */
  key: string;
  status: TaskStatus;
  /** The task's JSON data; `children` holds the fan-out counters once the task has fanned out. */
  data: JsonObject;
  parentId: string | null;
  dedupeKey: string | null;
  /** The step last run (the failed step when `status` is failed). */
  step: string | null;
  /** Attempt number of the next run of the current step (1 after a success). */
  attempt: number;
  stepsRun: number;
  error: TaskError | null;
  waitReason: string | null;
  runAfter: string | null;
  lockedBy: string | null;
  lockedUntil: string | null;
  /** Fencing token of the current claim: only its holder may write the task's next step. */
  leaseId: string | null;
  children: ChildCounts | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface NewTask {
  kind: string;
  key: string;
  data?: JsonObject;
  parentId?: string;
  /** A second task with the same dedupe key is not created; the existing one is returned. */
  dedupeKey?: string;
  runAfter?: Date;
}

export interface TaskFilter {
  kind?: string;
  status?: TaskStatus | TaskStatus[];
  key?: string;
  parentId?: string;
  /** Default 50, at most 500. */
  limit?: number;
  /** `nextCursor` of the previous page (newest first). */
  cursor?: string;
}

export interface TaskPage {
  tasks: TaskRecord[];
  nextCursor: string | null;
}

export interface LogMessage {
  at: string;
  message: string;
  fields?: JsonObject;
}

export type StepOutcomeKind = 'patch' | 'complete' | 'wait' | 'children' | 'retry' | 'error';

/** One line of a task's history: written in the same transaction as the data it produced. */
export interface StepLogEntry {
  id?: number;
  taskId: string;
  step: string;
  startedAt: string;
  durationMs: number;
  attempt: number;
  workerId: string;
  /** The part of the data the step's shape reads, redacted and truncated. */
  input: unknown;
  /** What the step added, redacted. */
  patch: unknown;
  outcome: StepOutcomeKind;
  error: TaskError | null;
  messages: LogMessage[];
}

/** Where a task goes after a step (or after finding no step to run). */
export type NextState =
  | { status: 'running' }
  | { status: 'queued'; runAfter: Date }
  | { status: 'waiting'; reason: string; runAfter: Date }
  | { status: 'done' }
  | { status: 'failed' }
  /**
   * No step matches: the store decides in the same transaction, against its own child counters, whether the
   * task waits for children, must be looked at again (a child finished meanwhile), or is done.
   */
  | { status: 'settle'; seenPending: number | null };

export interface StepCommit {
  taskId: string;
  /** Fencing: nothing is written unless this claim (the `leaseId` claimTask returned) still holds the task. */
  leaseId: string;
  now: Date;
  /** The full new data (`children` is owned by the store and ignored here). */
  data: JsonObject;
  next: NextState;
  step: string | null;
  attempt: number;
  stepsRun: number;
  error: TaskError | null;
  /** New lease end when the task keeps running. */
  leaseUntil: Date;
  log?: StepLogEntry;
  /** Fan-out: child tasks created atomically with this step (their parentId is set to taskId). */
  children?: NewTask[];
}

export interface LeaseRef {
  taskId: string;
  leaseId: string;
}

export interface ClaimOptions {
  workerId: string;
  now: Date;
  leaseMs: number;
  /** Only claim tasks of these kinds (the flows this engine knows). */
  kinds?: string[];
  /** Only claim this task, if it is runnable and its key is free (a queue worker running one task's job). */
  taskId?: string;
}

export interface Delivery {
  id: string;
  event: string;
  payload: unknown;
  /** The payload's JSON text as received: stored as is when given, so the hot path never serializes it again. */
  payloadJson?: string;
  receivedAt: Date;
}

export interface DeliveryRecord {
  id: string;
  event: string;
  payload: unknown;
  receivedAt: string;
  taskId: string | null;
}

export interface IngestResult {
  duplicate: boolean;
  taskId?: string;
}

export interface AuditEntry {
  id?: number;
  at: string;
  actor: string;
  action: string;
  target?: string | null;
  details?: JsonObject | null;
}

export interface KvEntry {
  value: unknown;
  version: number;
  updatedAt: string;
}

export interface Store {
  /** Creates a task, or returns the existing one when `dedupeKey` was seen before (`created: false`). */
  createTask(task: NewTask, now?: Date): Promise<{ task: TaskRecord; created: boolean }>;
  getTask(id: string): Promise<TaskRecord | null>;
  listTasks(filter?: TaskFilter): Promise<TaskPage>;
  /**
   * Leases the oldest runnable task whose key is free: no other task with that key holds a live lease and no
   * older unfinished task with that key exists (its parent excepted). Expired leases of dead workers are taken over.
   */
  claimTask(options: ClaimOptions): Promise<TaskRecord | null>;
  /** Extends the leases still held; returns the task ids whose lease is still held. */
  renewLeases(leases: LeaseRef[], until: Date): Promise<string[]>;
  /** Gives a leased task back (queued, runnable at `runAfter`), e.g. on graceful stop. */
  releaseTask(lease: LeaseRef, runAfter: Date): Promise<boolean>;
  /** Expires every lease held by a worker id (a restarted worker reclaiming its own tasks at once). */
  releaseLeases(workerId: string, now?: Date): Promise<number>;
  /** One transaction: new data + status + step log entry + children + parent counters; null if the lease was lost. */
  commitStep(commit: StepCommit): Promise<TaskRecord | null>;
  /** failed/cancelled → queued from the recorded step, data kept; audited. */
  retryTask(taskId: string, actor: string, now?: Date): Promise<TaskRecord>;
  /**
   * Ends the timed waits of these tasks now (a lifted freeze): each one `waiting` with a later `runAfter` becomes
   * due at `now`, and its steps decide anew. Others are left alone. Returns how many were woken.
   */
  wakeTasks(taskIds: readonly string[], now?: Date): Promise<number>;
  /** Any unfinished task (and its unfinished descendants) → cancelled; audited. */
  cancelTask(taskId: string, actor: string, now?: Date): Promise<TaskRecord>;
  /** Earliest time any unfinished task becomes runnable (lease expiry for running ones); null when none will. */
  nextDueAt(kinds?: string[]): Promise<Date | null>;

  appendStepLog(entry: StepLogEntry): Promise<number>;
  listStepLog(taskId: string): Promise<StepLogEntry[]>;

  /** Dedupe by delivery id and create its task in the same transaction: durably stored before the 202. */
  ingestDelivery(delivery: Delivery, enqueue?: NewTask): Promise<IngestResult>;
  getDelivery(id: string): Promise<DeliveryRecord | null>;

  appendAudit(entry: Omit<AuditEntry, 'id' | 'at'> & { at?: string }): Promise<number>;
  listAudit(filter?: { target?: string; limit?: number }): Promise<AuditEntry[]>;

  kvGet(key: string): Promise<KvEntry | null>;
  /**
   * Compare-and-set: `expectedVersion` undefined = unconditional, null = only if absent, a number = only if the
   * stored version is that. Returns whether it was written and the version now stored.
   */
  kvSet(key: string, value: unknown, expectedVersion?: number | null): Promise<{ ok: boolean; version: number }>;

  childCounts(parentId: string): Promise<ChildCounts>;
  close(): Promise<void>;
}
