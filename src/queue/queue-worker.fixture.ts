// Test fixture: one `cutter serve`-like queue worker on Postgres whose steps write side effects to a "ledger" file
// idempotently (look first, create only when missing, like adopting a tag).
// Usage: node --import tsx queue-worker.fixture.ts POSTGRES_URL LEDGER — prints "ready", exits 0 once every task is
// finished (or is killed by the test).

import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { PostgresStore } from '../store/postgres-store.js';
import { defineFlow } from '../workflow/flow.js';
import type { Step } from '../workflow/types.js';
import { QueueWorker } from './graphile-runner.js';

const [url, ledgerPath] = process.argv.slice(2);
if (!url || !ledgerPath) {
  console.error('usage: queue-worker.fixture.ts POSTGRES_URL LEDGER');
  process.exit(2);
}

const ledger = new Database(ledgerPath);
ledger.pragma('journal_mode = WAL');
ledger.pragma('synchronous = FULL');
ledger.pragma('busy_timeout = 10000');
ledger.exec(`CREATE TABLE IF NOT EXISTS effects (id INTEGER PRIMARY KEY AUTOINCREMENT, task TEXT NOT NULL, effect TEXT NOT NULL, pid INTEGER);
             CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY AUTOINCREMENT, task TEXT NOT NULL, effect TEXT NOT NULL, pid INTEGER);
             CREATE TABLE IF NOT EXISTS spans (key TEXT NOT NULL, start REAL NOT NULL, end REAL NOT NULL, pid INTEGER);`);
const findEffect = ledger.prepare('SELECT id FROM effects WHERE task = ? AND effect = ?');
const insertEffect = ledger.prepare('INSERT INTO effects (task, effect, pid) VALUES (?, ?, ?)');
const insertRun = ledger.prepare('INSERT INTO runs (task, effect, pid) VALUES (?, ?, ?)');
const insertSpan = ledger.prepare('INSERT INTO spans (key, start, end, pid) VALUES (?, ?, ?, ?)');
const wallNow = () => performance.timeOrigin + performance.now();

function sideEffect(taskId: string, effect: string): number {
  insertRun.run(taskId, effect, process.pid);
  const existing = findEffect.get(taskId, effect) as { id: number } | undefined;
  if (existing) return existing.id;
  return Number(insertEffect.run(taskId, effect, process.pid).lastInsertRowid);
}

function effectStep(name: string, when: Step<null>['when'], field: string): Step<null> {
  return {
    name,
    when,
    effect: 'idempotent',
    run: async (ctx) => {
      const start = wallNow();
      await sleep(Math.random() * 8);
      const id = sideEffect(ctx.taskId, name);
      // The window a kill is aimed at: the effect exists but the step's result is not persisted yet.
      await sleep(Math.random() * 8);
      insertSpan.run(ctx.key, start, wallNow(), process.pid);
      return { patch: { [field]: { effectId: id } } };
    },
  };
}

const flow = defineFlow<null>('chaos', [
  effectStep('create tag', { tag: null }, 'tag'),
  effectStep('create release', { tag: Object, release: null }, 'release'),
  effectStep('notify', { release: Object, notified: null }, 'notified'),
]);

const store = await PostgresStore.open(url, { poolSize: 8 });
const worker = new QueueWorker({
  store,
  flows: { chaos: flow },
  deps: null,
  concurrency: 4,
  pollMs: 50,
  leaseMs: 1500,
  sweepMs: 300,
  busyRetryMs: 50,
});
await worker.start();
console.log('ready');
for (;;) {
  const { rows } = await store.pool.query(
    "SELECT COUNT(*)::int AS n FROM cutter.tasks WHERE status IN ('queued', 'running', 'waiting')",
  );
  if (rows[0]?.n === 0) break;
  await sleep(100);
}
await worker.stop();
await store.close();
ledger.close();
console.log('idle');
