import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../test/postgres-server.js';
import { CutterError } from '../core/errors.js';
import { PostgresStore } from '../store/postgres-store.js';
import { defineFlow } from '../workflow/flow.js';
import type { Step } from '../workflow/types.js';
import { QueueWorker } from './graphile-runner.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'queue-worker.fixture.ts');

let server: PostgresServer;
let dir: string;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutter-queue-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function openStores(n: number): Promise<{ url: string; stores: PostgresStore[] }> {
  const url = await server.createDatabase();
  const stores: PostgresStore[] = [];
  for (let i = 0; i < n; i++) {
    const store = await PostgresStore.open(url);
    stores.push(store);
    cleanups.push(() => store.close());
  }
  return { url, stores };
}

async function untilFinished(store: PostgresStore, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await store.pool.query(
      "SELECT COUNT(*)::int AS n FROM cutter.tasks WHERE status IN ('queued', 'running', 'waiting')",
    );
    if (rows[0]?.n === 0) return;
    if (Date.now() > deadline) {
      const stuck = await store.pool.query(
        `SELECT t.id, t.status, t.step, t.run_after, t.locked_by, t.locked_until,
                (SELECT json_agg(json_build_object('key', j.key, 'locked_by', j.locked_by, 'locked_at', j.locked_at,
                                                   'run_at', j.run_at, 'attempts', j.attempts, 'error', j.last_error))
                 FROM graphile_worker._private_jobs j WHERE j.payload->>'taskId' = t.id) AS jobs
         FROM cutter.tasks t WHERE t.status IN ('queued', 'running', 'waiting') LIMIT 5`,
      );
      throw new Error(`${rows[0]?.n} task(s) still unfinished at ${Date.now()}: ${JSON.stringify(stuck.rows)}`);
    }
    await sleep(50);
  }
}

interface Span {
  key: string;
  task: string;
  start: number;
  end: number;
  worker: string;
}

/** A two-step release whose steps record when they ran, and on which worker, in one shared list. */
function recordingFlow(spans: Span[], effects: Map<string, number>, failFirst = 0) {
  const attempts = new Map<string, number>();
  const step = (name: string, when: Step<{ worker: string }>['when'], field: string): Step<{ worker: string }> => ({
    name,
    when,
    run: async (ctx) => {
      const start = performance.now();
      const n = (attempts.get(`${ctx.taskId}:${name}`) ?? 0) + 1;
      attempts.set(`${ctx.taskId}:${name}`, n);
      await sleep(5);
      if (n <= failFirst) throw new CutterError('CUTTER_TRANSIENT', `flaky ${name}`, { transient: true });
      effects.set(`${ctx.taskId}:${name}`, (effects.get(`${ctx.taskId}:${name}`) ?? 0) + 1);
      spans.push({ key: ctx.key, task: ctx.taskId, start, end: performance.now(), worker: ctx.deps.worker });
      return { patch: { [field]: true } };
    },
  });
  return defineFlow<{ worker: string }>('release', [
    step('tag', { tagged: null }, 'tagged'),
    step('publish', { tagged: true, published: null }, 'published'),
  ]);
}

function overlapping(spans: Array<{ key: string; start: number; end: number }>): number {
  let overlaps = 0;
  const byKey = new Map<string, Array<{ start: number; end: number }>>();
  for (const s of spans) byKey.set(s.key, [...(byKey.get(s.key) ?? []), s]);
  for (const list of byKey.values()) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 1; i < list.length; i++) if ((list[i]?.start ?? 0) < (list[i - 1]?.end ?? 0)) overlaps++;
  }
  return overlaps;
}

async function ranSomething(ledgerPath: string, pid: number): Promise<boolean> {
  try {
    const ledger = new Database(ledgerPath, { readonly: true, fileMustExist: true });
    try {
      return Boolean(ledger.prepare('SELECT 1 FROM runs WHERE pid = ? LIMIT 1').get(pid));
    } finally {
      ledger.close();
    }
  } catch {
    return false; // the ledger or its tables do not exist yet
  }
}

describe('queue workers on Postgres (graphile-worker)', () => {
  it('runs every task once across three workers, never two tasks of one repository at once', async () => {
    const { stores } = await openStores(3);
    const spans: Span[] = [];
    const effects = new Map<string, number>();
    const workers = stores.map(
      (store, i) =>
        new QueueWorker({
          store,
          flows: { release: recordingFlow(spans, effects) },
          deps: { worker: `w${i}` },
          concurrency: 3,
          pollMs: 50,
          leaseMs: 5000,
        }),
    );
    for (const w of workers) {
      await w.start();
      cleanups.push(() => w.stop());
    }
    const first = stores[0] as PostgresStore;
    for (let i = 0; i < 30; i++) {
      await (stores[i % 3] as PostgresStore).createTask({ kind: 'release', key: `acme/connector-${i % 5}` });
    }
    await untilFinished(first);
    const { tasks } = await first.listTasks({ limit: 100 });
    expect(tasks.filter((t) => t.status === 'done')).toHaveLength(30);
    expect(effects.size).toBe(60);
    expect([...effects.values()].every((n) => n === 1)).toBe(true);
    expect(overlapping(spans)).toBe(0);
    expect(new Set(spans.map((s) => s.worker)).size).toBeGreaterThan(1);
  });

  it('retries a transient failure with backoff as new jobs, then finishes', async () => {
    const { stores } = await openStores(1);
    const store = stores[0] as PostgresStore;
    const spans: Span[] = [];
    const effects = new Map<string, number>();
    const worker = new QueueWorker({
      store,
      flows: { release: recordingFlow(spans, effects, 2) },
      deps: { worker: 'w' },
      pollMs: 20,
      retry: { maxAttempts: 5, baseMs: 100, maxMs: 400 },
    });
    await worker.start();
    cleanups.push(() => worker.stop());
    const { task } = await store.createTask({ kind: 'release', key: 'acme/flaky' });
    await untilFinished(store);
    expect(await store.getTask(task.id)).toMatchObject({ status: 'done', data: { tagged: true, published: true } });
    const log = await store.listStepLog(task.id);
    expect(log.map((e) => `${e.step}:${e.outcome}`)).toEqual([
      'tag:retry',
      'tag:retry',
      'tag:patch',
      'publish:retry',
      'publish:retry',
      'publish:patch',
    ]);
    // The second attempt ran no sooner than its backoff allowed.
    const t1 = Date.parse(log[0]?.startedAt ?? '');
    const t2 = Date.parse(log[1]?.startedAt ?? '');
    expect(t2 - t1).toBeGreaterThanOrEqual(50);
  });

  it('turns one delivery that reaches two workers at once into one task and one release', async () => {
    const { stores } = await openStores(2);
    const spans: Span[] = [];
    const effects = new Map<string, number>();
    const workers = stores.map(
      (store, i) =>
        new QueueWorker({
          store,
          flows: { release: recordingFlow(spans, effects) },
          deps: { worker: `w${i}` },
          pollMs: 20,
        }),
    );
    for (const w of workers) {
      await w.start();
      cleanups.push(() => w.stop());
    }
    const delivery = { id: 'dup-1', event: 'push', payload: { after: 'abc' }, receivedAt: new Date() };
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (stores[i % 2] as PostgresStore).ingestDelivery(delivery, { kind: 'release', key: 'acme/x' }),
      ),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    await untilFinished(stores[0] as PostgresStore);
    expect([...effects.entries()]).toEqual([
      [`${results[0]?.taskId}:tag`, 1],
      [`${results[0]?.taskId}:publish`, 1],
    ]);
  });

  it('takes over the jobs of workers killed mid-task: every side effect exactly once, repositories never overlap', async () => {
    const seed = Number(process.env['CUTTER_CHAOS_SEED'] ?? 20261125);
    let a = seed >>> 0;
    const random = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const { url, stores } = await openStores(1);
    const store = stores[0] as PostgresStore;
    const ledgerPath = join(dir, 'ledger.db');
    const tasks = 40;
    for (let i = 0; i < tasks; i++) {
      await store.createTask({ kind: 'chaos', key: `acme/connector-${i % 6}`, dedupeKey: `chaos-${i}` });
    }
    const spawnWorker = () => {
      const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fixture, url, ledgerPath], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const ready = new Promise<void>((resolve) => {
        child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        child.on('exit', () => resolve());
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      return { child, ready, exited };
    };
    let kills = 0;
    // Two workers at a time; kill one at a seeded random moment and start a replacement, four times.
    let pool = [spawnWorker(), spawnWorker()];
    cleanups.push(async () => {
      for (const w of pool) w.child.kill('SIGKILL');
    });
    for (let round = 0; round < 4; round++) {
      await Promise.all(pool.map((w) => w.ready));
      const victim = pool[round % 2];
      // Aim the kill into the middle of its work: once it has started a side effect, at a seeded moment after.
      for (let waited = 0; victim?.child.pid && waited < 30_000; waited += 50) {
        if (await ranSomething(ledgerPath, victim.child.pid)) break;
        await sleep(50);
      }
      await sleep(random() * 40);
      if (victim && victim.child.exitCode === null) {
        victim.child.kill('SIGKILL');
        await victim.exited;
        kills++;
      }
      pool = pool.map((w) => (w === victim ? spawnWorker() : w));
    }
    await Promise.all(pool.map((w) => w.ready));
    await untilFinished(store, 120_000);
    await Promise.all(pool.map((w) => w.exited));

    const { tasks: finished } = await store.listTasks({ limit: 100 });
    expect(finished.filter((t) => t.status === 'done')).toHaveLength(tasks);
    const ledger = new Database(ledgerPath, { readonly: true });
    const effects = ledger
      .prepare('SELECT task, effect, COUNT(*) AS n FROM effects GROUP BY task, effect')
      .all() as Array<{
      n: number;
    }>;
    const spans = ledger.prepare('SELECT key, start, end FROM spans').all() as Array<{
      key: string;
      start: number;
      end: number;
    }>;
    const pids = ledger.prepare('SELECT COUNT(DISTINCT pid) AS n FROM effects').get() as { n: number };
    ledger.close();
    expect(kills).toBeGreaterThan(0);
    expect(effects).toHaveLength(tasks * 3);
    expect(effects.every((e) => e.n === 1)).toBe(true);
    expect(overlapping(spans)).toBe(0);
    expect(pids.n).toBeGreaterThan(1);
  }, 300_000);
});
