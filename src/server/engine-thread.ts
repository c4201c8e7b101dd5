// The workflow engine in its own worker thread, seen from the HTTP thread: wake it, tell it of cancels, hear its events.

import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { CutterError, type CutterErrorCode } from '../core/errors.js';
import type { NewTask, Store, TaskError, TaskRecord } from '../store/types.js';
import type { EngineEvents } from '../workflow/types.js';
import type { DashboardEngine } from './dashboard-engine.js';
import type { ServerLogger } from './server-logger.js';

/** What the worker needs to build its engine on its own handle of the same SQLite file (plain data only). */
export interface EngineThreadSetup {
  db: string;
  env: Record<string, string | undefined>;
  concurrency: number;
  pollMs: number;
  leaseMs?: number;
  workerId: string;
}

/** Messages from the HTTP thread to the engine thread. */
export type ToEngine =
  | { type: 'wake' }
  | { type: 'cancelled'; taskId: string }
  | { type: 'listen'; events: Array<keyof EngineEvents> }
  | { type: 'stop' };

/** Messages from the engine thread. `problem` carries the recorded error, not the thrown value. */
export type FromEngine =
  | { type: 'ready'; kinds: string[] }
  | { type: 'failed'; error: TaskError }
  | { type: 'event'; name: keyof EngineEvents; payload: unknown }
  | { type: 'log'; lines: Array<{ level: keyof ServerLogger; message: string }> }
  | { type: 'stopped' };

export interface EngineThreadOptions {
  setup: EngineThreadSetup;
  /** The HTTP thread's handle on the store: enqueue, retry and cancel write through it, then wake the engine. */
  store: Store;
  logger: ServerLogger;
}

/** What the worker is started with: its setup and the wake flag it shares with the HTTP thread. */
export interface EngineWorkerData {
  setup: EngineThreadSetup;
  /**
   * One Int32: 1 while a `wake` message is on its way to the worker. The worker clears it before it looks for work,
   * so a task stored while it is 1 is found by that look, and the HTTP thread need not post another message.
   */
  wakeFlag: SharedArrayBuffer;
}

/** Runs from source (tsx) in tests and `node --import tsx`; from dist/ once built. */
function spawnWorker(workerData: EngineWorkerData): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./engine-worker.ts', here).href;
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(boot, { eval: true, workerData });
  }
  return new Worker(new URL('./engine-worker.js', here), { workerData });
}

const toError = (e: TaskError) =>
  new CutterError(e.code as CutterErrorCode, e.message, {
    ...(e.hint ? { hint: e.hint } : {}),
    transient: e.transient,
  });

/**
 * The HTTP thread never runs a step: a step's JSON work, SQLite commits and Octokit calls happen on the engine's
 * own event loop, so a webhook is acknowledged in the time it takes to verify and store it.
 */
export class EngineThread implements DashboardEngine {
  readonly workerId: string;
  private readonly options: EngineThreadOptions;
  private readonly emitter = new EventEmitter();
  private worker: Worker | null = null;
  private kinds: string[] = [];
  private wakePending = false;
  private readonly wakeFlag = new Int32Array(new SharedArrayBuffer(4));
  private stopping = false;
  private stopped: Promise<void> | null = null;

  constructor(options: EngineThreadOptions) {
    this.options = options;
    this.workerId = options.setup.workerId;
    this.emitter.setMaxListeners(100);
  }

  /** Start the worker; resolves once its engine runs (unfinished tasks resume then). */
  start(): Promise<void> {
    // A worker that died with a wake on its way never cleared the flag: its successor starts with none pending.
    Atomics.store(this.wakeFlag, 0, 0);
    const worker = spawnWorker({ setup: this.options.setup, wakeFlag: this.wakeFlag.buffer as SharedArrayBuffer });
    this.worker = worker;
    const ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromEngine) => {
        if (m.type === 'ready') {
          this.kinds = m.kinds;
          this.post({ type: 'listen', events: this.listened() });
          resolve();
        } else if (m.type === 'failed') reject(toError(m.error));
        else this.receive(m);
      });
      worker.once('error', reject);
    });
    worker.on('error', (err) => this.options.logger.error(`engine thread failed: ${err.message}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker || this.stopping) return;
      // A crashed engine thread is started again: leases of its tasks are taken back by its stable worker id.
      this.options.logger.error(`engine thread exited (${code}); starting it again`);
      setTimeout(() => {
        if (!this.stopping) this.start().catch((err: Error) => this.options.logger.error(err.message));
      }, 1000).unref();
    });
    return ready;
  }

  private receive(m: FromEngine): void {
    if (m.type === 'log') for (const line of m.lines) this.options.logger[line.level](line.message);
    else if (m.type === 'event') {
      const payload =
        m.name === 'problem'
          ? { ...(m.payload as { taskId?: string }), error: toError((m.payload as { error: TaskError }).error) }
          : m.payload;
      this.emitter.emit(m.name, payload);
    } else if (m.type === 'stopped') this.worker?.emit('cutter:stopped');
  }

  private post(message: ToEngine): void {
    this.worker?.postMessage(message);
  }

  private listened(): Array<keyof EngineEvents> {
    return (['task', 'step', 'log', 'problem'] as const).filter((e) => this.emitter.listenerCount(e) > 0);
  }

  /**
   * Look for work now. Many webhooks in one tick wake the engine once, and none is posted while the previous wake
   * has not reached the engine yet (a burst, while the engine thread is busy): waking a thread costs the waker a
   * cross-CPU signal, on the HTTP thread, between acknowledgements.
   */
  wake(): void {
    if (this.wakePending) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      if (Atomics.exchange(this.wakeFlag, 0, 1) === 0) this.post({ type: 'wake' });
    });
  }

  on<K extends keyof EngineEvents>(event: K, listener: (payload: EngineEvents[K]) => void): () => void {
    const before = this.emitter.listenerCount(event);
    this.emitter.on(event, listener);
    // Events cross threads only while someone listens: an idle dashboard costs the webhook path nothing.
    if (before === 0) this.post({ type: 'listen', events: this.listened() });
    return () => {
      this.emitter.off(event, listener);
      if (this.emitter.listenerCount(event) === 0) this.post({ type: 'listen', events: this.listened() });
    };
  }

  async enqueue(task: NewTask): Promise<TaskRecord> {
    if (!this.kinds.includes(task.kind)) {
      throw new CutterError('CUTTER_BAD_INPUT', `no flow for task kind "${task.kind}"`, {
        hint: `known kinds: ${this.kinds.join(', ')}`,
      });
    }
    const { task: record, created } = await this.options.store.createTask(task);
    if (created) this.emitter.emit('task', record);
    this.wake();
    return record;
  }

  async retry(taskId: string, actor = 'api'): Promise<TaskRecord> {
    const record = await this.options.store.retryTask(taskId, actor);
    this.emitter.emit('task', record);
    this.wake();
    return record;
  }

  async cancel(taskId: string, actor = 'api'): Promise<TaskRecord> {
    const record = await this.options.store.cancelTask(taskId, actor);
    this.post({ type: 'cancelled', taskId });
    this.emitter.emit('task', record);
    return record;
  }

  /** Steps in flight finish and persist, their tasks are handed back, the worker's store handle is closed. */
  stop(): Promise<void> {
    this.stopping = true;
    this.stopped ??= (async () => {
      const worker = this.worker;
      if (!worker) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const done = new Promise<void>((resolve) => worker.once('cutter:stopped', () => resolve()));
      this.post({ type: 'stop' });
      await Promise.race([done, exited]);
      await worker.terminate();
      await exited;
    })();
    return this.stopped;
  }
}
