// Runs one release task to its end on a durable engine (the CLI's `cutter release --repo` and tests use it).

import type { StepLogEntry, Store, TaskRecord } from '../store/types.js';
import { Engine, type EngineOptions } from '../workflow/engine.js';
import type { StepEvent } from '../workflow/types.js';
import { RELEASE_TASK_KIND, type ReleaseTaskData, releaseTaskKey } from './release-data.js';
import type { ReleaseDeps } from './release-deps.js';
import { releaseFlow } from './release-flow.js';

export interface RunReleaseOptions {
  store: Store;
  deps: ReleaseDeps;
  data: ReleaseTaskData;
  /** Told after every persisted step (progress output). */
  onStep?: (event: StepEvent) => void;
  onLog?: (event: { step: string; message: string }) => void;
  engine?: Omit<EngineOptions<ReleaseDeps>, 'store' | 'flows' | 'deps'>;
  /** Give up waiting after this long (the task stays in the store and resumes on the next run). */
  timeoutMs?: number;
  dedupeKey?: string;
}

export interface RunReleaseResult {
  task: TaskRecord;
  log: StepLogEntry[];
}

/** Enqueue the task durably, work until nothing is runnable, and return the task as stored with its step log. */
export async function runRelease(opts: RunReleaseOptions): Promise<RunReleaseResult> {
  const engine = new Engine<ReleaseDeps>({
    pollMs: 20,
    ...opts.engine,
    store: opts.store,
    flows: { [RELEASE_TASK_KIND]: releaseFlow },
    deps: opts.deps,
  });
  const off = [
    opts.onStep ? engine.on('step', opts.onStep) : () => {},
    opts.onLog ? engine.on('log', (e) => opts.onLog?.({ step: e.step, message: e.message })) : () => {},
  ];
  try {
    const created = await engine.enqueue({
      kind: RELEASE_TASK_KIND,
      key: releaseTaskKey(opts.data.repo),
      data: opts.data as unknown as Record<string, never>,
      ...(opts.dedupeKey ? { dedupeKey: opts.dedupeKey } : {}),
    });
    await engine.runUntilIdle(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {});
    const task = (await opts.store.getTask(created.id)) ?? created;
    return { task, log: await opts.store.listStepLog(created.id) };
  } finally {
    for (const f of off) f();
  }
}
