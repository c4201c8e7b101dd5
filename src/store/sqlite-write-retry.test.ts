import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeRetry } from './sqlite-write-retry.js';

/** Another connection (in a worker thread) takes the write lock, inserts `who`, and commits after `holdMs`. */
function holdWriteLock(db: string, who: string, holdMs: number): { held: Promise<void>; done: Promise<void> } {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const Database = require('better-sqlite3');
     const db = new Database(workerData.db);
     db.exec('BEGIN IMMEDIATE');
     db.prepare('INSERT INTO log (who) VALUES (?)').run(workerData.who);
     parentPort.postMessage('held');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
     db.exec('COMMIT');
     db.close();`,
    { eval: true, workerData: { db, who, holdMs } },
  );
  const held = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  const done = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return { held, done };
}

describe('writeRetry', () => {
  let dir: string;
  let file: string;
  let db: Database.Database;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cutter-write-retry-'));
    file = join(dir, 'x.db');
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    db.exec('CREATE TABLE log (n INTEGER PRIMARY KEY, who TEXT NOT NULL)');
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("waits while another connection holds the write lock, then writes after that connection's commit", async () => {
    const write = writeRetry(db, 10_000);
    const other = holdWriteLock(file, 'other', 50);
    await other.held;
    const insert = db.transaction(() => db.prepare('INSERT INTO log (who) VALUES (?)').run('this'));
    write(() => insert.immediate());
    await other.done;
    expect(db.prepare('SELECT who FROM log ORDER BY n').pluck().all()).toEqual(['other', 'this']);
  });

  it('gives up with SQLITE_BUSY once the timeout has passed, and leaves reads their busy timeout', async () => {
    const write = writeRetry(db, 100);
    const other = holdWriteLock(file, 'other', 1_000);
    await other.held;
    const insert = db.prepare('INSERT INTO log (who) VALUES (?)');
    expect(() => write(() => insert.run('this'))).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    expect(db.pragma('busy_timeout', { simple: true })).toBe(100);
    await other.done;
    expect(db.prepare('SELECT who FROM log').pluck().all()).toEqual(['other']);
  });

  it('does not retry other errors, and runs a write inside a write once', () => {
    const write = writeRetry(db, 10_000);
    let runs = 0;
    expect(() =>
      write(() => {
        runs++;
        db.prepare('INSERT INTO nope (x) VALUES (1)').run();
      }),
    ).toThrow(/no such table/);
    expect(runs).toBe(1);
    const nested = write(() => write(() => 'inner'));
    expect(nested).toBe('inner');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(10_000);
  });
});
