import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../store/sqlite-store.js';
import { Engine } from './engine.js';
import { defineFlow } from './flow.js';

const flow = defineFlow<null>('m', [
  { name: 'a', when: { a: null }, run: async () => ({ patch: { a: 1 } }) },
  { name: 'b', when: { a: 1, b: null }, run: async () => ({ patch: { b: 'x'.repeat(200) } }) },
  { name: 'c', when: { b: String, c: null }, run: async () => ({ patch: { c: { ok: true } } }) },
]);
for (const sync of ['FULL', 'NORMAL'] as const) {
  const dir = await mkdtemp(join(tmpdir(), 'cutter-measure-'));
  const store = new SqliteStore(join(dir, 's.db'), { synchronous: sync });
  const N = 600;
  for (let i = 0; i < N; i++) await store.createTask({ kind: 'm', key: `acme/r${i % 50}` });
  const engine = new Engine({ store, flows: { m: flow }, deps: null, concurrency: 4, pollMs: 5 });
  const t0 = performance.now();
  await engine.runUntilIdle();
  const s = (performance.now() - t0) / 1000;
  const lat: number[] = [];
  for (let i = 0; i < 400; i++) {
    const t = performance.now();
    await store.ingestDelivery(
      {
        id: `d${i}`,
        event: 'push',
        payload: { ref: 'refs/heads/main', commits: [{ id: 'x'.repeat(40) }] },
        receivedAt: new Date(),
      },
      { kind: 'm', key: `acme/r${i}` },
    );
    lat.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.floor(p * (lat.length - 1))]?.toFixed(2);
  console.log(
    `${sync}: ${N * 3} steps + ${N} task finishes in ${s.toFixed(2)} s = ${((N * 3) / s).toFixed(0)} steps/s; ingestDelivery p50 ${q(0.5)} ms p99 ${q(0.99)} ms`,
  );
  await store.close();
}
