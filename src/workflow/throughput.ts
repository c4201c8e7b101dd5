// Measures the engine's persisted-step throughput and the store's durable enqueue latency (for `npm run bench`).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../store/sqlite-store.js';
import { Engine } from './engine.js';
import { defineFlow } from './flow.js';

export interface ThroughputFigures {
  synchronous: 'FULL' | 'NORMAL';
  tasks: number;
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  /** Latency of `ingestDelivery` (dedupe + task creation in one transaction), the webhook's durable enqueue. */
  enqueueP50Ms: number;
  enqueueP99Ms: number;
}

const threeSteps = defineFlow<null>('measure', [
  { name: 'get latest tag', when: { latest: null }, run: async () => ({ patch: { latest: { tag: 'v1.2.3' } } }) },
  {
    name: 'calc next version',
    when: { latest: Object, next: null },
    run: async () => ({ patch: { next: '1.2.4', notes: 'x'.repeat(200) } }),
  },
  {
    name: 'create tag',
    when: { next: String, tagged: null },
    run: async () => ({ patch: { tagged: { ref: 'v1.2.4' } } }),
  },
]);

function quantile(sorted: number[], q: number): number {
  return Math.round((sorted[Math.floor(q * (sorted.length - 1))] ?? 0) * 100) / 100;
}

/** Runs `tasks` three-step tasks over 50 repositories on a fresh SQLite file, then `enqueues` single ingests. */
export async function measureThroughput(
  options: { tasks?: number; enqueues?: number; synchronous?: 'FULL' | 'NORMAL'; concurrency?: number } = {},
): Promise<ThroughputFigures> {
  const tasks = options.tasks ?? 600;
  const synchronous = options.synchronous ?? 'NORMAL';
  const dir = await mkdtemp(join(tmpdir(), 'cutter-throughput-'));
  const store = new SqliteStore(join(dir, 'cutter.db'), { synchronous });
  try {
    for (let i = 0; i < tasks; i++) await store.createTask({ kind: 'measure', key: `acme/repo-${i % 50}` });
    const engine = new Engine({
      store,
      flows: { measure: threeSteps },
      deps: null,
      concurrency: options.concurrency ?? 4,
      pollMs: 5,
    });
    const t0 = performance.now();
    await engine.runUntilIdle();
    const seconds = (performance.now() - t0) / 1000;
    const latencies: number[] = [];
    for (let i = 0; i < (options.enqueues ?? 400); i++) {
      const t = performance.now();
      await store.ingestDelivery(
        {
          id: `delivery-${i}`,
          event: 'push',
          payload: { ref: 'refs/heads/main', after: 'f'.repeat(40) },
          receivedAt: new Date(),
        },
        { kind: 'measure', key: `acme/repo-${i % 50}` },
      );
      latencies.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);
    const steps = tasks * threeSteps.steps.length;
    return {
      synchronous,
      tasks,
      steps,
      seconds: Math.round(seconds * 100) / 100,
      stepsPerSecond: Math.round(steps / seconds),
      enqueueP50Ms: quantile(latencies, 0.5),
      enqueueP99Ms: quantile(latencies, 0.99),
    };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
