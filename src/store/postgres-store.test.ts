import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../test/postgres-server.js';
import { openStore } from './index.js';
import { PostgresStore } from './postgres-store.js';
import { storeContract } from './store-contract.js';
import type { Store } from './types.js';

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
    expect(await first.schemaVersion()).toBe(2);
    const { rows } = await first.pool.query('SELECT COUNT(*)::int AS n FROM cutter.schema_migrations');
    expect(rows[0]).toEqual({ n: 2 });
    const jobs = await first.pool.query("SELECT to_regclass('graphile_worker.jobs') IS NOT NULL AS ok");
    expect(jobs.rows[0]).toEqual({ ok: true });
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
