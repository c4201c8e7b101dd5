import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../test/postgres-server.js';
import { openStore } from './index.js';
import { PostgresStore } from './postgres-store.js';
import { storeContract } from './store-contract.js';
import type { Store, TaskRecord } from './types.js';

let server: PostgresServer;
let url = '';
/** A database migrated once; each test gets a copy of it. */
let template = '';
const opened: Store[] = [];

beforeAll(async () => {
  server = await startPostgres();
  template = await server.createDatabase();
  await (await PostgresStore.open(template)).close();
});

afterAll(async () => {
  for (const s of opened.splice(0)) await s.close();
  await server?.stop();
});

async function fresh(): Promise<PostgresStore> {
  url = await server.createDatabase({ template });
  const store = await PostgresStore.open(url);
  opened.push(store);
  return store;
}

describe('PostgresStore schema', () => {
  it('applies its migrations and graphile-worker’s once, even when several workers open the database at once', async () => {
    const first = await fresh();
    const more = await Promise.all([PostgresStore.open(url), PostgresStore.open(url), PostgresStore.open(url)]);
    opened.push(...more);
    expect(await first.schemaVersion()).toBe(3);
    const { rows } = await first.pool.query('SELECT COUNT(*)::int AS n FROM cutter.schema_migrations');
    expect(rows[0]).toEqual({ n: 3 });
    const jobs = await first.pool.query("SELECT to_regclass('graphile_worker.jobs') IS NOT NULL AS ok");
    expect(jobs.rows[0]).toEqual({ ok: true });
  });

  it('creates both schemas once when several workers open an empty database at the same moment', async () => {
    // No opener goes first: graphile-worker's own `create schema if not exists` races (23505) unless serialised.
    for (let round = 0; round < 4; round++) {
      const empty = await server.createDatabase();
      const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(empty)));
      opened.push(...stores);
      expect(await stores[0]!.schemaVersion()).toBe(3);
      const { rows } = await stores[0]!.pool.query(
        "SELECT (SELECT COUNT(*)::int FROM cutter.schema_migrations) AS cutter, to_regclass('graphile_worker.jobs') IS NOT NULL AS jobs",
      );
      expect(rows[0]).toEqual({ cutter: 3, jobs: true });
    }
  });

  it('is what openStore gives for a postgres:// URL, and a bad URL is a clear error without the password', async () => {
    await fresh();
    const store = await openStore(url);
    opened.push(store);
    expect(store).toBeInstanceOf(PostgresStore);
    const err = await openStore(`postgres://cutter:s3cret@127.0.0.1:${server.port}/no_such_db`).catch((e) => e);
    expect(err).toMatchObject({ code: 'CUTTER_STORE_FAILED' });
    expect(String(err.message)).not.toContain('s3cret');
  });

  it('queues a graphile-worker job for a task in the same transaction, once per task', async () => {
    const store = await fresh();
    const result = await store.ingestDelivery(
      { id: 'd-1', event: 'push', payload: {}, receivedAt: new Date() },
      { kind: 'release', key: 'acme/x' },
    );
    await store.ingestDelivery(
      { id: 'd-1', event: 'push', payload: {}, receivedAt: new Date() },
      { kind: 'release', key: 'acme/x' },
    );
    const { rows } = await store.pool.query(
      'SELECT queue_name, key FROM graphile_worker.jobs WHERE task_identifier = $1',
      ['cutter_task'],
    );
    expect(rows).toEqual([{ queue_name: 'acme/x', key: `task:${result.taskId}` }]);
  });

  it('stores delivery, task and job in one statement: a second hook with the same push lands on the same task', async () => {
    const store = await fresh();
    const push = { kind: 'release', key: 'acme/y', data: { push: { after: 'abc' } }, dedupeKey: 'push:acme/y:abc' };
    const text = '{"after":"abc",  "n":1.50}';
    const ingest = (id: string) =>
      store.ingestDelivery(
        { id, event: 'push', payload: JSON.parse(text), payloadJson: text, receivedAt: new Date() },
        push,
      );
    const first = await ingest('hook-1');
    // Both hooks' deliveries at once, then each again: one task, one job, every delivery pointing at the task.
    const more = await Promise.all([ingest('hook-2'), ingest('hook-3'), ingest('hook-2'), ingest('hook-1')]);
    expect(first).toEqual({ duplicate: false, taskId: expect.any(String) });
    expect(more.map((r) => r.taskId)).toEqual([first.taskId, first.taskId, first.taskId, first.taskId]);
    expect(more.filter((r) => !r.duplicate)).toHaveLength(2);
    const deliveries = await store.pool.query('SELECT id, task_id FROM cutter.deliveries ORDER BY id');
    expect(deliveries.rows.map((r) => [r.id, r.task_id === first.taskId])).toEqual([
      ['hook-1', true],
      ['hook-2', true],
      ['hook-3', true],
    ]);
    expect((await store.listTasks()).tasks).toHaveLength(1);
    const jobs = await store.pool.query('SELECT key FROM graphile_worker.jobs');
    expect(jobs.rows).toEqual([{ key: `task:${first.taskId}` }]);
    expect((await store.getDelivery('hook-1'))?.payload).toEqual({ after: 'abc', n: 1.5 });
  });
});

describe('PostgresStore ingest race', () => {
  /** Polls until `sql` (on its own connection) returns a row with ok = true. */
  async function until(client: pg.Client, sql: string, params: unknown[] = []): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      if ((await client.query(sql, params)).rows[0]?.ok) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`timed out waiting for: ${sql}`);
  }

  /** A connection of its own (a transaction held open, or a watcher outside it: activity is read per transaction). */
  async function connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  }

  const DANGLING = `SELECT d.id, d.task_id FROM cutter.deliveries d
                    WHERE d.task_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cutter.tasks t WHERE t.id = d.task_id)`;

  it('never commits a delivery naming a task that does not exist when a twin commits its task mid-statement', async () => {
    const store = await fresh();
    const [twin, gate, watch] = [await connect(), await connect(), await connect()];
    try {
      // The twin ingest of the same push has inserted its task and not committed yet.
      const winner = randomUUID();
      await twin.query('BEGIN');
      await twin.query(
        `INSERT INTO cutter.tasks (id, kind, key, status, data, dedupe_key, run_after, created_at, updated_at)
         VALUES ($1, 'release', 'acme/race', 'queued', '{}', 'push:acme/race:abc', 0, 0, 0)`,
        [winner],
      );
      // Our ingest starts: its snapshot has no such task, so it waits on the twin's dedupe key.
      const ingest = store.ingestDelivery(
        { id: 'hook-late', event: 'push', payload: { after: 'abc' }, receivedAt: new Date() },
        { kind: 'release', key: 'acme/race', dedupeKey: 'push:acme/race:abc' },
      );
      await until(
        watch,
        `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                        AND query LIKE '%INSERT INTO cutter.deliveries%') AS ok`,
      );
      // The gate queues for a lock the ingest holds: it is granted the moment the ingest's statement ends, so
      // whatever the ingest sends next waits behind it. What is committed then is all a crash there would leave.
      const gatePid = (await gate.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await gate.query('BEGIN');
      const gated = gate.query('LOCK TABLE cutter.deliveries IN SHARE MODE');
      await until(watch, 'SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted) AS ok', [gatePid]);
      await twin.query('COMMIT');
      await gated;
      expect((await watch.query(DANGLING)).rows).toEqual([]);
      await gate.query('COMMIT');

      expect(await ingest).toEqual({ duplicate: false, taskId: winner });
      expect((await store.getDelivery('hook-late'))?.taskId).toBe(winner);
      expect((await watch.query(DANGLING)).rows).toEqual([]);
      expect((await store.listTasks()).tasks.map((t) => t.id)).toEqual([winner]);
    } finally {
      await Promise.all([twin.end(), gate.end(), watch.end()]);
    }
  });

  it('does not hold up a delivery naming a task while a worker commits a step of it', async () => {
    const store = await fresh();
    const push = { kind: 'release', key: 'acme/busy', dedupeKey: 'push:acme/busy:1' };
    const hook = (id: string) => ({ id, event: 'push', payload: {}, receivedAt: new Date() });
    const { taskId } = await store.ingestDelivery(hook('hook-1'), push);
    const claimed = await store.claimTask({ workerId: 'w', now: new Date(), leaseMs: 60_000 });
    expect(claimed?.id).toBe(taskId);
    const [gate, watch] = [await connect(), await connect()];
    try {
      // The step's transaction locks the task's row, then waits at its step log entry behind the gate.
      await gate.query('BEGIN');
      await gate.query('LOCK TABLE cutter.step_log IN SHARE MODE');
      const now = new Date();
      const task = claimed as TaskRecord;
      const commit = store.commitStep({
        taskId: task.id,
        leaseId: task.leaseId ?? '',
        now,
        data: {},
        next: { status: 'done' },
        step: 'only',
        attempt: 1,
        stepsRun: 1,
        error: null,
        leaseUntil: new Date(now.getTime() + 60_000),
        log: {
          taskId: task.id,
          step: 'only',
          startedAt: now.toISOString(),
          durationMs: 1,
          attempt: 1,
          workerId: 'w',
          input: null,
          patch: null,
          outcome: 'complete',
          error: null,
          messages: [],
        },
      });
      await until(
        watch,
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted AND relation = 'cutter.step_log'::regclass) AS ok",
      );
      // A second hook of the same push names the task: it must be stored without waiting for the step to commit.
      let stored = false;
      const ingest = store.ingestDelivery(hook('hook-2'), push).finally(() => {
        stored = true;
      });
      const waiting = `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                                      AND query LIKE '%INSERT INTO cutter.deliveries%') AS ok`;
      let waited = false;
      while (!stored && !waited) {
        waited = (await watch.query(waiting)).rows[0].ok;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await gate.query('COMMIT');
      expect(waited ? 'the ingest waited for the step' : 'stored at once').toBe('stored at once');
      expect(await ingest).toEqual({ duplicate: false, taskId });
      expect((await commit)?.status).toBe('done');
    } finally {
      await Promise.all([gate.end(), watch.end()]);
    }
  });
});

describe('PostgresStore migration 3', () => {
  it('repairs the deliveries a crash left naming a missing task, then refuses to store one', async () => {
    const store = await fresh();
    // Back to version 2: the same tables without the foreign key, with what its two-statement ingest could leave.
    await store.pool.query('ALTER TABLE cutter.deliveries DROP CONSTRAINT deliveries_task_id_fkey');
    await store.pool.query('DELETE FROM cutter.schema_migrations WHERE version = 3');
    const task = (await store.createTask({ kind: 'release', key: 'acme/m', dedupeKey: 'push:acme/m:1' })).task;
    const other = (await store.createTask({ kind: 'release', key: 'acme/m', dedupeKey: 'push:acme/m:2' })).task;
    const deliveries: Array<[string, string, string | null]> = [
      ['hook-won', '{"after":"1"}', task.id],
      ['hook-lost', '{"after":"1"}', 'missing-1'], // its twin names the task: repaired to it
      ['hook-alone', '{"after":"3"}', 'missing-2'], // no twin: names no task
      ['hook-a', '{"after":"4"}', task.id],
      ['hook-b', '{"after":"4"}', other.id],
      ['hook-torn', '{"after":"4"}', 'missing-3'], // twins name two tasks: which one is unknown, so none
      ['hook-ping', '{}', null],
    ];
    for (const [id, payload, taskId] of deliveries) {
      await store.pool.query(
        "INSERT INTO cutter.deliveries (id, event, payload, received_at, task_id) VALUES ($1, 'push', $2, 0, $3)",
        [id, payload, taskId],
      );
    }

    const migrated = await PostgresStore.open(url);
    opened.push(migrated);
    expect(await migrated.schemaVersion()).toBe(3);
    const after = await migrated.pool.query('SELECT id, task_id FROM cutter.deliveries ORDER BY id');
    expect(Object.fromEntries(after.rows.map((r) => [r.id, r.task_id]))).toEqual({
      'hook-won': task.id,
      'hook-lost': task.id,
      'hook-alone': null,
      'hook-a': task.id,
      'hook-b': other.id,
      'hook-torn': null,
      'hook-ping': null,
    });
    const audit = await migrated.listAudit();
    expect(audit.map((e) => [e.action, e.target, e.details]).sort()).toEqual([
      ['delivery.repair', 'hook-alone', { missingTaskId: 'missing-2', taskId: null }],
      ['delivery.repair', 'hook-lost', { missingTaskId: 'missing-1', taskId: task.id }],
      ['delivery.repair', 'hook-torn', { missingTaskId: 'missing-3', taskId: null }],
    ]);

    const dangling = await migrated.pool
      .query(
        "INSERT INTO cutter.deliveries (id, event, payload, received_at, task_id) VALUES ('x', 'push', '{}', 0, 'nope')",
      )
      .catch((e) => e);
    expect(dangling).toMatchObject({ code: '23503', constraint: 'deliveries_task_id_fkey' });
    // Cutter never deletes a task; should an operator prune one, its deliveries stay and name none.
    await migrated.pool.query('DELETE FROM cutter.tasks WHERE id = $1', [other.id]);
    expect((await migrated.getDelivery('hook-b'))?.taskId).toBeNull();
  });
});

storeContract('PostgresStore', {
  open: fresh,
  async second() {
    const store = await PostgresStore.open(url);
    opened.push(store);
    return store;
  },
  async cleanup() {
    for (const s of opened.splice(0)) await s.close();
  },
});
