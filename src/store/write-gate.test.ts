// Two threads of one process take turns on the write gate, and a waiter wakes as soon as the holder lets go.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import { WriteGate } from './write-gate.js';

/** A worker thread running `body` (an async function of `gate`, `store` and `workerData`) with our modules loaded. */
function thread(body: string, workerData: Record<string, unknown>): Worker {
  const gateUrl = new URL('./write-gate.ts', import.meta.url).href;
  const storeUrl = new URL('./sqlite-store.ts', import.meta.url).href;
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import('tsx/esm/api').then(async ({ register }) => {
      register();
      const { WriteGate } = await import(${JSON.stringify(gateUrl)});
      const { SqliteStore } = await import(${JSON.stringify(storeUrl)});
      const gate = new WriteGate(workerData.buffer);
      const store = workerData.db ? new SqliteStore(workerData.db, { writeGate: gate }) : null;
      const say = (m) => parentPort.postMessage(m);
      await (async () => { ${body} })();
      if (store) await store.close();
      say('done');
    });`;
  return new Worker(code, { eval: true, workerData });
}

const message = (w: Worker, text: string) =>
  new Promise<void>((resolve, reject) => {
    w.on('message', (m) => m === text && resolve());
    w.once('error', reject);
  });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutter-gate-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('WriteGate', () => {
  it('wakes the waiting thread as soon as the other thread releases, and counts the wait', async () => {
    const gate = new WriteGate();
    const holder = thread(
      `gate.run(() => { say('holding'); const until = Date.now() + 60; while (Date.now() < until); });`,
      { buffer: gate.buffer },
    );
    await message(holder, 'holding');
    const started = performance.now();
    let ran = 0;
    gate.run(() => {
      ran = performance.now() - started;
    });
    await message(holder, 'done');
    await holder.terminate();
    // Held ~60 ms from before we asked: we ran after it let go, and not long after (no busy-handler sleeps).
    expect(ran).toBeGreaterThan(5);
    expect(ran).toBeLessThan(1_000);
    const stats = gate.stats();
    expect(stats).toMatchObject({ acquired: 2, waited: 1, passedBy: 0 });
    expect(stats.maxWaitMs).toBeGreaterThan(5);
  });

  it('lets only one thread in at a time', async () => {
    const gate = new WriteGate();
    const counter = new Int32Array(new SharedArrayBuffer(8));
    // A read-modify-write that loses updates unless the gate excludes the other thread; both start together.
    const body = `const c = new Int32Array(workerData.counter);
      Atomics.add(c, 1, 1); while (Atomics.load(c, 1) < 2);
      for (const end = Date.now() + 400; Date.now() < end; ) gate.run(() => { const v = Atomics.load(c, 0); for (let k = 0; k < 20; k++); Atomics.store(c, 0, v + 1); });`;
    const workers = [0, 1].map(() => thread(body, { buffer: gate.buffer, counter: counter.buffer }));
    await Promise.all(workers.map((w) => message(w, 'done')));
    await Promise.all(workers.map((w) => w.terminate()));
    expect(counter[0]).toBe(gate.stats().acquired);
    expect(gate.stats().waited).toBeGreaterThan(0);
  });

  it('is re-entrant within a thread', () => {
    const gate = new WriteGate();
    expect(gate.run(() => gate.run(() => 7))).toBe(7);
    expect(gate.stats()).toMatchObject({ acquired: 1, waited: 0 });
  });

  it('passes by a gate whose holder died, leaving the decision to SQLite', async () => {
    const gate = new WriteGate(undefined, { maxWaitMs: 100 });
    // A thread that takes the gate and is terminated before it lets go.
    const dead = thread(`gate.run(() => { say('holding'); for (;;); });`, { buffer: gate.buffer });
    await message(dead, 'holding');
    await dead.terminate();
    expect(gate.run(() => 'went on')).toBe('went on');
    expect(gate.stats().passedBy).toBe(1);
    // And the gate works normally afterwards.
    expect(gate.run(() => 'again')).toBe('again');
  });
});

describe('SqliteStore with a write gate', () => {
  it('makes an ingest wait for another thread’s write transaction on the gate, not in SQLite’s busy handler', async () => {
    const db = join(dir, 'cutter.db');
    const gate = new WriteGate();
    const store = new SqliteStore(db, { writeGate: gate });
    // The other thread holds a write transaction open for 50 ms (like a long step commit).
    const engine = thread(
      `const hold = store['db'].transaction(() => {
         store['db'].prepare("INSERT INTO kv (key, value, version, updated_at) VALUES ('held', '1', 1, 0)").run();
         say('holding');
         const until = Date.now() + 50; while (Date.now() < until);
       });
       store['write'](() => hold.immediate());`,
      { buffer: gate.buffer, db },
    );
    await message(engine, 'holding');
    const result = await store.ingestDelivery(
      { id: 'd-1', event: 'push', payload: { ref: 'refs/heads/main' }, receivedAt: new Date() },
      { kind: 'release', key: 'acme/x', data: {} },
    );
    await message(engine, 'done');
    await engine.terminate();
    expect(result.duplicate).toBe(false);
    expect(await store.kvGet('held')).not.toBeNull();
    expect(store.writeStats()).toMatchObject({ waited: 1, passedBy: 0 });
    await store.close();
  });
});
