// The behaviour every store must share, run against each implementation (SQLite and Postgres).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StepCommit, Store, TaskRecord } from './types.js';

export interface ContractHarness {
  /** A fresh, empty store for one test. */
  open(): Promise<Store>;
  /** A second handle on the same store (another process's connection). */
  second(): Promise<Store>;
  /** Closes every handle opened for the test. */
  cleanup(): Promise<void>;
}

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function commitOf(task: TaskRecord, over: Partial<StepCommit> = {}): StepCommit {
  return {
    taskId: task.id,
    leaseId: task.leaseId ?? '',
    now: at(10),
    data: task.data,
    next: { status: 'done' },
    step: 'only',
    attempt: 1,
    stepsRun: task.stepsRun + 1,
    error: null,
    leaseUntil: at(30_000),
    ...over,
  };
}

export function storeContract(name: string, harness: ContractHarness): void {
  describe(`${name}: the store contract`, () => {
    let store: Store;
    const second = () => harness.second();

    beforeEach(async () => {
      store = await harness.open();
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    describe('tasks', () => {
      it('creates a task once per dedupe key', async () => {
        const first = await store.createTask({ kind: 'release', key: 'acme/x', data: { a: 1 }, dedupeKey: 'push:abc' });
        const second = await store.createTask({
          kind: 'release',
          key: 'acme/x',
          data: { a: 2 },
          dedupeKey: 'push:abc',
        });
        expect(first.created).toBe(true);
        expect(second.created).toBe(false);
        expect(second.task.id).toBe(first.task.id);
        expect(second.task.data).toEqual({ a: 1 });
      });

      it('rejects a task without kind or key', async () => {
        await expect(store.createTask({ kind: '', key: 'acme/x' })).rejects.toMatchObject({ code: 'CUTTER_BAD_INPUT' });
        await expect(store.createTask({ kind: 'release', key: '' })).rejects.toMatchObject({
          code: 'CUTTER_BAD_INPUT',
        });
      });

      it('lists with filters and pages newest first with a cursor', async () => {
        for (let i = 0; i < 5; i++) await store.createTask({ kind: i % 2 ? 'fleet' : 'release', key: `acme/r${i}` });
        const releases = await store.listTasks({ kind: 'release' });
        expect(releases.tasks.map((t) => t.key)).toEqual(['acme/r4', 'acme/r2', 'acme/r0']);
        const page1 = await store.listTasks({ limit: 2 });
        const page2 = await store.listTasks({ limit: 2, cursor: page1.nextCursor ?? '' });
        const page3 = await store.listTasks({ limit: 2, cursor: page2.nextCursor ?? '' });
        expect([...page1.tasks, ...page2.tasks, ...page3.tasks].map((t) => t.key)).toEqual([
          'acme/r4',
          'acme/r3',
          'acme/r2',
          'acme/r1',
          'acme/r0',
        ]);
        expect(page3.nextCursor).toBeNull();
        expect((await store.listTasks({ key: 'acme/r3', status: ['queued', 'running'] })).tasks).toHaveLength(1);
        expect((await store.listTasks({ status: 'done' })).tasks).toHaveLength(0);
      });

      it('rejects a malformed cursor', async () => {
        await expect(store.listTasks({ cursor: 'abc' })).rejects.toMatchObject({ code: 'CUTTER_BAD_INPUT' });
      });

      it('returns null for an unknown task and refuses to retry or cancel it', async () => {
        expect(await store.getTask('nope')).toBeNull();
        await expect(store.retryTask('nope', 'me')).rejects.toMatchObject({ code: 'CUTTER_NOT_FOUND' });
        await expect(store.cancelTask('nope', 'me')).rejects.toMatchObject({ code: 'CUTTER_NOT_FOUND' });
      });
    });

    describe('claiming', () => {
      it('serializes one key: the second task of a key waits for the first to finish, other keys go ahead', async () => {
        const a1 = (await store.createTask({ kind: 'k', key: 'acme/a' }, at(0))).task;
        const a2 = (await store.createTask({ kind: 'k', key: 'acme/a' }, at(1))).task;
        const b1 = (await store.createTask({ kind: 'k', key: 'acme/b' }, at(2))).task;
        const opts = { now: at(5), leaseMs: 30_000 };
        expect((await store.claimTask({ workerId: 'w1', ...opts }))?.id).toBe(a1.id);
        expect((await store.claimTask({ workerId: 'w2', ...opts }))?.id).toBe(b1.id);
        expect(await store.claimTask({ workerId: 'w3', ...opts })).toBeNull();
        const claimedA1 = (await store.getTask(a1.id)) as TaskRecord;
        expect(await store.commitStep(commitOf(claimedA1))).toMatchObject({ status: 'done' });
        expect((await store.claimTask({ workerId: 'w3', ...opts }))?.id).toBe(a2.id);
      });

      it('serializes across two connections to the same file (two processes)', async () => {
        const other = await second();
        await store.createTask({ kind: 'k', key: 'acme/a' }, at(0));
        await store.createTask({ kind: 'k', key: 'acme/a' }, at(1));
        const opts = { now: at(5), leaseMs: 30_000 };
        const claims = await Promise.all([
          store.claimTask({ workerId: 'p1', ...opts }),
          other.claimTask({ workerId: 'p2', ...opts }),
        ]);
        expect(claims.filter(Boolean)).toHaveLength(1);
      });

      it('only hands out the kinds a worker knows', async () => {
        await store.createTask({ kind: 'deploy', key: 'acme/a' }, at(0));
        expect(await store.claimTask({ workerId: 'w', now: at(5), leaseMs: 1000, kinds: ['release'] })).toBeNull();
        expect(await store.claimTask({ workerId: 'w', now: at(5), leaseMs: 1000, kinds: ['deploy'] })).not.toBeNull();
      });

      it('does not hand out a task before its runAfter', async () => {
        await store.createTask({ kind: 'k', key: 'acme/a', runAfter: at(1000) }, at(0));
        expect(await store.claimTask({ workerId: 'w', now: at(999), leaseMs: 1000 })).toBeNull();
        expect(await store.nextDueAt()).toEqual(at(1000));
        expect(await store.claimTask({ workerId: 'w', now: at(1000), leaseMs: 1000 })).not.toBeNull();
      });

      it('takes over the task of a dead worker once its lease expires, and fences the dead worker out', async () => {
        const { task } = await store.createTask({ kind: 'k', key: 'acme/a', data: { n: 1 } }, at(0));
        const dead = (await store.claimTask({ workerId: 'dead', now: at(0), leaseMs: 1000 })) as TaskRecord;
        expect(await store.claimTask({ workerId: 'alive', now: at(999), leaseMs: 1000 })).toBeNull();
        const taken = await store.claimTask({ workerId: 'alive', now: at(1001), leaseMs: 1000 });
        expect(taken).toMatchObject({ id: task.id, lockedBy: 'alive', data: { n: 1 } });
        expect(await store.commitStep(commitOf(dead, { data: { n: 99 } }))).toBeNull();
        expect((await store.getTask(task.id))?.data).toEqual({ n: 1 });
        expect(await store.listStepLog(task.id)).toEqual([]);
      });

      it('renews only the leases still held and releases them on request', async () => {
        const { task } = await store.createTask({ kind: 'k', key: 'acme/a' }, at(0));
        const claimed = (await store.claimTask({ workerId: 'w', now: at(0), leaseMs: 1000 })) as TaskRecord;
        const lease = { taskId: task.id, leaseId: claimed.leaseId ?? '' };
        expect(await store.renewLeases([lease, { taskId: 'other', leaseId: 'x' }], at(5000))).toEqual([task.id]);
        expect(await store.renewLeases([{ taskId: task.id, leaseId: 'stale' }], at(9000))).toEqual([]);
        expect(await store.releaseLeases('w', at(100))).toBe(1);
        const again = (await store.claimTask({ workerId: 'w2', now: at(100), leaseMs: 1000 })) as TaskRecord;
        expect(again.id).toBe(task.id);
        expect(await store.releaseTask(lease, at(200))).toBe(false);
        expect(await store.releaseTask({ taskId: task.id, leaseId: again.leaseId ?? '' }, at(200))).toBe(true);
        expect(await store.getTask(task.id)).toMatchObject({ status: 'queued', lockedBy: null, leaseId: null });
      });

      it('fences out an old claim even when the same worker claimed the task again after its lease expired', async () => {
        const { task } = await store.createTask({ kind: 'k', key: 'acme/a', data: { n: 1 } }, at(0));
        const first = (await store.claimTask({ workerId: 'w', now: at(0), leaseMs: 100 })) as TaskRecord;
        const second = (await store.claimTask({ workerId: 'w', now: at(200), leaseMs: 100 })) as TaskRecord;
        expect(second.leaseId).not.toBe(first.leaseId);
        expect(await store.commitStep(commitOf(first, { data: { n: 2 }, next: { status: 'running' } }))).toBeNull();
        expect(await store.commitStep(commitOf(second, { data: { n: 3 }, next: { status: 'running' } }))).toMatchObject(
          {
            data: { n: 3 },
          },
        );
        expect((await store.getTask(task.id))?.data).toEqual({ n: 3 });
      });
    });

    describe('commitStep', () => {
      it('writes the data, the status and the step log entry together', async () => {
        const { task } = await store.createTask({ kind: 'k', key: 'acme/a', data: { a: 1 } }, at(0));
        const claimed = (await store.claimTask({ workerId: 'w', now: at(1), leaseMs: 1000 })) as TaskRecord;
        const saved = await store.commitStep(
          commitOf(claimed, {
            data: { a: 1, b: 2 },
            next: { status: 'running' },
            log: {
              taskId: task.id,
              step: 'add b',
              startedAt: at(2).toISOString(),
              durationMs: 1.5,
              attempt: 1,
              workerId: 'w',
              input: { a: 1 },
              patch: { b: 2 },
              outcome: 'patch',
              error: null,
              messages: [{ at: at(2).toISOString(), message: 'hello' }],
            },
          }),
        );
        expect(saved).toMatchObject({
          status: 'running',
          lockedBy: 'w',
          data: { a: 1, b: 2 },
          step: 'only',
          stepsRun: 1,
        });
        expect(await store.listStepLog(task.id)).toMatchObject([
          { step: 'add b', patch: { b: 2 }, messages: [{ message: 'hello' }] },
        ]);
      });

      it('counts finished children on the parent and wakes a parent waiting for them', async () => {
        const parent = (await store.createTask({ kind: 'fleet', key: 'acme' }, at(0))).task;
        const claimed = (await store.claimTask({ workerId: 'w', now: at(1), leaseMs: 1000 })) as TaskRecord;
        const fanned = await store.commitStep(
          commitOf(claimed, {
            next: { status: 'settle', seenPending: 2 },
            children: [
              { kind: 'release', key: 'acme/a' },
              { kind: 'release', key: 'acme/b' },
            ],
          }),
        );
        expect(fanned).toMatchObject({ status: 'waiting', runAfter: null, children: { total: 2, pending: 2 } });
        const kids = (await store.listTasks({ parentId: parent.id })).tasks;
        expect(kids).toHaveLength(2);
        for (const [i, kid] of kids.entries()) {
          const c = (await store.claimTask({ workerId: `k${i}`, now: at(20), leaseMs: 1000 })) as TaskRecord;
          expect(c.parentId).toBe(parent.id);
          await store.commitStep(commitOf(c, { next: { status: i === 0 ? 'done' : 'failed' } }));
          expect(kid.parentId).toBe(parent.id);
        }
        const woken = (await store.getTask(parent.id)) as TaskRecord;
        expect(woken).toMatchObject({ status: 'queued', children: { total: 2, pending: 0, done: 1, failed: 1 } });
        expect(woken.data['children']).toEqual({ total: 2, pending: 0, done: 1, failed: 1, cancelled: 0 });
        expect(await store.childCounts(parent.id)).toEqual({ total: 2, pending: 0, done: 1, failed: 1, cancelled: 0 });
      });
    });

    describe('retry and cancel', () => {
      it('retries only failed or cancelled tasks and writes an audit entry', async () => {
        const { task } = await store.createTask({ kind: 'k', key: 'acme/a', data: { kept: true } }, at(0));
        await expect(store.retryTask(task.id, 'alice')).rejects.toMatchObject({ code: 'CUTTER_REFUSED' });
        const claimed = (await store.claimTask({ workerId: 'w', now: at(1), leaseMs: 1000 })) as TaskRecord;
        const error = { code: 'CUTTER_GITHUB_ERROR', message: 'boom', transient: false };
        await store.commitStep(commitOf(claimed, { next: { status: 'failed' }, error, step: 'tag' }));
        const retried = await store.retryTask(task.id, 'alice', at(50));
        expect(retried).toMatchObject({ status: 'queued', step: 'tag', error: null, attempt: 1, data: { kept: true } });
        expect(await store.listAudit({ target: task.id })).toMatchObject([{ actor: 'alice', action: 'task.retry' }]);
      });

      it('wakes the timed waits of the tasks named, and only those', async () => {
        const { task: parked } = await store.createTask({ kind: 'k', key: 'acme/a' }, at(0));
        const { task: other } = await store.createTask({ kind: 'k', key: 'acme/b' }, at(0));
        for (const t of [parked, other]) {
          const claimed = (await store.claimTask({ workerId: 'w', now: at(1), leaseMs: 1000 })) as TaskRecord;
          expect(claimed.id).toBe(t.id);
          const wait = { status: 'waiting' as const, reason: 'frozen', runAfter: at(60_000) };
          await store.commitStep(commitOf(claimed, { next: wait }));
        }
        const { task: queued } = await store.createTask({ kind: 'k', key: 'acme/c', runAfter: at(90_000) }, at(0));
        expect(await store.claimTask({ workerId: 'w', now: at(100), leaseMs: 1000 })).toBeNull();
        expect(await store.wakeTasks([parked.id, queued.id, 'no-such-task'], at(100))).toBe(1);
        expect(await store.getTask(parked.id)).toMatchObject({ status: 'waiting', runAfter: at(100).toISOString() });
        expect((await store.claimTask({ workerId: 'w', now: at(100), leaseMs: 1000 }))?.id).toBe(parked.id);
        expect(await store.claimTask({ workerId: 'w', now: at(100), leaseMs: 1000 })).toBeNull();
        expect((await store.getTask(other.id))?.runAfter).toBe(at(60_000).toISOString());
        expect(await store.wakeTasks([], at(100))).toBe(0);
      });

      it('cancels a task with its unfinished children and refuses to cancel a finished one', async () => {
        await store.createTask({ kind: 'fleet', key: 'acme' }, at(0));
        const claimed = (await store.claimTask({ workerId: 'w', now: at(1), leaseMs: 1000 })) as TaskRecord;
        await store.commitStep(
          commitOf(claimed, { next: { status: 'settle', seenPending: 1 }, children: [{ kind: 'r', key: 'acme/a' }] }),
        );
        const cancelled = await store.cancelTask(claimed.id, 'bob');
        expect(cancelled).toMatchObject({ status: 'cancelled', children: { pending: 0, cancelled: 1 } });
        expect((await store.listTasks({ parentId: claimed.id })).tasks[0]?.status).toBe('cancelled');
        await expect(store.cancelTask(claimed.id, 'bob')).rejects.toMatchObject({ code: 'CUTTER_REFUSED' });
      });
    });

    describe('deliveries', () => {
      it('stores a webhook delivery and its task once, however many times it arrives at once', async () => {
        const other = await second();
        const delivery = { id: 'd-1', event: 'push', payload: { ref: 'refs/heads/main' }, receivedAt: at(0) };
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? other : store).ingestDelivery(delivery, {
              kind: 'release',
              key: 'acme/x',
              data: { ref: 'refs/heads/main' },
            }),
          ),
        );
        expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
        const taskIds = new Set(results.map((r) => r.taskId));
        expect(taskIds.size).toBe(1);
        expect((await store.listTasks()).tasks).toHaveLength(1);
        expect(await store.getDelivery('d-1')).toMatchObject({ event: 'push', payload: { ref: 'refs/heads/main' } });
      });

      it('points every delivery of one push at its one stored task, however they race from two handles', async () => {
        const other = await second();
        const push = { kind: 'release', key: 'acme/p', dedupeKey: 'push:acme/p:abc' };
        const ids = Array.from({ length: 10 }, (_, i) => `hook-${i}`);
        const results = await Promise.all(
          ids.map((id, i) =>
            (i % 2 ? other : store).ingestDelivery({ id, event: 'push', payload: {}, receivedAt: at(0) }, push),
          ),
        );
        expect(results.filter((r) => r.duplicate)).toEqual([]);
        const taskIds = new Set(results.map((r) => r.taskId));
        expect(taskIds.size).toBe(1);
        const [taskId] = taskIds;
        expect((await store.getTask(taskId ?? ''))?.dedupeKey).toBe('push:acme/p:abc');
        for (const id of ids) expect((await other.getDelivery(id))?.taskId).toBe(taskId);
        expect((await store.listTasks()).tasks).toHaveLength(1);
      });

      it('records a delivery that starts no task, and rejects one without an id', async () => {
        expect(await store.ingestDelivery({ id: 'd-2', event: 'ping', payload: {}, receivedAt: at(0) })).toEqual({
          duplicate: false,
        });
        expect(await store.ingestDelivery({ id: 'd-2', event: 'ping', payload: {}, receivedAt: at(0) })).toEqual({
          duplicate: true,
        });
        await expect(
          store.ingestDelivery({ id: '', event: 'push', payload: {}, receivedAt: at(0) }),
        ).rejects.toMatchObject({
          code: 'CUTTER_BAD_INPUT',
        });
      });
    });

    describe('key-value with compare-and-set', () => {
      it('writes only when the caller saw the current version', async () => {
        expect(await store.kvGet('freeze')).toBeNull();
        expect(await store.kvSet('freeze', { on: true }, null)).toEqual({ ok: true, version: 1 });
        expect(await store.kvSet('freeze', { on: false }, null)).toEqual({ ok: false, version: 1 });
        expect(await store.kvSet('freeze', { on: false }, 7)).toEqual({ ok: false, version: 1 });
        expect(await store.kvSet('freeze', { on: false }, 1)).toEqual({ ok: true, version: 2 });
        expect(await store.kvSet('freeze', 'x')).toEqual({ ok: true, version: 3 });
        expect(await store.kvGet('freeze')).toMatchObject({ value: 'x', version: 3 });
      });
    });

    describe('audit', () => {
      it('lists who did what, newest first', async () => {
        await store.appendAudit({
          actor: 'alice',
          action: 'freeze.override',
          target: 'acme/x',
          details: { why: 'hotfix' },
        });
        await store.appendAudit({ actor: 'bob', action: 'task.retry', target: 't1' });
        expect((await store.listAudit()).map((a) => a.actor)).toEqual(['bob', 'alice']);
        expect(await store.listAudit({ target: 'acme/x' })).toMatchObject([{ details: { why: 'hotfix' } }]);
      });
    });

    describe('queue workers', () => {
      it('claims one named task only when it is runnable and its key is free', async () => {
        const a1 = (await store.createTask({ kind: 'k', key: 'acme/a' }, at(0))).task;
        const a2 = (await store.createTask({ kind: 'k', key: 'acme/a' }, at(1))).task;
        const opts = { now: at(5), leaseMs: 30_000 };
        expect(await store.claimTask({ workerId: 'w1', taskId: a2.id, ...opts })).toBeNull();
        expect((await store.claimTask({ workerId: 'w1', taskId: a1.id, ...opts }))?.id).toBe(a1.id);
        expect(await store.claimTask({ workerId: 'w2', taskId: a1.id, ...opts })).toBeNull();
      });

      it('lets concurrent compare-and-set writers from two handles lose no update', async () => {
        const other = await second();
        const increment = async (s: Store) => {
          for (;;) {
            const seen = await s.kvGet('budget');
            const n = (seen?.value as number | undefined) ?? 0;
            if ((await s.kvSet('budget', n + 1, seen ? seen.version : null)).ok) return;
          }
        };
        await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i % 2 ? other : store)));
        expect(await store.kvGet('budget')).toMatchObject({ value: 20, version: 20 });
      });
    });
  });
}
