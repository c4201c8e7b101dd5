// A Cutter worker on the Postgres job queue: graphile-worker hands out one job per runnable task, the engine runs it.

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { Logger, type Runner, run, type TaskList, type WorkerEvents } from 'graphile-worker';
import { z } from 'zod';
import { CutterError } from '../core/errors.js';
import { type PostgresStore, TASK_JOB } from '../store/postgres-store.js';
import type { ClaimOptions, Store, TaskRecord } from '../store/types.js';
import { Engine, type EngineOptions } from '../workflow/engine.js';
import type { EngineEvents } from '../workflow/types.js';

export interface QueueWorkerOptions<D> extends Omit<EngineOptions<D>, 'store' | 'concurrency' | 'pollMs'> {
  store: PostgresStore;
  /** Jobs (tasks of different repositories) this process runs at once. Default 4. */
  concurrency?: number;
  /** How often graphile-worker looks for jobs that came due (new jobs arrive by LISTEN/NOTIFY at once). */
  pollMs?: number;
  /**
   * How often this worker says it is alive and looks for jobs of dead workers to take over. Default: a third of the
   * lease. A worker silent for a lease (and at least three sweeps) counts as dead.
   */
  sweepMs?: number;
  /** A job found its repository busy (another task of the key runs or is older): look again this much later. */
  busyRetryMs?: number;
}

const jobPayload = z.object({ taskId: z.string().min(1) });

/**
 * The engine sees a view of the store holding this one task: it claims the job's task and nothing else, and its
 * idle check ends when that task stops running. Leases of other jobs of this process are not its to release.
 */
function oneTaskView(store: Store, taskId: string): { view: Store; claimed: () => TaskRecord | null } {
  let tried = false;
  let claimed: TaskRecord | null = null;
  const view = Object.create(store) as Store;
  view.claimTask = async (options: ClaimOptions) => {
    if (tried) return null;
    tried = true;
    claimed = await store.claimTask({ ...options, taskId });
    return claimed;
  };
  view.nextDueAt = async () => null;
  view.releaseLeases = async () => 0;
  return { view, claimed: () => claimed };
}

export class QueueWorker<D = unknown> {
  readonly workerId: string;
  private readonly options: QueueWorkerOptions<D>;
  private readonly emitter = new EventEmitter();
  private runner: Runner | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private readonly leaseMs: number;
  /** graphile-worker's ids of this process's job slots, kept alive by the heartbeat. */
  private readonly slots = new Set<string>();
  /** The engine of each job in flight, by task id: a cancel through this process aborts its step at once. */
  private readonly engines = new Map<string, Engine<D>>();

  constructor(options: QueueWorkerOptions<D>) {
    this.options = options;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = Math.max(50, options.leaseMs ?? 30_000);
    if (Object.keys(options.flows).length === 0) {
      throw new CutterError('CUTTER_BAD_INPUT', 'a queue worker needs at least one flow');
    }
    this.emitter.setMaxListeners(100);
  }

  on<K extends keyof EngineEvents>(event: K, listener: (payload: EngineEvents[K]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** Starts taking jobs. A restarted worker with a fixed id first hands its own orphaned tasks back. */
  async start(): Promise<void> {
    if (this.runner) return;
    const { store } = this.options;
    await store.releaseLeases(this.workerId, new Date());
    const taskList: TaskList = { [TASK_JOB]: async (payload) => this.runJob(jobPayload.parse(payload).taskId) };
    const events = new EventEmitter() as WorkerEvents;
    events.on('worker:create', ({ worker }) => {
      this.slots.add(worker.workerId);
      void this.options.store.heartbeat([worker.workerId]).catch((error: unknown) => this.emit('problem', { error }));
    });
    events.on('worker:stop', ({ worker }) => {
      this.slots.delete(worker.workerId);
    });
    this.runner = await run({
      events,
      pgPool: store.pool,
      concurrency: Math.max(1, Math.trunc(this.options.concurrency ?? 4)),
      pollInterval: Math.max(10, this.options.pollMs ?? 1000),
      noHandleSignals: true,
      taskList,
      logger: new Logger(() => (level, message) => {
        if (level === 'error') this.emit('problem', { error: new Error(`graphile-worker: ${message}`) });
      }),
    });
    const sweepMs = Math.max(20, this.options.sweepMs ?? Math.floor(this.leaseMs / 3));
    this.sweeper = setInterval(() => void this.sweep(), sweepMs);
    this.sweeper.unref();
  }

  /** Graceful stop: no new jobs; jobs in flight finish their current step and are persisted. */
  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    const runner = this.runner;
    this.runner = null;
    await runner?.stop();
  }

  /** Say this worker is alive, and take over the jobs of dead workers now (also runs every `sweepMs`). */
  async sweep(): Promise<void> {
    try {
      await this.options.store.heartbeat([...this.slots]);
      const sweepMs = this.options.sweepMs ?? Math.floor(this.leaseMs / 3);
      await this.options.store.recoverJobs(this.now(), Math.max(this.leaseMs, 3 * sweepMs));
    } catch (error) {
      this.emit('problem', { error });
    }
  }

  /** A task was cancelled in the store: abort its step if it runs here (elsewhere, its lease is simply gone). */
  cancelled(taskId: string): void {
    this.engines.get(taskId)?.cancelled(taskId);
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }

  private emit<K extends keyof EngineEvents>(event: K, payload: EngineEvents[K]): void {
    try {
      this.emitter.emit(event, payload);
    } catch {
      // A listener that throws must not fail a job.
    }
  }

  /**
   * One job: run its task until it waits, finishes or fails. Whatever comes next (a retry after backoff, a timed
   * wait, the parent woken by its last child) is a new job the store adds in the step's own transaction. Throwing
   * hands the job back to graphile-worker, which retries it with exponential backoff.
   */
  private async runJob(taskId: string): Promise<void> {
    const { store, busyRetryMs, sweepMs: _sweep, ...engineOptions } = this.options;
    const { view, claimed } = oneTaskView(store, taskId);
    const engine = new Engine<D>({ ...engineOptions, store: view, workerId: this.workerId, concurrency: 1 });
    const forward = (Object.keys({ step: 0, task: 0, log: 0, problem: 0 }) as Array<keyof EngineEvents>).map((e) =>
      engine.on(e, (payload) => this.emit(e, payload as never)),
    );
    this.engines.set(taskId, engine);
    try {
      await engine.runUntilIdle();
    } finally {
      this.engines.delete(taskId);
      for (const off of forward) off();
    }
    if (claimed()) return;
    // Not claimed: finished already (a duplicate job), or its repository is busy / it is not due yet.
    const task = await store.getTask(taskId);
    if (!task || task.status === 'done' || task.status === 'failed' || task.status === 'cancelled') return;
    if (task.status === 'waiting' && task.runAfter === null) return; // waits for its children; they wake it
    const now = this.now().getTime();
    const due = Math.max(
      now + Math.max(10, busyRetryMs ?? 1000),
      task.status === 'running' && task.lockedUntil ? Date.parse(task.lockedUntil) : 0,
      task.runAfter ? Date.parse(task.runAfter) : 0,
    );
    await store.schedule(task, new Date(due));
  }
}
