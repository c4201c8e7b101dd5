// Chaos-test worker: runs an engine whose steps write side effects to a separate "ledger" file idempotently.
// Usage: [CHAOS_LEASE_MS=400] node --import tsx chaos-worker.fixture.ts STORE LEDGER — prints "ready", works
// until idle, exits 0.

import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { SqliteStore } from '../store/sqlite-store.js';
import { Engine } from './engine.js';
import { defineFlow } from './flow.js';
import type { Step } from './types.js';

const [storePath, ledgerPath] = process.argv.slice(2);
if (!storePath || !ledgerPath) {
  console.error('usage: chaos-worker.fixture.ts STORE LEDGER');
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
// Wall-clock milliseconds with sub-millisecond precision, comparable across processes.
const wallNow = () => performance.timeOrigin + performance.now();

/** Like creating a tag through the API: look for it first and adopt it, create it only when missing. */
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
      await sleep(Math.random() * 6);
      const id = sideEffect(ctx.taskId, name);
      // The window a kill is aimed at: the effect exists but the step's result is not persisted yet.
      await sleep(Math.random() * 6);
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

const store = new SqliteStore(storePath);
// A short lease by default so that the tasks of a killed worker are taken over quickly.
const leaseMs = Number(process.env['CHAOS_LEASE_MS'] ?? 400);
const engine = new Engine({ store, flows: { chaos: flow }, deps: null, concurrency: 4, pollMs: 20, leaseMs });
console.log('ready');
await engine.runUntilIdle({ timeoutMs: 60_000 });
await store.close();
ledger.close();
console.log('idle');
