// The durable workflow engine: claims tasks, runs the step their data asks for, persists after every step.

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { CutterError, isCutterError } from '../core/errors.js';
import { redact, redactValue } from '../core/redact.js';
import type { LogMessage, NextState, StepLogEntry, Store, TaskError, TaskRecord } from '../store/types.js';
import { applyPatch, frozenCopy, type JsonObject, sameJson } from './patch.js';
import { projectShape } from './shape.js';
import { backoffDelay, DEFAULT_RETRY, isTransient } from './transient.js';
import type { EngineEvents, Flow, NewTask, RetryPolicy, Step, StepContext, StepOutcome } from './types.js';

export interface EngineOptions<D> {
  store: Store;
  /** Task kind → flow. */
  flows: Record<string, Flow<D>>;
  /** Services handed to every step as `ctx.deps` (GitHub client, notifiers…). */
  deps: D;
  /** Tasks run at once by this engine (different keys only). Default 4. */
  concurrency?: number;
  /** How often an idle worker looks for work; also the default re-check of a `wait` without timing. Default 250 ms. */
  pollMs?: number;
  /** Default re-check delay of a `wait` that gives neither `until` nor `pollMs`. Default 30 s. */
  waitPollMs?: number;
  /** Lease length; renewed every third of it while a task runs. Default 30 s. */
  leaseMs?: number;
  workerId?: string;
  clock?: () => Date;
  /** Delay before attempt `attempt + 1` of a step that failed transiently (default: exponential with jitter). */
  backoff?: (attempt: number, err: unknown, policy: Required<RetryPolicy>) => number;
  /** Default retry policy; a step's own `retry` overrides it field by field. */
  retry?: RetryPolicy;
  /** Default step timeout. Default 5 min. */
  stepTimeoutMs?: number;
  /** A task that runs more steps than this fails (catches two steps feeding each other forever). Default 1000. */
  maxStepsPerTask?: number;
}

type Listener<K extends keyof EngineEvents> = (event: EngineEvents[K]) => void;

/** Strings longer than this are cut in step log inputs and patches, so one huge payload cannot bloat the log. */
const MAX_LOGGED_STRING = 2000;

function summarise(value: unknown): unknown {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string')
      return v.length > MAX_LOGGED_STRING ? `${v.slice(0, MAX_LOGGED_STRING)}… (${v.length} chars)` : v;
    if (Array.isArray(v)) return v.length > 50 ? [...v.slice(0, 50).map(walk), `… (${v.length} items)`] : v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    return v;
  };
  return walk(redactValue(value));
}

/** Any thrown value as the recorded error: a code, a redacted one-line message, a hint, transient or not. */
export function describeError(err: unknown, transient: boolean): TaskError {
  if (isCutterError(err)) {
    return {
      code: err.code,
      message: redact(err.message),
      ...(err.hint ? { hint: redact(err.hint) } : {}),
      transient,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  const status = err && typeof err === 'object' && 'status' in err ? ` (HTTP ${String(err.status)})` : '';
  return {
    code: transient ? 'CUTTER_TRANSIENT' : 'CUTTER_INTERNAL',
    message: redact(`${message}${status}`),
    transient,
  };
}

interface Running {
  leaseId: string;
  controller: AbortController;
  done: Promise<void>;
}

export class Engine<D = unknown> {
  readonly workerId: string;
  private readonly store: Store;
  private readonly flows: Record<string, Flow<D>>;
  private readonly deps: D;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly waitPollMs: number;
  private readonly leaseMs: number;
  private readonly clock: () => Date;
  private readonly backoff: NonNullable<EngineOptions<D>['backoff']>;
  private readonly retryPolicy: Required<RetryPolicy>;
  private readonly stepTimeoutMs: number;
  private readonly maxStepsPerTask: number;
  private readonly kinds: string[];
  private readonly emitter = new EventEmitter();
  private readonly running = new Map<string, Running>();
  private started = false;
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private sleeper: (() => void) | null = null;
  private leasesReleased = false;

  constructor(options: EngineOptions<D>) {
    this.store = options.store;
    this.flows = options.flows;
    this.deps = options.deps;
    this.concurrency = Math.max(1, Math.trunc(options.concurrency ?? 4));
    this.pollMs = Math.max(1, options.pollMs ?? 250);
    this.waitPollMs = Math.max(1, options.waitPollMs ?? 30_000);
    this.leaseMs = Math.max(50, options.leaseMs ?? 30_000);
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.clock = options.clock ?? (() => new Date());
    this.retryPolicy = { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) };
    this.backoff =
      options.backoff ?? ((attempt, err, policy) => backoffDelay(attempt, err, policy, Math.random, this.clock()));
    this.stepTimeoutMs = options.stepTimeoutMs ?? 5 * 60_000;
    this.maxStepsPerTask = options.maxStepsPerTask ?? 1000;
    this.kinds = Object.keys(this.flows);
    if (this.kinds.length === 0) throw new CutterError('CUTTER_BAD_INPUT', 'an engine needs at least one flow');
    this.emitter.setMaxListeners(100);
  }

  /** The task kinds this engine runs (the keys of its flows). */
  flowKinds(): string[] {
    return [...this.kinds];
  }

  on<K extends keyof EngineEvents>(event: K, listener: Listener<K>): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  private emit<K extends keyof EngineEvents>(event: K, payload: EngineEvents[K]): void {
    try {
      this.emitter.emit(event, payload);
    } catch {
      // A dashboard listener that throws must not break a release.
    }
  }

  /** Durably store a new task (or find it by dedupe key) and wake the worker loop. */
  async enqueue(task: NewTask): Promise<TaskRecord> {
    if (!this.flows[task.kind]) {
      throw new CutterError('CUTTER_BAD_INPUT', `no flow for task kind "${task.kind}"`, {
        hint: `known kinds: ${this.kinds.join(', ')}`,
      });
    }
    const { task: record, created } = await this.store.createTask(task, this.clock());
    if (created) this.emit('task', record);
    this.wake();
    return record;
  }

  /** Re-run a failed (or cancelled) task from its recorded step, with its data kept. */
  async retry(taskId: string, actor = 'cli'): Promise<TaskRecord> {
    const record = await this.store.retryTask(taskId, actor, this.clock());
    this.emit('task', record);
    this.wake();
    return record;
  }

  /** Cancel an unfinished task and its unfinished children; a step in flight here is aborted and its result dropped. */
  async cancel(taskId: string, actor = 'cli'): Promise<TaskRecord> {
    const record = await this.store.cancelTask(taskId, actor, this.clock());
    this.cancelled(taskId);
    this.emit('task', record);
    return record;
  }

  /** A task was cancelled through another handle on the store (another thread): abort its step in flight here. */
  cancelled(taskId: string): void {
    this.running.get(taskId)?.controller.abort(new CutterError('CUTTER_REFUSED', `task ${taskId} was cancelled`));
  }

  /** Run the worker loop in the background until `stop()`. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.startHeartbeat();
    this.loopDone = this.loop().catch((error: unknown) => this.emit('problem', { error }));
  }

  /**
   * Graceful stop: no new claims; steps in flight finish and are persisted, then their tasks are handed back
   * (queued) for the next worker. `abort: true` also aborts the steps' signals.
   */
  async stop(options: { abort?: boolean } = {}): Promise<void> {
    this.stopping = true;
    if (options.abort) {
      for (const r of this.running.values())
        r.controller.abort(new CutterError('CUTTER_TRANSIENT', 'engine stopping', { transient: true }));
    }
    this.wake();
    await this.loopDone;
    await Promise.all([...this.running.values()].map((r) => r.done));
    this.stopHeartbeat();
    this.started = false;
    this.loopDone = null;
  }

  /**
   * For tests and the CLI (instead of `start()`): work until nothing is left that could become runnable —
   * queued tasks, retries in backoff and timed waits included; resolves when the store has no such task.
   */
  async runUntilIdle(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.started) throw new CutterError('CUTTER_REFUSED', 'runUntilIdle() cannot run while start() is active');
    const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
    this.stopping = false;
    this.startHeartbeat();
    try {
      await this.releaseOwnLeases();
      for (;;) {
        await this.fill();
        if (this.running.size > 0) {
          // Also wake on the poll interval: a retry coming due must not wait for a long step of another task.
          await Promise.race([...[...this.running.values()].map((r) => r.done), this.sleep(this.pollMs)]);
          continue;
        }
        const due = await this.store.nextDueAt(this.kinds);
        if (due === null) return;
        if (Date.now() > deadline) {
          throw new CutterError('CUTTER_STEP_TIMEOUT', `work still pending after ${options.timeoutMs} ms`, {
            hint: 'list unfinished tasks with `cutter tasks --status queued,running,waiting`',
            transient: true,
          });
        }
        const wait = Math.min(this.pollMs, Math.max(1, due.getTime() - this.clock().getTime()));
        await this.sleep(wait);
      }
    } finally {
      this.stopHeartbeat();
    }
  }

  private async releaseOwnLeases(): Promise<void> {
    if (this.leasesReleased) return;
    this.leasesReleased = true;
    // A restarted worker with a fixed id takes its own orphaned tasks back at once instead of waiting for expiry.
    await this.store.releaseLeases(this.workerId, this.clock());
  }

  private async loop(): Promise<void> {
    await this.releaseOwnLeases();
    while (!this.stopping) {
      try {
        await this.fill();
      } catch (error) {
        this.emit('problem', { error });
      }
      if (this.stopping) break;
      await this.sleep(this.pollMs);
    }
  }

  /** Claim tasks until the concurrency is used up or nothing is claimable. */
  private async fill(): Promise<void> {
    while (!this.stopping && this.running.size < this.concurrency) {
      const task = await this.store.claimTask({
        workerId: this.workerId,
        now: this.clock(),
        leaseMs: this.leaseMs,
        kinds: this.kinds,
      });
      if (!task) return;
      this.launch(task);
    }
  }

  private launch(task: TaskRecord): void {
    // We lost this task's lease (the event loop stalled past it) and won it back: the old run is fenced out.
    this.running
      .get(task.id)
      ?.controller.abort(new CutterError('CUTTER_TRANSIENT', `lost the lease on task ${task.id}`, { transient: true }));
    const controller = new AbortController();
    const entry: Running = { leaseId: task.leaseId ?? '', controller, done: Promise.resolve() };
    entry.done = this.runTask(task, controller)
      .catch((error: unknown) => this.emit('problem', { error, taskId: task.id }))
      .finally(() => {
        if (this.running.get(task.id) === entry) this.running.delete(task.id);
        this.wake();
      });
    this.running.set(task.id, entry);
    this.emit('task', task);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.sleeper = done;
    });
  }

  /**
   * Look for work now instead of at the next poll: another thread or process stored a task in the same store
   * (the webhook receiver wakes its engine worker this way).
   */
  wake(): void {
    const sleeper = this.sleeper;
    this.sleeper = null;
    sleeper?.();
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(
      () => {
        void this.renew();
      },
      Math.max(10, Math.floor(this.leaseMs / 3)),
    );
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private async renew(): Promise<void> {
    const leases = [...this.running.entries()].map(([taskId, r]) => ({ taskId, leaseId: r.leaseId }));
    const ids = leases.map((l) => l.taskId);
    if (ids.length === 0) return;
    try {
      const held = new Set(await this.store.renewLeases(leases, new Date(this.clock().getTime() + this.leaseMs)));
      for (const id of ids) {
        if (!held.has(id)) {
          this.running
            .get(id)
            ?.controller.abort(
              new CutterError('CUTTER_TRANSIENT', `lost the lease on task ${id}`, { transient: true }),
            );
        }
      }
    } catch (error) {
      this.emit('problem', { error });
    }
  }

  /** Run one claimed task step after step until it waits, finishes, fails, or the engine stops. */
  private async runTask(claimed: TaskRecord, controller: AbortController): Promise<void> {
    let task = claimed;
    const flow = this.flows[task.kind];
    if (!flow) return; // claimTask only hands out our kinds
    for (;;) {
      if (this.stopping) {
        await this.store.releaseTask({ taskId: task.id, leaseId: claimed.leaseId ?? '' }, this.clock());
        return;
      }
      const step = flow.select(task.data);
      if (!step) {
        const seen = (task.data['children'] as { pending?: number } | undefined)?.pending ?? null;
        const next: NextState = { status: 'settle', seenPending: seen };
        const settled = await this.commit(task, { data: task.data, next, step: task.step, attempt: 1, error: null });
        if (settled) this.emit('task', settled);
        return;
      }
      if (task.stepsRun >= this.maxStepsPerTask) {
        const error = new CutterError('CUTTER_NO_PROGRESS', `task ran ${task.stepsRun} steps without finishing`, {
          hint: 'two steps of the flow keep feeding each other; check their shapes and patches',
        });
        const failed = await this.commit(task, {
          data: task.data,
          next: { status: 'failed' },
          step: step.name,
          attempt: task.attempt,
          error: describeError(error, false),
        });
        if (failed) this.emit('task', failed);
        return;
      }
      const after = await this.runStep(task, flow, step, controller);
      if (!after) return; // lease lost or task cancelled: another owner decides now
      task = after;
      if (task.status !== 'running') return;
    }
  }

  private async commit(
    task: TaskRecord,
    change: { data: JsonObject; next: NextState; step: string | null; attempt: number; error: TaskError | null },
    extra: { log?: StepLogEntry; children?: NewTask[]; stepsRun?: number } = {},
  ): Promise<TaskRecord | null> {
    const now = this.clock();
    return this.store.commitStep({
      taskId: task.id,
      leaseId: task.leaseId ?? '',
      now,
      data: change.data,
      next: change.next,
      step: change.step,
      attempt: change.attempt,
      stepsRun: extra.stepsRun ?? task.stepsRun,
      error: change.error,
      leaseUntil: new Date(now.getTime() + this.leaseMs),
      ...(extra.log ? { log: extra.log } : {}),
      ...(extra.children ? { children: extra.children } : {}),
    });
  }

  private async runStep(
    task: TaskRecord,
    flow: Flow<D>,
    step: Step<D>,
    taskController: AbortController,
  ): Promise<TaskRecord | null> {
    const messages: LogMessage[] = [];
    const controller = new AbortController();
    const onTaskAbort = () => controller.abort(taskController.signal.reason);
    taskController.signal.addEventListener('abort', onTaskAbort, { once: true });
    const timeoutMs = step.timeoutMs ?? this.stepTimeoutMs;
    const ctx: StepContext<D> = {
      taskId: task.id,
      kind: task.kind,
      key: task.key,
      data: frozenCopy(task.data),
      log: (message, fields) => {
        const line: LogMessage = { at: this.clock().toISOString(), message: redact(message) };
        if (fields) line.fields = redactValue(fields);
        messages.push(line);
        this.emit('log', {
          taskId: task.id,
          step: step.name,
          message: line.message,
          ...(line.fields ? { fields: line.fields } : {}),
        });
      },
      signal: controller.signal,
      now: this.clock,
      deps: this.deps,
      attempt: task.attempt,
      maxAttempts: this.policyOf(step).maxAttempts,
      listChildren: async () => (await this.store.listTasks({ parentId: task.id, limit: 500 })).tasks,
    };
    const startedAt = this.clock();
    const t0 = performance.now();
    let outcome: StepOutcome | undefined;
    let failure: unknown;
    let timer: NodeJS.Timeout | undefined;
    try {
      const aborted = new Promise<never>((_, reject) => {
        const fail = () => reject(controller.signal.reason);
        if (controller.signal.aborted) fail();
        controller.signal.addEventListener('abort', fail, { once: true });
      });
      timer = setTimeout(
        () =>
          controller.abort(
            new CutterError('CUTTER_STEP_TIMEOUT', `step "${step.name}" took longer than ${timeoutMs} ms`, {
              transient: true,
            }),
          ),
        timeoutMs,
      );
      outcome = checkOutcome(step.name, await Promise.race([step.run(ctx), aborted]));
    } catch (err) {
      failure = err ?? new Error('step threw a nullish value');
    } finally {
      clearTimeout(timer);
      taskController.signal.removeEventListener('abort', onTaskAbort);
    }
    const durationMs = Math.round((performance.now() - t0) * 100) / 100;
    if (taskController.signal.aborted && !this.stopping) return null; // cancelled or lease lost: drop the result

    const baseEntry = {
      taskId: task.id,
      step: step.name,
      startedAt: startedAt.toISOString(),
      durationMs,
      attempt: task.attempt,
      workerId: this.workerId,
      input: summarise(projectShape(task.data, step.when)),
      messages,
    };
    const stepsRun = task.stepsRun + 1;

    if (failure !== undefined || !outcome) {
      const policy = this.policyOf(step);
      const transient = isTransient(failure);
      const error = describeError(failure, transient);
      const retrying = transient && task.attempt < policy.maxAttempts;
      const next: NextState = retrying
        ? { status: 'queued', runAfter: new Date(this.clock().getTime() + this.backoff(task.attempt, failure, policy)) }
        : { status: 'failed' };
      const entry: StepLogEntry = { ...baseEntry, patch: null, outcome: retrying ? 'retry' : 'error', error };
      const saved = await this.commit(
        task,
        { data: task.data, next, step: step.name, attempt: retrying ? task.attempt + 1 : task.attempt, error },
        { log: entry, stepsRun },
      );
      if (saved) this.announce(saved, entry);
      return saved;
    }

    const { children: _reserved, ...patch } = outcome.patch ?? {};
    let data = applyPatch(task.data, patch);
    let children: NewTask[] | undefined;
    if (outcome.children) {
      children = outcome.children.map((c) => ({
        kind: c.kind,
        key: c.key,
        data: c.data ?? {},
        ...(c.dedupeKey ? { dedupeKey: c.dedupeKey } : {}),
      }));
      const counts = (task.data['children'] as Record<string, number> | undefined) ?? {};
      const n = children.length;
      data = {
        ...data,
        children: {
          total: (counts['total'] ?? 0) + n,
          pending: (counts['pending'] ?? 0) + n,
          done: counts['done'] ?? 0,
          failed: counts['failed'] ?? 0,
          cancelled: counts['cancelled'] ?? 0,
        },
      };
    }

    let next: NextState;
    let error: TaskError | null = null;
    let kind: StepLogEntry['outcome'] = children ? 'children' : 'patch';
    if (outcome.fail !== undefined) {
      error = describeError(outcome.fail, false);
      next = { status: 'failed' };
      kind = 'error';
    } else if (outcome.complete) {
      next = { status: 'done' };
      kind = 'complete';
    } else if (outcome.wait) {
      const now = this.clock().getTime();
      const until = outcome.wait.until ? Date.parse(outcome.wait.until) : Number.NaN;
      const runAfter = Number.isFinite(until) ? until : now + (outcome.wait.pollMs ?? this.waitPollMs);
      next = { status: 'waiting', reason: redact(outcome.wait.reason), runAfter: new Date(runAfter) };
      kind = 'wait';
    } else {
      const following = flow.select(data);
      if (following === step && sameJson(data, task.data) && !children) {
        const stuck = new CutterError('CUTTER_NO_PROGRESS', `step "${step.name}" made no progress`, {
          hint: 'it returned without changing the data, so its shape still matches; patch the data, wait or complete',
        });
        error = describeError(stuck, false);
        next = { status: 'failed' };
        kind = 'error';
      } else if (following) {
        next = { status: 'running' };
      } else {
        next = {
          status: 'settle',
          seenPending: (data['children'] as { pending?: number } | undefined)?.pending ?? null,
        };
      }
    }
    const entry: StepLogEntry = {
      ...baseEntry,
      patch: summarise(children ? { ...patch, children: children.map((c) => ({ kind: c.kind, key: c.key })) } : patch),
      outcome: kind,
      error,
    };
    const saved = await this.commit(
      task,
      { data, next, step: step.name, attempt: 1, error },
      { log: entry, stepsRun, ...(children ? { children } : {}) },
    );
    if (saved) {
      this.announce(saved, entry);
      if (children?.length) this.wake();
    }
    return saved;
  }

  /** The step's retry policy over the engine's. */
  private policyOf(step: Step<D>): Required<RetryPolicy> {
    return { ...this.retryPolicy, ...definedOnly(step.retry ?? {}) };
  }

  private announce(task: TaskRecord, entry: StepLogEntry): void {
    this.emit('step', { taskId: task.id, kind: task.kind, key: task.key, entry, task });
    if (task.status !== 'running') this.emit('task', task);
  }
}

/** A step's return value must be an outcome; a malformed one is a bug in the step (permanent failure). */
function checkOutcome(stepName: string, outcome: unknown): StepOutcome {
  const bad = (why: string) =>
    new CutterError('CUTTER_INTERNAL', `step "${stepName}" returned an invalid outcome: ${why}`, {
      hint: 'return {} or { patch: {...} }, { wait: {...} }, { complete: true }, { children: [...] }',
    });
  if (outcome === null || typeof outcome !== 'object' || Array.isArray(outcome))
    throw bad(JSON.stringify(outcome) ?? 'nothing');
  const o = outcome as StepOutcome;
  if (o.patch !== undefined && (o.patch === null || typeof o.patch !== 'object' || Array.isArray(o.patch))) {
    throw bad('patch must be an object');
  }
  if (o.wait !== undefined && (typeof o.wait !== 'object' || o.wait === null || typeof o.wait.reason !== 'string')) {
    throw bad('wait needs a reason');
  }
  if (o.fail !== undefined && (o.fail === null || o.wait !== undefined || o.complete || o.children !== undefined)) {
    throw bad('fail is an error and goes with a patch only');
  }
  if (o.children !== undefined) {
    if (!Array.isArray(o.children)) throw bad('children must be an array');
    for (const child of o.children) {
      if (!child || typeof child.kind !== 'string' || !child.kind || typeof child.key !== 'string' || !child.key) {
        throw bad('every child needs a kind and a key');
      }
    }
  }
  return o;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
