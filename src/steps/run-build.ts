// Runs one build (image roll-out or rollback) task to its end on a durable engine: the CLI's rollout/rollback use it.

import type { StepLogEntry, Store, TaskRecord } from '../store/types.js';
import { Engine } from '../workflow/engine.js';
import type { StepEvent } from '../workflow/types.js';
import { BUILD_TASK_KIND, type BuildTaskData, buildTaskKey } from './rollout-data.js';
import type { RolloutDeps } from './rollout-deps.js';
import { rolloutFlow } from './rollout-flow.js';

export interface RunBuildOptions {
  store: Store;
  deps: RolloutDeps;
  data: BuildTaskData;
  onStep?: (event: StepEvent) => void;
  /** Give up waiting after this long (the task stays in the store; `cutter serve` resumes it). */
  timeoutMs?: number;
}

export async function runBuild(opts: RunBuildOptions): Promise<{ task: TaskRecord; log: StepLogEntry[] }> {
  const engine = new Engine<RolloutDeps>({
    pollMs: 20,
    store: opts.store,
    flows: { [BUILD_TASK_KIND]: rolloutFlow },
    deps: opts.deps,
  });
  const off = opts.onStep ? engine.on('step', opts.onStep) : () => {};
  try {
    const created = await engine.enqueue({
      kind: BUILD_TASK_KIND,
      key: buildTaskKey(opts.data.build),
      data: opts.data as never,
    });
    await engine.runUntilIdle(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {});
    const task = (await opts.store.getTask(created.id)) ?? created;
    return { task, log: await opts.store.listStepLog(created.id) };
  } finally {
    off();
  }
}
