// The shared store for several Cutter workers: Postgres (node `pg`), with graphile-worker jobs dispatching tasks.

import { randomUUID } from 'node:crypto';
import { Logger, runMigrations } from 'graphile-worker';
import pg from 'pg';
import { CutterError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import type {
  AuditEntry,
  ChildCounts,
  ClaimOptions,
  Delivery,
  DeliveryRecord,
  IngestResult,
  JsonObject,
  KvEntry,
  LeaseRef,
  NewTask,
  StepCommit,
  StepLogEntry,
  Store,
  TaskError,
  TaskFilter,
  TaskPage,
  TaskRecord,
  TaskStatus,
} from './types.js';

/** The graphile-worker task every runnable Cutter task is dispatched as (payload `{ taskId }`). */
export const TASK_JOB = 'cutter_task';

export interface PostgresStoreOptions {
  /**
   * Add a graphile-worker job (queue = the task's key, job key = the task id) in the same transaction whenever a
   * task becomes runnable, so queue workers (src/queue) pick it up. Default true; false for a polling engine only.
   */
  dispatchJobs?: boolean;
  /** Connections in this process's pool. Default 10. */
  poolSize?: number;
}

type Sql = Pick<pg.PoolClient, 'query'>;

interface TaskRow {
  seq: number;
  id: string;
  kind: string;
  key: string;
  status: TaskStatus;
  data: JsonObject;
  parent_id: string | null;
  dedupe_key: string | null;
  step: string | null;
  attempt: number;
  steps_run: number;
  error: TaskError | null;
  wait_reason: string | null;
  run_after: number | null;
  locked_by: string | null;
  locked_until: number | null;
  lease_id: string | null;
  children_total: number | null;
  children_pending: number;
  children_done: number;
  children_failed: number;
  children_cancelled: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

const UNFINISHED: readonly TaskStatus[] = ['queued', 'running', 'waiting'];
/** Claims take this transaction-scoped advisory lock, so two workers can never lease tasks of one key at once. */
const CLAIM_LOCK = 0x6375_7474; // "cutt"
const MIGRATION_LOCK = 0x6375_7475;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
/** JSON parameters go as text and are cast to jsonb in SQL: pg would turn a JS array into a Postgres array. */
const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

// BIGINT (epoch ms, seq) as numbers: every value we store is far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function toRecord(row: TaskRow): TaskRecord {
  const data = { ...row.data };
  const children: ChildCounts | null =
    row.children_total === null
      ? null
      : {
          total: row.children_total,
          pending: row.children_pending,
          done: row.children_done,
          failed: row.children_failed,
          cancelled: row.children_cancelled,
        };
  if (children) data['children'] = { ...children };
  return {
    id: row.id,
    seq: row.seq,
    kind: row.kind,
    key: row.key,
    status: row.status,
    data,
    parentId: row.parent_id,
    dedupeKey: row.dedupe_key,
    step: row.step,
    attempt: row.attempt,
    stepsRun: row.steps_run,
    error: row.error,
    waitReason: row.wait_reason,
    runAfter: iso(row.run_after),
    lockedBy: row.locked_by,
    lockedUntil: iso(row.locked_until),
    leaseId: row.lease_id,
    children,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    finishedAt: iso(row.finished_at),
  };
}

function storedData(data: JsonObject): string {
  const { children: _owned, ...rest } = data;
  return JSON.stringify(rest);
}

/** Deadlocks and serialization failures are retried: the transaction did nothing. */
const RETRYABLE = new Set(['40001', '40P01']);
/**
 * deliveries.task_id → tasks(id), checked at commit (migration 3): an ingest that would store a delivery naming a
 * task that does not exist fails instead, having stored nothing.
 */
const DELIVERY_TASK_FK = 'deliveries_task_id_fkey';

/** What the one-statement ingest returns. */
interface IngestRow {
  stored: boolean;
  task_id: string | null;
  seen_task_id: string | null;
}

export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  private readonly dispatchJobs: boolean;
  private readonly url: string;

  private constructor(pool: pg.Pool, url: string, options: PostgresStoreOptions) {
    this.pool = pool;
    this.url = url;
    this.dispatchJobs = options.dispatchJobs ?? true;
  }

  /** Connects, applies Cutter's and graphile-worker's migrations (once, even with several workers starting). */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types });
    // An idle connection the server dropped must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const store = new PostgresStore(pool, url, options);
    try {
      await store.migrate();
    } catch (err) {
      await pool.end().catch(() => {});
      throw new CutterError(
        'CUTTER_STORE_FAILED',
        `cannot open the Postgres store at ${redact(safeUrl(url))}: ${redact((err as Error).message)}`,
        { hint: 'check CUTTER_DATABASE_URL, that the server is up and that the user may create schemas', cause: err },
      );
    }
    return store;
  }

  /** The database's URL without its password, for log lines. */
  describe(): string {
    return redact(safeUrl(this.url));
  }

  async schemaVersion(): Promise<number> {
    const { rows } = await this.pool.query('SELECT MAX(version) AS v FROM cutter.schema_migrations');
    return Number(rows[0]?.v ?? 0);
  }

  /**
   * Both schemas under one session-level advisory lock, held on a connection of its own while the migrations run
   * through the pool: graphile-worker's `create schema if not exists` is not safe against a concurrent one (23505 on
   * pg_namespace), so two workers opening an empty database at once must not both reach it.
   */
  private async migrate(): Promise<void> {
    const lock = new pg.Client({ connectionString: this.url });
    lock.on('error', () => {});
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await this.tx(async (c) => {
        await c.query('CREATE SCHEMA IF NOT EXISTS cutter');
        await c.query(
          'CREATE TABLE IF NOT EXISTS cutter.schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
        );
        const { rows } = await c.query('SELECT COALESCE(MAX(version), 0) AS v FROM cutter.schema_migrations');
        const current = Number(rows[0]?.v ?? 0);
        for (const migration of POSTGRES_MIGRATIONS) {
          if (migration.version <= current) continue;
          await c.query(migration.sql);
          await c.query('INSERT INTO cutter.schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            Date.now(),
          ]);
        }
      });
      await runMigrations({ pgPool: this.pool, logger: silentLogger() });
    } finally {
      // Ending the session releases its advisory lock, also when a migration failed.
      await lock.end().catch(() => {});
    }
  }

  /** One transaction, retried on deadlock or serialization failure. */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        const code = (err as { code?: string }).code;
        if (!code || !RETRYABLE.has(code) || attempt >= 5) throw err;
      } finally {
        client.release();
      }
    }
  }

  /** Inside a transaction: the task is runnable at `runAt`; a queue worker will pick its job up then. */
  private async dispatch(c: Sql, task: { id: string; key: string }, runAt: number): Promise<void> {
    if (!this.dispatchJobs) return;
    await c.query(
      `SELECT graphile_worker.add_job($1, json_build_object('taskId', $2::text), queue_name => $3,
              run_at => to_timestamp($4::double precision / 1000), job_key => 'task:' || $2, max_attempts => 25)`,
      [TASK_JOB, task.id, task.key, runAt],
    );
  }

  /** (Re)schedules a task's job at `runAt`, e.g. when a queue worker found its key busy. */
  async schedule(task: { id: string; key: string }, runAt: Date): Promise<void> {
    await this.dispatch(this.pool, task, runAt.getTime());
  }

  /** A queue worker's graphile-worker ids are alive (database time, so clocks of machines do not matter). */
  async heartbeat(workerIds: readonly string[]): Promise<void> {
    if (workerIds.length === 0) return;
    await this.pool.query(
      `INSERT INTO cutter.queue_workers (worker_id, seen_at) SELECT unnest($1::text[]), now()
       ON CONFLICT (worker_id) DO UPDATE SET seen_at = excluded.seen_at`,
      [[...workerIds]],
    );
  }

  /**
   * Takeover after a crash: graphile-worker keeps a dead worker's jobs (and their per-repository queues) locked for
   * hours. A lock older than `staleMs` held by a worker without a heartbeat that recent is a dead worker's: unlock
   * it so another worker runs the job. A queue lock whose holder holds no job of that queue is dropped too. Finally
   * re-dispatches any due task that has lost its job. Returns the counts.
   */
  async recoverJobs(now: Date, staleMs: number): Promise<{ unlockedWorkers: number; redispatched: number }> {
    const stale = await this.pool.query<{ locked_by: string }>(
      `WITH locks AS (
         SELECT locked_by, locked_at FROM graphile_worker._private_jobs WHERE locked_by IS NOT NULL
         UNION ALL
         SELECT locked_by, locked_at FROM graphile_worker._private_job_queues WHERE locked_by IS NOT NULL)
       SELECT DISTINCT l.locked_by FROM locks l
       WHERE l.locked_at < now() - make_interval(secs => $1::double precision / 1000)
         AND NOT EXISTS (SELECT 1 FROM cutter.queue_workers w WHERE w.worker_id = l.locked_by
                         AND w.seen_at >= now() - make_interval(secs => $1::double precision / 1000))`,
      [staleMs],
    );
    const workers = stale.rows.map((r) => r.locked_by);
    if (workers.length > 0) await this.pool.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [workers]);
    await this.pool.query(
      `UPDATE graphile_worker._private_job_queues q SET locked_by = NULL, locked_at = NULL
       WHERE q.locked_by IS NOT NULL AND q.locked_at < now() - make_interval(secs => $1::double precision / 1000)
         AND NOT EXISTS (SELECT 1 FROM graphile_worker._private_jobs j
                         WHERE j.job_queue_id = q.id AND j.locked_by = q.locked_by)`,
      [staleMs],
    );
    await this.pool.query("DELETE FROM cutter.queue_workers WHERE seen_at < now() - interval '1 day'");
    let redispatched = 0;
    if (this.dispatchJobs) {
      const lost = await this.pool.query<TaskRow>(
        `SELECT t.* FROM cutter.tasks t
         WHERE ((t.status IN ('queued', 'waiting') AND t.run_after IS NOT NULL)
                OR (t.status = 'running' AND t.locked_until < $1))
           AND NOT EXISTS (SELECT 1 FROM graphile_worker._private_jobs j WHERE j.key = 'task:' || t.id)
         ORDER BY t.seq LIMIT 500`,
        [now.getTime()],
      );
      for (const row of lost.rows) {
        await this.dispatch(this.pool, row, Math.max(row.run_after ?? 0, now.getTime()));
        redispatched++;
      }
    }
    return { unlockedWorkers: workers.length, redispatched };
  }

  // Row locks are FOR NO KEY UPDATE (no task id ever changes): they exclude other workers as FOR UPDATE would, but
  // not the foreign-key check (FOR KEY SHARE) of an ingest whose delivery names the task, which need not wait for
  // a step to commit.
  private async row(c: Sql, id: string, lock = false): Promise<TaskRow | undefined> {
    const { rows } = await c.query<TaskRow>(
      `SELECT * FROM cutter.tasks WHERE id = $1${lock ? ' FOR NO KEY UPDATE' : ''}`,
      [id],
    );
    return rows[0];
  }

  private async mustRow(c: Sql, id: string, lock = false): Promise<TaskRow> {
    const row = await this.row(c, id, lock);
    if (!row)
      throw new CutterError('CUTTER_NOT_FOUND', `no task with id ${id}`, { hint: 'list tasks with `cutter tasks`' });
    return row;
  }

  private async insertTask(c: Sql, task: NewTask, now: number): Promise<{ row: TaskRow; created: boolean }> {
    if (!task.kind || !task.key) {
      throw new CutterError('CUTTER_BAD_INPUT', 'a task needs a non-empty kind and key', {
        hint: 'key is what serializes work, e.g. "owner/repo"',
      });
    }
    const runAfter = task.runAfter ? task.runAfter.getTime() : now;
    const { rows } = await c.query<TaskRow>(
      `INSERT INTO cutter.tasks (id, kind, key, status, data, parent_id, dedupe_key, run_after, created_at, updated_at)
       VALUES ($1, $2, $3, 'queued', $4::jsonb, $5, $6, $7, $8, $8)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING *`,
      [
        randomUUID(),
        task.kind,
        task.key,
        storedData(task.data ?? {}),
        task.parentId ?? null,
        task.dedupeKey ?? null,
        runAfter,
        now,
      ],
    );
    const inserted = rows[0];
    if (inserted) {
      await this.dispatch(c, inserted, runAfter);
      return { row: inserted, created: true };
    }
    const existing = await c.query<TaskRow>('SELECT * FROM cutter.tasks WHERE dedupe_key = $1', [task.dedupeKey]);
    const row = existing.rows[0];
    if (!row) throw new CutterError('CUTTER_STORE_FAILED', `task with dedupe key ${task.dedupeKey} vanished`);
    return { row, created: false };
  }

  private async childFinished(c: Sql, parentId: string, status: TaskStatus, now: number): Promise<void> {
    const column = status === 'done' ? 'children_done' : status === 'failed' ? 'children_failed' : 'children_cancelled';
    await c.query(
      `UPDATE cutter.tasks SET children_pending = children_pending - 1, ${column} = ${column} + 1, updated_at = $2
       WHERE id = $1 AND children_pending > 0`,
      [parentId, now],
    );
    const woken = await c.query<TaskRow>(
      `UPDATE cutter.tasks SET status = 'queued', run_after = $2, wait_reason = NULL, updated_at = $2
       WHERE id = $1 AND status = 'waiting' AND run_after IS NULL AND children_pending = 0 RETURNING *`,
      [parentId, now],
    );
    if (woken.rows[0]) await this.dispatch(c, woken.rows[0], now);
  }

  async createTask(task: NewTask, now = new Date()): Promise<{ task: TaskRecord; created: boolean }> {
    const result = await this.tx((c) => this.insertTask(c, task, now.getTime()));
    return { task: toRecord(result.row), created: result.created };
  }

  async getTask(id: string): Promise<TaskRecord | null> {
    const row = await this.row(this.pool, id);
    return row ? toRecord(row) : null;
  }

  async listTasks(filter: TaskFilter = {}): Promise<TaskPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.kind !== undefined) where.push(`kind = ${param(filter.kind)}`);
    if (filter.key !== undefined) where.push(`key = ${param(filter.key)}`);
    if (filter.parentId !== undefined) where.push(`parent_id = ${param(filter.parentId)}`);
    if (filter.status !== undefined) {
      where.push(`status = ANY(${param(Array.isArray(filter.status) ? filter.status : [filter.status])}::text[])`);
    }
    if (filter.cursor !== undefined) {
      const cursor = Number(filter.cursor);
      if (!Number.isInteger(cursor)) {
        throw new CutterError('CUTTER_BAD_INPUT', `invalid cursor ${JSON.stringify(filter.cursor)}`, {
          hint: 'pass the nextCursor of the previous page',
        });
      }
      where.push(`seq < ${param(cursor)}`);
    }
    const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 50), 1), 500);
    const sql = `SELECT * FROM cutter.tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY seq DESC LIMIT ${param(limit + 1)}`;
    const { rows } = await this.pool.query<TaskRow>(sql, params);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { tasks: page.map(toRecord), nextCursor: rows.length > limit && last ? String(last.seq) : null };
  }

  async claimTask(options: ClaimOptions): Promise<TaskRecord | null> {
    const now = options.now.getTime();
    const row = await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [CLAIM_LOCK]);
      const { rows } = await c.query<TaskRow>(
        `SELECT t.* FROM cutter.tasks t
         WHERE ((t.status IN ('queued', 'waiting') AND t.run_after IS NOT NULL AND t.run_after <= $1)
                OR (t.status = 'running' AND t.locked_until < $1))
           AND ($2::text[] IS NULL OR t.kind = ANY($2::text[]))
           AND ($3::text IS NULL OR t.id = $3::text)
           AND NOT EXISTS (SELECT 1 FROM cutter.tasks o WHERE o.key = t.key AND o.id <> t.id
                           AND o.status = 'running' AND o.locked_until >= $1)
           AND NOT EXISTS (SELECT 1 FROM cutter.tasks o WHERE o.key = t.key AND o.seq < t.seq
                           AND o.status IN ('queued', 'running', 'waiting')
                           AND (t.parent_id IS NULL OR o.id <> t.parent_id))
         ORDER BY t.seq LIMIT 1 FOR NO KEY UPDATE OF t`,
        [now, options.kinds ?? null, options.taskId ?? null],
      );
      const found = rows[0];
      if (!found) return null;
      const leased = await c.query<TaskRow>(
        `UPDATE cutter.tasks SET status = 'running', locked_by = $2, locked_until = $3, lease_id = $4,
                wait_reason = NULL, updated_at = $5 WHERE id = $1 RETURNING *`,
        [found.id, options.workerId, now + options.leaseMs, randomUUID(), now],
      );
      return leased.rows[0] ?? null;
    });
    return row ? toRecord(row) : null;
  }

  async renewLeases(leases: LeaseRef[], until: Date): Promise<string[]> {
    if (leases.length === 0) return [];
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE cutter.tasks t SET locked_until = $3
       FROM unnest($1::text[], $2::text[]) AS l(id, lease)
       WHERE t.id = l.id AND t.lease_id = l.lease AND t.status = 'running' RETURNING t.id`,
      [leases.map((l) => l.taskId), leases.map((l) => l.leaseId), until.getTime()],
    );
    const held = new Set(rows.map((r) => r.id));
    return leases.map((l) => l.taskId).filter((id) => held.has(id));
  }

  async releaseTask(lease: LeaseRef, runAfter: Date): Promise<boolean> {
    return this.tx(async (c) => {
      const { rows } = await c.query<TaskRow>(
        `UPDATE cutter.tasks SET status = 'queued', locked_by = NULL, locked_until = NULL, lease_id = NULL,
                run_after = $3, updated_at = $4 WHERE id = $1 AND lease_id = $2 AND status = 'running' RETURNING *`,
        [lease.taskId, lease.leaseId, runAfter.getTime(), Date.now()],
      );
      if (rows[0]) await this.dispatch(c, rows[0], runAfter.getTime());
      return rows.length > 0;
    });
  }

  async releaseLeases(workerId: string, now = new Date()): Promise<number> {
    return this.tx(async (c) => {
      const { rows } = await c.query<TaskRow>(
        `UPDATE cutter.tasks SET locked_until = $2::bigint - 1 WHERE locked_by = $1 AND status = 'running' RETURNING *`,
        [workerId, now.getTime()],
      );
      for (const row of rows) await this.dispatch(c, row, now.getTime());
      return rows.length;
    });
  }

  async commitStep(commit: StepCommit): Promise<TaskRecord | null> {
    const now = commit.now.getTime();
    const row = await this.tx(async (c): Promise<TaskRow | null> => {
      const row = await this.row(c, commit.taskId, true);
      if (row?.status !== 'running' || row.lease_id !== commit.leaseId) return null;

      let total = row.children_total;
      let pending = row.children_pending;
      if (commit.children !== undefined) {
        let created = 0;
        for (const child of commit.children) {
          if ((await this.insertTask(c, { ...child, parentId: commit.taskId }, now)).created) created++;
        }
        total = (total ?? 0) + created;
        pending += created;
      }

      let status: TaskStatus;
      let runAfter: number | null = null;
      let waitReason: string | null = null;
      const next = commit.next;
      switch (next.status) {
        case 'running':
          status = 'running';
          break;
        case 'queued':
          status = 'queued';
          runAfter = next.runAfter.getTime();
          break;
        case 'waiting':
          status = 'waiting';
          runAfter = next.runAfter.getTime();
          waitReason = next.reason;
          break;
        case 'done':
        case 'failed':
          status = next.status;
          break;
        case 'settle':
          if (total !== null && pending !== (next.seenPending ?? 0)) {
            status = 'queued';
            runAfter = now;
          } else if (total !== null && pending > 0) {
            status = 'waiting';
            waitReason = `waiting for ${pending} of ${total} child task(s)`;
          } else {
            status = 'done';
          }
          break;
      }
      const finished = status === 'done' || status === 'failed';
      const running = status === 'running';
      const updated = await c.query<TaskRow>(
        `UPDATE cutter.tasks SET status = $2, data = $3::jsonb, step = $4, attempt = $5, steps_run = $6,
                error = $7::jsonb, wait_reason = $8, run_after = $9,
                locked_by = CASE WHEN $10 THEN locked_by END,
                lease_id = CASE WHEN $10 THEN lease_id END,
                locked_until = CASE WHEN $10 THEN $11::bigint END,
                children_total = $12, children_pending = $13, updated_at = $14, finished_at = $15
         WHERE id = $1 RETURNING *`,
        [
          commit.taskId,
          status,
          storedData(commit.data),
          commit.step,
          commit.attempt,
          commit.stepsRun,
          json(commit.error),
          waitReason,
          runAfter,
          running,
          commit.leaseUntil.getTime(),
          total,
          pending,
          now,
          finished ? now : null,
        ],
      );
      if (commit.log) await this.insertLogRow(c, commit.log);
      if (runAfter !== null) await this.dispatch(c, row, runAfter);
      if (finished && row.parent_id) await this.childFinished(c, row.parent_id, status, now);
      return updated.rows[0] ?? null;
    });
    return row ? toRecord(row) : null;
  }

  async retryTask(taskId: string, actor: string, now = new Date()): Promise<TaskRecord> {
    const at = now.getTime();
    const row = await this.tx(async (c) => {
      const row = await this.mustRow(c, taskId, true);
      if (row.status !== 'failed' && row.status !== 'cancelled') {
        throw new CutterError(
          'CUTTER_REFUSED',
          `task ${taskId} is ${row.status}; only failed or cancelled tasks can be retried`,
        );
      }
      const { rows } = await c.query<TaskRow>(
        `UPDATE cutter.tasks SET status = 'queued', run_after = $2, attempt = 1, error = NULL, wait_reason = NULL,
                locked_by = NULL, locked_until = NULL, lease_id = NULL, finished_at = NULL, updated_at = $2
         WHERE id = $1 RETURNING *`,
        [taskId, at],
      );
      if (row.parent_id) {
        const column = row.status === 'failed' ? 'children_failed' : 'children_cancelled';
        await c.query(
          `UPDATE cutter.tasks SET children_pending = children_pending + 1, ${column} = GREATEST(${column} - 1, 0)
           WHERE id = $1`,
          [row.parent_id],
        );
      }
      await this.insertAudit(c, at, actor, 'task.retry', taskId, { step: row.step, error: row.error });
      await this.dispatch(c, row, at);
      return rows[0] as TaskRow;
    });
    return toRecord(row);
  }

  async wakeTasks(taskIds: readonly string[], now = new Date()): Promise<number> {
    if (taskIds.length === 0) return 0;
    return this.tx(async (c) => {
      const { rows } = await c.query<TaskRow>(
        `UPDATE cutter.tasks SET run_after = $2::bigint, updated_at = $2::bigint
         WHERE id = ANY($1::text[]) AND status = 'waiting' AND run_after IS NOT NULL AND run_after > $2::bigint
         RETURNING *`,
        [[...taskIds], now.getTime()],
      );
      for (const row of rows) await this.dispatch(c, row, now.getTime());
      return rows.length;
    });
  }

  async cancelTask(taskId: string, actor: string, now = new Date()): Promise<TaskRecord> {
    const at = now.getTime();
    const row = await this.tx(async (c) => {
      const row = await this.mustRow(c, taskId, true);
      if (!UNFINISHED.includes(row.status)) {
        throw new CutterError('CUTTER_REFUSED', `task ${taskId} is already ${row.status}`);
      }
      const cancelOne = async (id: string): Promise<void> => {
        await c.query(
          `UPDATE cutter.tasks SET status = 'cancelled', locked_by = NULL, locked_until = NULL, lease_id = NULL,
                  run_after = NULL, finished_at = $2, updated_at = $2 WHERE id = $1`,
          [id, at],
        );
        const children = await c.query<{ id: string }>(
          `SELECT id FROM cutter.tasks WHERE parent_id = $1 AND status IN ('queued', 'running', 'waiting')
           ORDER BY seq FOR NO KEY UPDATE`,
          [id],
        );
        for (const child of children.rows) {
          await cancelOne(child.id);
          await this.childFinished(c, id, 'cancelled', at);
        }
      };
      await cancelOne(taskId);
      if (row.parent_id) await this.childFinished(c, row.parent_id, 'cancelled', at);
      await this.insertAudit(c, at, actor, 'task.cancel', taskId, { status: row.status, step: row.step });
      return this.mustRow(c, taskId);
    });
    return toRecord(row);
  }

  async nextDueAt(kinds?: string[]): Promise<Date | null> {
    const { rows } = await this.pool.query<{ due: number | null }>(
      `SELECT MIN(CASE WHEN status = 'running' THEN locked_until ELSE run_after END) AS due FROM cutter.tasks
       WHERE (status = 'running' OR (status IN ('queued', 'waiting') AND run_after IS NOT NULL))
         AND ($1::text[] IS NULL OR kind = ANY($1::text[]))`,
      [kinds ?? null],
    );
    const due = rows[0]?.due ?? null;
    return due === null ? null : new Date(due);
  }

  private async insertLogRow(c: Sql, entry: StepLogEntry): Promise<number> {
    const { rows } = await c.query<{ id: number }>(
      `INSERT INTO cutter.step_log (task_id, step, started_at, duration_ms, attempt, worker_id, input, patch, outcome,
                                   error, messages)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10::jsonb, $11::jsonb) RETURNING id`,
      [
        entry.taskId,
        entry.step,
        Date.parse(entry.startedAt),
        entry.durationMs,
        entry.attempt,
        entry.workerId,
        jsonOrNull(entry.input),
        jsonOrNull(entry.patch),
        entry.outcome,
        json(entry.error),
        JSON.stringify(entry.messages),
      ],
    );
    return rows[0]?.id ?? 0;
  }

  async appendStepLog(entry: StepLogEntry): Promise<number> {
    return this.insertLogRow(this.pool, entry);
  }

  async listStepLog(taskId: string): Promise<StepLogEntry[]> {
    const { rows } = await this.pool.query(
      `SELECT id, task_id, step, started_at, duration_ms, attempt, worker_id, input, patch, outcome, error, messages,
              input IS NULL AS no_input, patch IS NULL AS no_patch
       FROM cutter.step_log WHERE task_id = $1 ORDER BY id`,
      [taskId],
    );
    return rows.map((row) => ({
      id: row.id,
      taskId: row.task_id,
      step: row.step,
      startedAt: new Date(row.started_at).toISOString(),
      durationMs: row.duration_ms,
      attempt: row.attempt,
      workerId: row.worker_id,
      input: row.input,
      patch: row.patch,
      outcome: row.outcome,
      error: row.error,
      messages: row.messages ?? [],
    }));
  }

  async ingestDelivery(delivery: Delivery, enqueue?: NewTask): Promise<IngestResult> {
    if (!delivery.id) throw new CutterError('CUTTER_BAD_INPUT', 'a delivery needs an id (X-GitHub-Delivery)');
    if (enqueue && (!enqueue.kind || !enqueue.key)) {
      throw new CutterError('CUTTER_BAD_INPUT', 'a task needs a non-empty kind and key', {
        hint: 'key is what serializes work, e.g. "owner/repo"',
      });
    }
    const at = delivery.receivedAt.getTime();
    const candidate = enqueue ? randomUUID() : null;
    const runAfter = enqueue?.runAfter ? enqueue.runAfter.getTime() : at;
    // One statement, so one round trip and its own transaction: the delivery, its task and the task's job are
    // stored together or not at all. The insert of the delivery decides: a concurrent twin waits on the primary
    // key, then inserts nothing and is a duplicate. A task with the same dedupe key that a concurrent ingest commits
    // after this statement's snapshot is not in it: the task insert skips, and the delivery would name the skipped
    // candidate. The deferred foreign key fails that commit instead (nothing is stored) and the statement runs
    // again; its new snapshot has the twin's task. That is the rare race: a duplicate push is found the first time.
    const statement = {
      name: this.dispatchJobs ? 'cutter_ingest_job' : 'cutter_ingest',
      text: `WITH existing AS (SELECT id FROM cutter.tasks WHERE dedupe_key = $8),
         d AS (INSERT INTO cutter.deliveries (id, event, payload, received_at, task_id)
               VALUES ($1, $2, $3::jsonb, $4, CASE WHEN $5::text IS NULL THEN NULL
                                                   ELSE COALESCE((SELECT id FROM existing), $5::text) END)
               ON CONFLICT (id) DO NOTHING RETURNING task_id),
         t AS (INSERT INTO cutter.tasks (id, kind, key, status, data, parent_id, dedupe_key, run_after, created_at,
                                        updated_at)
               SELECT $5::text, $6, $7, 'queued', $9::jsonb, $10, $8, $11, $4, $4
               WHERE $5::text IS NOT NULL AND EXISTS (SELECT 1 FROM d) AND NOT EXISTS (SELECT 1 FROM existing)
               ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, key, run_after)
         ${
           this.dispatchJobs
             ? `, j AS (SELECT graphile_worker.add_job('${TASK_JOB}', json_build_object('taskId', t.id), queue_name => t.key,
                        run_at => to_timestamp(t.run_after::double precision / 1000), job_key => 'task:' || t.id,
                        max_attempts => 25) FROM t)`
             : ''
         }
         SELECT EXISTS (SELECT 1 FROM d) AS stored, (SELECT task_id FROM d) AS task_id,
                (SELECT task_id FROM cutter.deliveries WHERE id = $1) AS seen_task_id
                ${this.dispatchJobs ? ', (SELECT COUNT(*) FROM j) AS jobs' : ''}`,
      values: [
        delivery.id,
        delivery.event,
        delivery.payloadJson ?? JSON.stringify(delivery.payload ?? null),
        at,
        candidate,
        enqueue?.kind ?? null,
        enqueue?.key ?? null,
        enqueue?.dedupeKey ?? null,
        enqueue ? storedData(enqueue.data ?? {}) : null,
        enqueue?.parentId ?? null,
        runAfter,
      ],
    };
    let rows: IngestRow[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        ({ rows } = await this.pool.query<IngestRow>(statement));
        break;
      } catch (err) {
        const { code, constraint } = err as { code?: string; constraint?: string };
        if (code !== '23503' || constraint !== DELIVERY_TASK_FK || attempt >= 3) throw err;
      }
    }
    const row = rows[0];
    if (!row?.stored) {
      // A duplicate. A twin still in flight when this statement began is not in its snapshot: look again.
      const taskId =
        row?.seen_task_id ??
        (
          await this.pool.query<{ task_id: string | null }>('SELECT task_id FROM cutter.deliveries WHERE id = $1', [
            delivery.id,
          ])
        ).rows[0]?.task_id ??
        null;
      return taskId ? { duplicate: true, taskId } : { duplicate: true };
    }
    return enqueue && row.task_id ? { duplicate: false, taskId: row.task_id } : { duplicate: false };
  }

  async getDelivery(id: string): Promise<DeliveryRecord | null> {
    const { rows } = await this.pool.query('SELECT * FROM cutter.deliveries WHERE id = $1', [id]);
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      event: row.event,
      payload: row.payload,
      receivedAt: new Date(row.received_at).toISOString(),
      taskId: row.task_id,
    };
  }

  private async insertAudit(
    c: Sql,
    at: number,
    actor: string,
    action: string,
    target: string | null,
    details: JsonObject | null,
  ): Promise<number> {
    const { rows } = await c.query<{ id: number }>(
      'INSERT INTO cutter.audit (at, actor, action, target, details) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id',
      [at, actor, action, target, json(details)],
    );
    return rows[0]?.id ?? 0;
  }

  async appendAudit(entry: Omit<AuditEntry, 'id' | 'at'> & { at?: string }): Promise<number> {
    const at = entry.at ? Date.parse(entry.at) : Date.now();
    return this.insertAudit(this.pool, at, entry.actor, entry.action, entry.target ?? null, entry.details ?? null);
  }

  async listAudit(filter: { target?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 100), 1), 1000);
    const { rows } =
      filter.target === undefined
        ? await this.pool.query('SELECT * FROM cutter.audit ORDER BY id DESC LIMIT $1', [limit])
        : await this.pool.query('SELECT * FROM cutter.audit WHERE target = $1 ORDER BY id DESC LIMIT $2', [
            filter.target,
            limit,
          ]);
    return rows.map((r) => ({
      id: r.id,
      at: new Date(r.at).toISOString(),
      actor: r.actor,
      action: r.action,
      target: r.target,
      details: r.details,
    }));
  }

  async kvGet(key: string): Promise<KvEntry | null> {
    const { rows } = await this.pool.query('SELECT value, version, updated_at FROM cutter.kv WHERE key = $1', [key]);
    const row = rows[0];
    return row ? { value: row.value, version: row.version, updatedAt: new Date(row.updated_at).toISOString() } : null;
  }

  async kvSet(key: string, value: unknown, expectedVersion?: number | null): Promise<{ ok: boolean; version: number }> {
    const text = JSON.stringify(value ?? null);
    const now = Date.now();
    // Each form is one atomic statement: a concurrent writer either sees our row version or we see theirs.
    const written =
      expectedVersion === undefined
        ? await this.pool.query<{ version: number }>(
            `INSERT INTO cutter.kv (key, value, version, updated_at) VALUES ($1, $2::jsonb, 1, $3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = cutter.kv.version + 1,
                                             updated_at = excluded.updated_at
             RETURNING version`,
            [key, text, now],
          )
        : expectedVersion === null
          ? await this.pool.query<{ version: number }>(
              `INSERT INTO cutter.kv (key, value, version, updated_at) VALUES ($1, $2::jsonb, 1, $3)
               ON CONFLICT (key) DO NOTHING RETURNING version`,
              [key, text, now],
            )
          : await this.pool.query<{ version: number }>(
              `UPDATE cutter.kv SET value = $2::jsonb, version = version + 1, updated_at = $3
               WHERE key = $1 AND version = $4 RETURNING version`,
              [key, text, now, expectedVersion],
            );
    const version = written.rows[0]?.version;
    if (version !== undefined) return { ok: true, version };
    const current = await this.pool.query<{ version: number }>('SELECT version FROM cutter.kv WHERE key = $1', [key]);
    return { ok: false, version: current.rows[0]?.version ?? 0 };
  }

  async childCounts(parentId: string): Promise<ChildCounts> {
    const { rows } = await this.pool.query(
      `SELECT COUNT(*)::int AS total,
              COUNT(*) FILTER (WHERE status IN ('queued', 'running', 'waiting'))::int AS pending,
              COUNT(*) FILTER (WHERE status = 'done')::int AS done,
              COUNT(*) FILTER (WHERE status = 'failed')::int AS failed,
              COUNT(*) FILTER (WHERE status = 'cancelled')::int AS cancelled
       FROM cutter.tasks WHERE parent_id = $1`,
      [parentId],
    );
    const row = rows[0] ?? {};
    return {
      total: row.total ?? 0,
      pending: row.pending ?? 0,
      done: row.done ?? 0,
      failed: row.failed ?? 0,
      cancelled: row.cancelled ?? 0,
    };
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** `undefined` is not stored (SQL NULL); JSON null is stored as JSON null and read back as null, as in SQLite. */
function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** The URL without its password, for error messages. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the given URL';
  }
}

function silentLogger() {
  // graphile-worker logs migrations at info level; Cutter's own errors say what went wrong.
  return new Logger(() => () => {});
}
