// The versioned SQLite schema: an append-only list of migrations, applied in order and recorded.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Never edit a released migration: append a new one. Times are epoch milliseconds; JSON lives in TEXT columns. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tasks, step log, deliveries, audit, kv',
    sql: `
CREATE TABLE tasks (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued','running','waiting','done','failed','cancelled')),
  data TEXT NOT NULL CHECK (json_valid(data)),
  parent_id TEXT,
  dedupe_key TEXT UNIQUE,
  step TEXT,
  attempt INTEGER NOT NULL DEFAULT 1,
  steps_run INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  wait_reason TEXT,
  run_after INTEGER,
  locked_by TEXT,
  locked_until INTEGER,
  children_total INTEGER,
  children_pending INTEGER NOT NULL DEFAULT 0,
  children_done INTEGER NOT NULL DEFAULT 0,
  children_failed INTEGER NOT NULL DEFAULT 0,
  children_cancelled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX tasks_due ON tasks (status, run_after);
CREATE INDEX tasks_by_key ON tasks (key, status, seq);
CREATE INDEX tasks_by_parent ON tasks (parent_id);
CREATE INDEX tasks_by_kind ON tasks (kind, seq);

CREATE TABLE step_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL,
  step TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  attempt INTEGER NOT NULL,
  worker_id TEXT NOT NULL,
  input TEXT,
  patch TEXT,
  outcome TEXT NOT NULL,
  error TEXT,
  messages TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX step_log_by_task ON step_log (task_id, id);

CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  event TEXT NOT NULL,
  payload TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  task_id TEXT
);

CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  details TEXT
);
CREATE INDEX audit_by_target ON audit (target, id);

CREATE TABLE kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'lease ids fence a worker that lost its lease and claimed the task again',
    sql: 'ALTER TABLE tasks ADD COLUMN lease_id TEXT;',
  },
];
