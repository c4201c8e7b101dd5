// CUTTER_DATABASE_URL from the command line: serve, tasks and fleet open the shared Postgres store, and a bad or
// unreachable URL is one clear line without the password.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/store/postgres-store.js';
import { type PostgresServer, startPostgres } from './postgres-server.js';
import { runCutterSource } from './support/run-cutter.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

const SERVE_ENV = { CUTTER_WEBHOOK_SECRET: 'cli-secret', GITHUB_TOKEN: 'ghp_cli_token', CUTTER_DEBUG: '' };

describe('CUTTER_DATABASE_URL on the command line', { timeout: 120_000 }, () => {
  it('refuses an unreachable Postgres with one line that names the host but not the password', async () => {
    const url = `postgres://cutter:s3cret-pw@127.0.0.1:${server.port}/no_such_database`;
    for (const args of [
      ['serve', '--port', '0'],
      ['tasks', 'list'],
      ['fleet', '--org', 'acme', '--dry-run'],
    ]) {
      const run = await runCutterSource(args, { ...SERVE_ENV, CUTTER_DATABASE_URL: url });
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr, args.join(' ')).toMatch(/CUTTER_STORE_FAILED: cannot open the Postgres store at postgres:/);
      expect(run.stderr).toContain('no_such_database');
      expect(run.stderr + run.stdout).not.toContain('s3cret-pw');
    }
  });

  it('refuses a URL that is not postgres:// instead of silently using the SQLite file', async () => {
    const run = await runCutterSource(['serve', '--port', '0'], {
      ...SERVE_ENV,
      CUTTER_DATABASE_URL: 'mysql://cutter:s3cret-pw@db/cutter',
    });
    expect(run.code).toBe(2); // a usage error
    expect(run.stderr).toMatch(/CUTTER_BAD_INPUT: CUTTER_DATABASE_URL must be a postgres:\/\/ URL/);
    expect(run.stderr).not.toContain('s3cret-pw');
  });

  it('lists and retries the tasks a serve wrote to Postgres, with no --db', async () => {
    const url = await server.createDatabase();
    const store = await PostgresStore.open(url);
    try {
      const { task } = await store.createTask({ kind: 'release', key: 'acme/connector-cli' });
      await store.cancelTask(task.id, 'test');
      const listed = await runCutterSource(['tasks', 'list', '--json'], { CUTTER_DATABASE_URL: url });
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout).tasks.map((t: { id: string; status: string }) => [t.id, t.status])).toEqual([
        [task.id, 'cancelled'],
      ]);
      const retried = await runCutterSource(['tasks', 'retry', task.id], { CUTTER_DATABASE_URL: url });
      expect(retried.code, retried.stderr).toBe(0);
      expect((await store.getTask(task.id))?.status).toBe('queued');
      // The retry queued the task's job in the same transaction, for whichever serve worker takes it.
      const jobs = await store.pool.query('SELECT key FROM graphile_worker.jobs');
      expect(jobs.rows).toContainEqual({ key: `task:${task.id}` });
    } finally {
      await store.close();
    }
  });
});
