// Serve's engine on Postgres: a graphile-worker QueueWorker running serve's flows, seen by the HTTP side and dashboard.

import { EventEmitter } from 'node:events';
import { CutterError } from '../core/errors.js';
import { QueueWorker } from '../queue/graphile-runner.js';
import type { PostgresStore } from '../store/postgres-store.js';
import type { NewTask, TaskRecord } from '../store/types.js';
import type { EngineEvents } from '../workflow/types.js';
import type { DashboardEngine } from './dashboard-engine.js';
import { logTaskOutcomes, type ServeDeps, serveFlows } from './serve-flows.js';
import type { ServerLogger } from './server-logger.js';

export interface QueueEngineSetup {
  env: Record<string, string | undefined>;
  /** Jobs (tasks of different repositories) this process runs at once. */
  concurrency: number;
  /** Lease of a running task; a killed worker's tasks and jobs are taken over after it. */
  leaseMs?: number;
  /** graphile-worker's poll for jobs that came due (new jobs arrive at once by LISTEN/NOTIFY). */
  pollMs?: number;
  /** Unique per process by default: several `cutter serve` on one host and database must not share one. */
  workerId?: string;
}

/**
 * No thread of its own: a step's work happens in jobs graphile-worker hands this process, while the store already
 * wrote each task's job in the transaction that made the task runnable (a webhook's, a retry's, a parent's).
 */
export class QueueEngine implements DashboardEngine {
  readonly workerId: string;
  private readonly worker: QueueWorker<ServeDeps>;
  private readonly store: PostgresStore;
  private readonly kinds: string[];
  /** Tasks this process enqueues, retries or cancels (the worker's own events come from the worker). */
  private readonly emitter = new EventEmitter();

  private constructor(store: PostgresStore, worker: QueueWorker<ServeDeps>, kinds: string[]) {
    this.store = store;
    this.worker = worker;
    this.kinds = kinds;
    this.workerId = worker.workerId;
    this.emitter.setMaxListeners(100);
  }

  static async create(store: PostgresStore, setup: QueueEngineSetup, logger: ServerLogger): Promise<QueueEngine> {
    const { flows, deps } = await serveFlows(store, setup.env, logger);
    const worker = new QueueWorker<ServeDeps>({
      store,
      flows,
      deps,
      concurrency: setup.concurrency,
      ...(setup.pollMs ? { pollMs: setup.pollMs } : {}),
      ...(setup.leaseMs ? { leaseMs: setup.leaseMs } : {}),
      ...(setup.workerId ? { workerId: setup.workerId } : {}),
    });
    logTaskOutcomes(worker, logger);
    return new QueueEngine(store, worker, Object.keys(flows));
  }

  /** Takes jobs; a dead worker's jobs are taken over by the sweep. */
  start(): Promise<void> {
    return this.worker.start();
  }

  /** No new jobs; jobs in flight finish their current step and are persisted. */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** New jobs reach every worker by LISTEN/NOTIFY; there is no loop of ours to wake. */
  wake(): void {}

  on<K extends keyof EngineEvents>(event: K, listener: (payload: EngineEvents[K]) => void): () => void {
    const offWorker = this.worker.on(event, listener);
    this.emitter.on(event, listener);
    return () => {
      offWorker();
      this.emitter.off(event, listener);
    };
  }

  async enqueue(task: NewTask): Promise<TaskRecord> {
    if (!this.kinds.includes(task.kind)) {
      throw new CutterError('CUTTER_BAD_INPUT', `no flow for task kind "${task.kind}"`, {
        hint: `known kinds: ${this.kinds.join(', ')}`,
      });
    }
    const { task: record, created } = await this.store.createTask(task);
    if (created) this.emitter.emit('task', record);
    return record;
  }

  async retry(taskId: string, actor = 'api'): Promise<TaskRecord> {
    const record = await this.store.retryTask(taskId, actor);
    this.emitter.emit('task', record);
    return record;
  }

  async cancel(taskId: string, actor = 'api'): Promise<TaskRecord> {
    const record = await this.store.cancelTask(taskId, actor);
    this.worker.cancelled(taskId);
    this.emitter.emit('task', record);
    return record;
  }
}
