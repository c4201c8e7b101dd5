// The webhook thread's handle on the SQLite file: raw payload text stored as is, and no checkpoint inside its commits.

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

let dir: string;
const stores: SqliteStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutter-ingest-'));
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

function open(name: string, options: ConstructorParameters<typeof SqliteStore>[1] = {}): SqliteStore {
  const s = new SqliteStore(join(dir, name), options);
  stores.push(s);
  return s;
}

const walBytes = async (name: string) => (await stat(join(dir, `${name}-wal`))).size;

describe('ingesting webhook deliveries', () => {
  it('stores the payload text exactly as received when given, and dedupes the delivery id', async () => {
    const store = open('a.db');
    const text = '{"ref":"refs/heads/main",  "after":"abc","n":1.50}';
    const task = { kind: 'release', key: 'acme/x', data: { push: { ref: 'refs/heads/main' } }, dedupeKey: 'push:1' };
    const first = await store.ingestDelivery(
      { id: 'd-1', event: 'push', payload: JSON.parse(text), payloadJson: text, receivedAt: new Date() },
      task,
    );
    const again = await store.ingestDelivery(
      { id: 'd-1', event: 'push', payload: JSON.parse(text), payloadJson: text, receivedAt: new Date() },
      task,
    );
    // A second hook delivering the same push (another delivery id) lands on the same task.
    const twin = await store.ingestDelivery({ id: 'd-2', event: 'push', payload: {}, receivedAt: new Date() }, task);
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ duplicate: true, taskId: first.taskId });
    expect(twin).toEqual({ duplicate: false, taskId: first.taskId });
    expect((await store.getDelivery('d-1'))?.payload).toEqual({ ref: 'refs/heads/main', after: 'abc', n: 1.5 });
    expect((await store.listTasks()).tasks).toHaveLength(1);
  });

  it('never checkpoints inside an ingest when autoCheckpoint is off; checkpoint() lets the WAL start over', async () => {
    const payload = { filler: 'x'.repeat(8_000) };
    const ingestMany = async (store: SqliteStore, prefix: string) => {
      for (let i = 0; i < 700; i++) {
        await store.ingestDelivery({ id: `${prefix}-${i}`, event: 'push', payload, receivedAt: new Date() });
      }
    };
    // SQLite's default checkpoints inside the commit that crosses 1,000 pages (4 MB): the WAL stays near that.
    await ingestMany(open('auto.db'), 'a');
    expect(await walBytes('auto.db')).toBeLessThan(5 * 1024 * 1024);
    const receiver = open('manual.db', { autoCheckpoint: false });
    await ingestMany(receiver, 'm');
    const grown = await walBytes('manual.db');
    expect(grown).toBeGreaterThan(5 * 1024 * 1024);
    // The engine's handle checkpoints off the hot path; the WAL is then reused from its start, not doubled.
    open('manual.db').checkpoint();
    await ingestMany(receiver, 'n');
    expect(await walBytes('manual.db')).toBeLessThan(grown * 1.2);
  });
});
