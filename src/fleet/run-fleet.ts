// Runs a fleet release (or resumes one) on a durable engine and reports progress as children finish.

import { CutterError } from '../core/errors.js';
import { type WriteLimits, writeFloorMs } from '../github/write-budget.js';
import {
  FLEET_TASK_KIND,
  type FleetDeps,
  type FleetRequest,
  type FleetSummary,
  type FleetTaskData,
  fleetFlow,
  fleetTaskKey,
} from '../steps/fleet-flow.js';
import { RELEASE_TASK_KIND, releaseFlow } from '../steps/release-flow.js';
import type { Store, TaskRecord } from '../store/types.js';
import { Engine, type EngineOptions } from '../workflow/engine.js';

/** Writes a release costs at most: annotated tag object + tag ref + release. */
export const WRITES_PER_RELEASE = 3;

export interface FleetProgress {
  runId: string;
  discovered: number;
  selected: number;
  planned: number;
  released: number;
  skipped: number;
  failed: number;
  /** Candidates whose release task has not finished. */
  pending: number;
  /** Least time the remaining writes need under the write budget (null before the plan). */
  etaMs: number | null;
  phase: 'discovering' | 'releasing' | 'done';
}

export interface RunFleetOptions {
  store: Store;
  deps: FleetDeps;
  /** A new run; or `resumeId` to continue one. */
  request?: FleetRequest;
  resumeId?: string;
  /** Release tasks at once (default 8). */
  concurrency?: number;
  /** Budget limits for the ETA (the pacer's). */
  limits?: WriteLimits;
  onProgress?: (p: FleetProgress) => void;
  /** Called once the plan exists (dry-run tables, demo output). */
  onPlan?: (task: TaskRecord) => void;
  engine?: Omit<EngineOptions<FleetDeps>, 'store' | 'flows' | 'deps' | 'concurrency'>;
  timeoutMs?: number;
}

export interface RunFleetResult {
  task: TaskRecord;
  summary: FleetSummary | null;
}

/** Enqueue the fleet task durably (its id is the run id), then work until it and its children are finished. */
export async function runFleet(opts: RunFleetOptions): Promise<RunFleetResult> {
  const engine = new Engine<FleetDeps>({
    pollMs: 20,
    leaseMs: 6_000,
    ...opts.engine,
    concurrency: opts.concurrency ?? 8,
    store: opts.store,
    flows: { [FLEET_TASK_KIND]: fleetFlow, [RELEASE_TASK_KIND]: releaseFlow as never },
    deps: { ...opts.deps, store: opts.deps.store ?? opts.store },
  });
  let parent: TaskRecord;
  if (opts.resumeId) {
    const found = await opts.store.getTask(opts.resumeId);
    if (!found || found.kind !== FLEET_TASK_KIND) {
      throw new CutterError('CUTTER_NOT_FOUND', `no fleet run ${opts.resumeId} in this store`, {
        hint: 'list runs with `cutter tasks list --kind fleet` (same --db)',
      });
    }
    parent = found;
  } else if (opts.request) {
    const data: FleetTaskData = { release: 'connectors', fleet: opts.request };
    // Each run gets its own key: two runs at once share no parent lock, only the per-repository child keys.
    parent = await engine.enqueue({
      kind: FLEET_TASK_KIND,
      key: `${fleetTaskKey(opts.request.org)}:${Date.now().toString(36)}`,
      data: data as never,
    });
  } else {
    throw new CutterError('CUTTER_BAD_INPUT', 'runFleet needs a request or a run id to resume');
  }
  const runId = parent.id;
  const outcomes = new Map<string, 'released' | 'skipped' | 'failed' | 'planned'>();
  let planned = 0;
  let planSkipped = 0;
  let discovered = 0;
  let selected = 0;
  let planSeen = false;
  const progress = (phase: FleetProgress['phase']): void => {
    if (!opts.onProgress) return;
    const count = (o: string) => [...outcomes.values()].filter((v) => v === o).length;
    const pending = Math.max(0, planned - outcomes.size);
    opts.onProgress({
      runId,
      discovered,
      selected,
      planned,
      released: count('released') + count('planned'),
      skipped: planSkipped + count('skipped'),
      failed: count('failed'),
      pending,
      etaMs: planSeen && opts.limits ? writeFloorMs(pending * WRITES_PER_RELEASE, opts.limits) : null,
      phase,
    });
  };
  const notePlan = (task: TaskRecord) => {
    const data = task.data as unknown as FleetTaskData;
    discovered = data.discovery?.total ?? discovered;
    if (data.plan && !planSeen) {
      planSeen = true;
      selected = data.plan.length;
      planned = data.plan.filter((p) => p.action === 'candidate').length;
      planSkipped = selected - planned;
      opts.onPlan?.(task);
    }
  };
  const noteChild = (task: TaskRecord) => {
    if (task.parentId !== runId || !['done', 'failed', 'cancelled'].includes(task.status)) return;
    const data = task.data as { skipped?: unknown; dryRun?: boolean; release?: { released?: unknown; next?: string } };
    outcomes.set(
      task.id,
      task.status !== 'done'
        ? 'failed'
        : data.release?.released
          ? 'released'
          : data.skipped
            ? 'skipped'
            : data.dryRun && data.release?.next
              ? 'planned'
              : 'failed',
    );
  };
  // A resumed run: what already happened counts.
  notePlan(parent);
  if (opts.resumeId) {
    let cursor: string | undefined;
    do {
      const page = await opts.store.listTasks({ parentId: runId, limit: 500, ...(cursor ? { cursor } : {}) });
      for (const t of page.tasks) noteChild(t);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  const off = engine.on('task', (task) => {
    if (task.id === runId) notePlan(task);
    else noteChild(task);
    progress(planSeen ? 'releasing' : 'discovering');
  });
  progress(planSeen ? 'releasing' : 'discovering');
  try {
    if (parent.status === 'failed' || parent.status === 'cancelled') {
      throw new CutterError('CUTTER_REFUSED', `fleet run ${runId} is ${parent.status}`, {
        hint: `retry it with \`cutter tasks retry ${runId}\`, then resume`,
      });
    }
    await engine.runUntilIdle(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {});
    const task = (await opts.store.getTask(runId)) ?? parent;
    notePlan(task);
    progress('done');
    return { task, summary: (task.data as unknown as FleetTaskData).summary ?? null };
  } finally {
    off();
    await engine.stop();
  }
}
