// An engine sharing its SQLite file with another handle (the webhook thread) is woken and told of cancels from outside.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.js';
import type { TaskRecord } from '../store/types.js';
import { Engine } from './engine.js';
import { defineFlow } from './flow.js';

let dir: string;
const stores: SqliteStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutter-engine-wake-'));
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

function open(): SqliteStore {
  const s = new SqliteStore(join(dir, 'cutter.db'));
  stores.push(s);
  return s;
}

async function until(read: () => Promise<TaskRecord | null>, done: (t: TaskRecord) => boolean): Promise<TaskRecord> {
  for (;;) {
    const t = await read();
    if (t && done(t)) return t;
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Engine.wake() and Engine.cancelled()', { timeout: 30_000 }, () => {
  it('runs a task another handle stored as soon as it is woken, not at its next poll (an hour away)', async () => {
    const flow = defineFlow<null>('ping', [
      { name: 'pong', when: { pong: null }, run: async () => ({ patch: { pong: true }, complete: true }) },
    ]);
    const engine = new Engine({ store: open(), flows: { ping: flow }, deps: null, pollMs: 3_600_000 });
    const receiver = open();
    engine.start();
    try {
      // Let the loop go to sleep first, so only wake() can bring it back before the hour is up.
      await new Promise((r) => setTimeout(r, 50));
      const { task } = await receiver.createTask({ kind: 'ping', key: 'k' });
      engine.wake();
      const done = await until(
        () => receiver.getTask(task.id),
        (t) => t.status === 'done',
      );
      expect(done.data).toMatchObject({ pong: true });
    } finally {
      await engine.stop();
    }
  });

  it('aborts the step in flight of a task cancelled through another handle, and drops its result', async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    let aborted = false;
    const flow = defineFlow<null>('slow', [
      {
        name: 'wait for abort',
        when: { finished: null },
        run: (ctx) =>
          new Promise((_resolve, reject) => {
            started();
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              reject(ctx.signal.reason);
            });
          }),
      },
    ]);
    const engine = new Engine({ store: open(), flows: { slow: flow }, deps: null, pollMs: 5, leaseMs: 3_600_000 });
    const receiver = open();
    const { task } = await receiver.createTask({ kind: 'slow', key: 'k' });
    engine.start();
    try {
      await running;
      await receiver.cancelTask(task.id, 'dashboard');
      engine.cancelled(task.id);
      await until(
        async () => receiver.getTask(task.id),
        () => aborted,
      );
      expect((await receiver.getTask(task.id))?.status).toBe('cancelled');
      expect(await receiver.listStepLog(task.id)).toEqual([]);
    } finally {
      await engine.stop();
    }
  });
});
