import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCutterError } from '../core/errors.js';
import { openStore } from './index.js';
import { SqliteStore } from './sqlite-store.js';
import { storeContract } from './store-contract.js';

let dir: string;
let store: SqliteStore;
const opened: SqliteStore[] = [];

function open(path = join(dir, 'cutter.db')): SqliteStore {
  const s = new SqliteStore(path);
  opened.push(s);
  return s;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutter-store-'));
  store = open();
});

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SqliteStore schema', () => {
  it('applies the migrations once, even when the file is opened again', async () => {
    expect(store.schemaVersion()).toBe(2);
    const again = open();
    expect(again.schemaVersion()).toBe(2);
    const raw = new Database(join(dir, 'cutter.db'), { readonly: true });
    expect(raw.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: 2 });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('reports a store it cannot open as a CutterError with a hint', () => {
    try {
      new SqliteStore(join(dir, 'missing-dir', 'x.db'));
      expect.unreachable();
    } catch (err) {
      expect(isCutterError(err, 'CUTTER_STORE_FAILED')).toBe(true);
    }
  });
});

describe('openStore', () => {
  it('opens sqlite: URLs and plain paths', async () => {
    const a = await openStore(`sqlite:${join(dir, 'a.db')}`);
    const b = await openStore(join(dir, 'b.db'));
    const { task } = await a.createTask({ kind: 'k', key: 'acme/x' });
    expect((await a.getTask(task.id))?.key).toBe('acme/x');
    expect(await b.listTasks()).toEqual({ tasks: [], nextCursor: null });
    await a.close();
    await b.close();
  });

  it('takes the synchronous level from the URL and rejects unknown levels', async () => {
    const full = await openStore(`sqlite:${join(dir, 'f.db')}?synchronous=full`);
    expect((full as SqliteStore).synchronous()).toBe('FULL');
    expect((store as SqliteStore).synchronous()).toBe('NORMAL');
    await full.close();
    await expect(openStore(`sqlite:${join(dir, 'g.db')}?synchronous=off`)).rejects.toMatchObject({
      code: 'CUTTER_BAD_INPUT',
    });
  });

  it('refuses unknown schemes and empty strings', async () => {
    await expect(openStore('mysql://db/cutter')).rejects.toMatchObject({ code: 'CUTTER_BAD_INPUT' });
    await expect(openStore('  ')).rejects.toMatchObject({ code: 'CUTTER_BAD_INPUT' });
  });
});

describe('SqliteStore across processes', () => {
  it('creates one task when two processes ingest the same delivery id at the same instant', async () => {
    const path = join(dir, 'cutter.db');
    const fixture = fileURLToPath(new URL('./ingest-race.fixture.ts', import.meta.url));
    const racers = Array.from({ length: 2 }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, path, 'race-1'], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      let out = '';
      const ready = new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('ready')) resolve();
        });
      });
      const result = new Promise<{ duplicate: boolean; taskId?: string }>((resolve) => {
        child.on('exit', () => resolve(JSON.parse(out.slice(out.indexOf('{')))));
      });
      return { child, ready, result };
    });
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.child.stdin.end('go\n');
    const outcomes = await Promise.all(racers.map((r) => r.result));
    expect(outcomes.filter((o) => !o.duplicate)).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.taskId)).size).toBe(1);
    expect((await store.listTasks()).tasks).toHaveLength(1);
  });
});

storeContract('SqliteStore', {
  async open() {
    return open();
  },
  async second() {
    return open();
  },
  async cleanup() {
    for (const s of opened.splice(0)) await s.close();
  },
});
