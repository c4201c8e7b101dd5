// `cutter tasks list|show|retry`: read and retry the durable tasks in the store a `cutter serve` writes to.
import type { Command } from 'commander';
import { CutterError } from '../../core/errors.js';
import { redactValue } from '../../core/redact.js';
import type { StepLogEntry, Store, TaskRecord } from '../../store/types.js';
import { openCliStore } from '../cli-store.js';
import { writeOut } from '../write-out.js';

interface DbOptions {
  db: string;
  json?: boolean;
}

interface ListOptions extends DbOptions {
  status?: string;
  kind?: string;
  repo?: string;
  limit: string;
}

async function withStore<T>(db: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openCliStore(db, { mustExist: true });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function oneLine(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** What a reader scans for: the outcome, or why it stopped. */
function summary(task: TaskRecord): string {
  const data = task.data as {
    skipped?: { reason?: string };
    release?: { nextTag?: string; released?: { url?: string } };
  };
  if (task.error) return `${task.error.code}: ${task.error.message}`;
  if (data.skipped?.reason) return `skipped: ${data.skipped.reason}`;
  if (data.release?.released?.url) return `released ${data.release.nextTag ?? ''} ${data.release.released.url}`;
  if (task.waitReason) return `waiting: ${task.waitReason}`;
  return data.release?.nextTag ?? '';
}

export function taskTable(tasks: TaskRecord[]): string {
  if (tasks.length === 0) return 'no tasks\n';
  const rows = [['ID', 'STATUS', 'KIND', 'REPO', 'STEP', 'UPDATED', 'SUMMARY']];
  for (const t of tasks) {
    rows.push([t.id, t.status, t.kind, t.key, t.step ?? '-', t.updatedAt.slice(0, 19), oneLine(summary(t))]);
  }
  return `${table(rows)}\n`;
}

export function taskDetails(task: TaskRecord, log: StepLogEntry[]): string {
  const lines = [
    `task     ${task.id}`,
    `kind     ${task.kind}`,
    `repo     ${task.key}`,
    `status   ${task.status}${task.step ? ` (step ${task.step}, attempt ${task.attempt})` : ''}`,
    `created  ${task.createdAt}`,
    `updated  ${task.updatedAt}`,
  ];
  if (task.error) {
    lines.push(`error    ${task.error.code}: ${task.error.message}${task.error.hint ? ` — ${task.error.hint}` : ''}`);
  }
  const why = summary(task);
  if (why && !task.error) lines.push(`summary  ${why}`);
  lines.push('', 'steps:');
  if (log.length === 0) lines.push('  (none run yet)');
  for (const e of log) {
    const error = e.error ? `  ${e.error.code}: ${oneLine(e.error.message, 100)}` : '';
    lines.push(
      `  ${e.startedAt.slice(11, 23)}  ${e.step.padEnd(16)} ${e.outcome.padEnd(8)} ${e.durationMs} ms${error}`,
    );
    for (const m of e.messages) lines.push(`      ${oneLine(m.message, 110)}`);
  }
  lines.push('', 'data:', JSON.stringify(task.data, null, 2));
  return `${lines.join('\n')}\n`;
}

function positiveLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) {
    throw new CutterError('CUTTER_BAD_INPUT', `--limit must be a whole number from 1 to 500, got "${value}"`);
  }
  return n;
}

export function registerTasks(program: Command): void {
  const tasks = program
    .command('tasks')
    .description('List, show and retry the durable tasks of `cutter serve`')
    .addHelpText(
      'after',
      `
Examples:
  $ cutter tasks                          the 20 newest tasks
  $ cutter tasks list --status failed     what needs attention
  $ cutter tasks show 6f1c…               a task's step log and data (secrets redacted)
  $ cutter tasks retry 6f1c…              run a failed task again from its failed step`,
    );
  const dbOption = [
    '--db <file>',
    'SQLite store (CUTTER_DATABASE_URL=postgres://… instead)',
    '.cutter/cutter.db',
  ] as const;

  tasks
    .command('list', { isDefault: true })
    .description('newest first')
    .option(...dbOption)
    .option('--status <list>', 'only these statuses, e.g. failed or queued,running,waiting')
    .option('--kind <kind>', 'only this task kind, e.g. release')
    .option('--repo <owner/name>', 'only this repository')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print the tasks as JSON')
    .action(async (opts: ListOptions) => {
      const { parseTaskQuery } = await import('../../server/api-routes.js');
      const filter = parseTaskQuery({ status: opts.status, kind: opts.kind, repo: opts.repo });
      const page = await withStore(opts.db, (store) =>
        store.listTasks({ ...filter, limit: positiveLimit(opts.limit) }),
      );
      const safe = redactValue(page);
      await writeOut(opts.json ? `${JSON.stringify(safe, null, 2)}\n` : taskTable(safe.tasks));
    });

  tasks
    .command('show <id>')
    .description("a task's status, step log and data")
    .option(...dbOption)
    .option('--json', 'print { task, log } as JSON')
    .action(async (id: string, opts: DbOptions) => {
      const shown = await withStore(opts.db, async (store) => {
        const task = await store.getTask(id);
        if (!task)
          throw new CutterError('CUTTER_NOT_FOUND', `no task with id ${id}`, { hint: 'list them with `cutter tasks`' });
        return redactValue({ task, log: await store.listStepLog(id) });
      });
      await writeOut(opts.json ? `${JSON.stringify(shown, null, 2)}\n` : taskDetails(shown.task, shown.log));
    });

  tasks
    .command('retry <id>')
    .description('queue a failed or cancelled task again from its recorded step; a running `cutter serve` picks it up')
    .option(...dbOption)
    .option('--json', 'print the task as JSON')
    .action(async (id: string, opts: DbOptions) => {
      const task = await withStore(opts.db, (store) => store.retryTask(id, `cli:${process.env['USER'] ?? 'unknown'}`));
      const safe = redactValue(task);
      await writeOut(
        opts.json
          ? `${JSON.stringify(safe, null, 2)}\n`
          : `task ${safe.id} queued again from step ${safe.step ?? '-'}\n`,
      );
    });

  for (const sub of tasks.commands) sub.exitOverride();
}
