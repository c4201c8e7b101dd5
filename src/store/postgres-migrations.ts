// The versioned Postgres schema (schema `cutter`): the same tables as SQLite, in Postgres types.

import type { Migration } from './sqlite-migrations.js';

/** Never edit a released migration: append a new one. Times are epoch milliseconds (BIGINT), JSON is JSONB. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tasks, step log, deliveries, audit, kv (with lease ids)',
    sql: `
CREATE TABLE cutter.tasks (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued','running','waiting','done','failed','cancelled')),
  data JSONB NOT NULL,
  parent_id TEXT,
  dedupe_key TEXT UNIQUE,
  step TEXT,
  attempt INTEGER NOT NULL DEFAULT 1,
  steps_run INTEGER NOT NULL DEFAULT 0,
  error JSONB,
  wait_reason TEXT,
  run_after BIGINT,
  locked_by TEXT,
  locked_until BIGINT,
  lease_id TEXT,
  children_total INTEGER,
  children_pending INTEGER NOT NULL DEFAULT 0,
  children_done INTEGER NOT NULL DEFAULT 0,
  children_failed INTEGER NOT NULL DEFAULT 0,
  children_cancelled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  finished_at BIGINT
);
CREATE INDEX tasks_due ON cutter.tasks (status, run_after);
CREATE INDEX tasks_by_key ON cutter.tasks (key, status, seq);
CREATE INDEX tasks_by_parent ON cutter.tasks (parent_id);
CREATE INDEX tasks_by_kind ON cutter.tasks (kind, seq);

CREATE TABLE cutter.step_log (
  id BIGSERIAL PRIMARY KEY,
  task_id TEXT NOT NULL,
  step TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  duration_ms DOUBLE PRECISION NOT NULL,
  attempt INTEGER NOT NULL,
  worker_id TEXT NOT NULL,
  input JSONB,
  patch JSONB,
  outcome TEXT NOT NULL,
  error JSONB,
  messages JSONB NOT NULL DEFAULT '[]'
);
CREATE INDEX step_log_by_task ON cutter.step_log (task_id, id);

CREATE TABLE cutter.deliveries (
  id TEXT PRIMARY KEY,
  event TEXT NOT NULL,
  payload JSONB NOT NULL,
  received_at BIGINT NOT NULL,
  task_id TEXT
);

CREATE TABLE cutter.audit (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  details JSONB
);
CREATE INDEX audit_by_target ON cutter.audit (target, id);

CREATE TABLE cutter.kv (
  key TEXT PRIMARY KEY,
  value JSONB NOT NULL,
  version INTEGER NOT NULL,
  updated_at BIGINT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'queue worker heartbeats: a worker not seen for a while is dead and its jobs are taken over',
    sql: 'CREATE TABLE cutter.queue_workers (worker_id TEXT PRIMARY KEY, seen_at TIMESTAMPTZ NOT NULL);',
  },
  {
    version: 3,
    name: 'a delivery names an existing task or none (deferred foreign key); dangling ones repaired',
    // Before this, an ingest that lost the dedupe race to a twin committed its delivery naming a task that was never
    // stored, and a second statement repaired it: a crash between the two left it dangling. Such a delivery now names
    // the task of a twin delivery (same event and payload, hence the same task decision) when that names exactly one
    // existing task, or else no task; each repair is audited. The key is checked at commit (DEFERRABLE INITIALLY
    // DEFERRED), so the one-statement ingest fails on the race instead of committing a dangling id, and is retried.
    // Cutter never deletes tasks; should an operator prune one, its deliveries stay (they dedupe GitHub's
    // redeliveries) and name no task.
    sql: `
WITH dangling AS (
  SELECT d.id, d.task_id AS lost,
         (SELECT MIN(o.task_id) FROM cutter.deliveries o JOIN cutter.tasks t ON t.id = o.task_id
          WHERE o.event = d.event AND o.payload = d.payload AND o.id <> d.id
          HAVING COUNT(DISTINCT o.task_id) = 1) AS twin
  FROM cutter.deliveries d
  WHERE d.task_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cutter.tasks t WHERE t.id = d.task_id)),
fixed AS (
  UPDATE cutter.deliveries d SET task_id = g.twin FROM dangling g WHERE d.id = g.id RETURNING d.id, g.lost, g.twin)
INSERT INTO cutter.audit (at, actor, action, target, details)
SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint, 'cutter:migration-3', 'delivery.repair', id,
       jsonb_build_object('missingTaskId', lost, 'taskId', twin)
FROM fixed;

ALTER TABLE cutter.deliveries ADD CONSTRAINT deliveries_task_id_fkey FOREIGN KEY (task_id)
  REFERENCES cutter.tasks (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
`,
  },
];
