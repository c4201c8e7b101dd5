// Webhook ingests on one SQLite handle while a real engine commits on another handle of the file in a worker thread:
// latency (in a histogram, where waits for the other's write lock show) and CPU time.

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { percentile, round } from './lib/stats.js';

export interface ContentionRun {
  ingests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Ingests per latency bucket: waits for the other handle's write lock show here. */
  histogram: Record<string, number>;
  /** CPU time of the whole process (both threads) per ingest. */
  cpuMsPerIngest: number;
}

const BUCKETS = [0.5, 1, 2, 5, 10, 20, 50];

function histogram(latencies: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const upper of BUCKETS) out[`<${upper}`] = 0;
  out[`>=${BUCKETS.at(-1)}`] = 0;
  for (const ms of latencies) {
    const upper = BUCKETS.find((b) => ms < b);
    const label = upper === undefined ? `>=${BUCKETS.at(-1)}` : `<${upper}`;
    out[label] = (out[label] ?? 0) + 1;
  }
  return out;
}

function spawnEngine(db: string): Worker {
  const entry = new URL('./store-contention.worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData: { db } });
}

/** One run: `rate` signed-push-sized deliveries a second for `seconds`, each a task the engine then runs. */
export async function contendedIngest(
  dir: string,
  options: { rate: number; seconds: number; payload: () => { id: string; json: string } },
): Promise<ContentionRun> {
  const db = join(dir, 'contention.db');
  // The webhook thread's handle, as serve opens it.
  const store = new SqliteStore(db, { autoCheckpoint: false });
  const engine = spawnEngine(db);
  const messages: unknown[] = [];
  engine.on('message', (m) => messages.push(m));
  await new Promise<void>((resolve, reject) => {
    engine.once('error', reject);
    const check = setInterval(() => {
      if (messages.includes('ready')) {
        clearInterval(check);
        resolve();
      }
    }, 10);
  });
  const latencies: number[] = [];
  const interval = 1000 / options.rate;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; performance.now() - start < options.seconds * 1000; i++) {
    const { id, json } = options.payload();
    const t0 = performance.now();
    await store.ingestDelivery(
      {
        id,
        event: 'push',
        payload: JSON.parse(json) as Record<string, unknown>,
        payloadJson: json,
        receivedAt: new Date(),
      },
      {
        kind: 'release',
        key: `acme/connector-${i % 50}`,
        data: { push: { ref: 'refs/tags/bench' } },
        dedupeKey: `push:${id}`,
      },
    );
    latencies.push(performance.now() - t0);
    engine.postMessage('wake');
    const wait = start + (i + 1) * interval - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const cpu = process.cpuUsage(cpu0);
  engine.postMessage('stop');
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (messages.some((m) => typeof m === 'object' && m !== null && 'stopped' in m)) {
        clearInterval(check);
        resolve();
      }
    }, 10);
  });
  await engine.terminate();
  await store.close();
  const sorted = latencies.slice().sort((a, b) => a - b);
  return {
    ingests: sorted.length,
    p50Ms: round(percentile(sorted, 50), 2),
    p90Ms: round(percentile(sorted, 90), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    maxMs: round(sorted.at(-1) ?? Number.NaN, 2),
    histogram: histogram(latencies),
    cpuMsPerIngest: round((cpu.user + cpu.system) / 1000 / sorted.length, 3),
  };
}
