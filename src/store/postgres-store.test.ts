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
