import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'chaos-worker.fixture.ts');

/** Seeded PRNG (mulberry32) so a failing chaos run can be replayed with the same kill times. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<number | null>;
}

function startWorker(store: string, ledger: string, leaseMs = 400): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, store, ledger], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CHAOS_LEASE_MS: String(leaseMs) },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const ready = new Promise<void>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.on('exit', () => resolve());
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) console.error(`chaos worker exited ${code}: ${stderr}`);
      resolve(code);
    });
  });
  return { child, ready, exited };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutter-chaos-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('chaos: SIGKILL at random moments', () => {
  it('finishes every task with every side effect exactly once after repeated kills and restarts', async () => {
    const seed = Number(process.env['CUTTER_CHAOS_SEED'] ?? 20261125);
    const random = seeded(seed);
    const storePath = join(dir, 'cutter.db');
    const ledgerPath = join(dir, 'ledger.db');
    const store = new SqliteStore(storePath);
    const tasks = 50;
    for (let i = 0; i < tasks; i++) {
      await store.createTask({
        kind: 'chaos',
        key: `acme/connector-${i % 10}`,
        data: { n: i },
        dedupeKey: `chaos-${i}`,
      });
    }

    let kills = 0;
    for (let round = 0; round < 5; round++) {
      const worker = startWorker(storePath, ledgerPath);
      await worker.ready;
      const killAfter = 30 + Math.floor(random() * 250);
      const outcome = await Promise.race([worker.exited.then(() => 'exited'), sleep(killAfter).then(() => 'kill')]);
      if (outcome === 'kill') {
        worker.child.kill('SIGKILL');
        kills++;
      }
      await worker.exited;
    }
    const last = startWorker(storePath, ledgerPath);
    expect(await last.exited).toBe(0);

    const all = (await store.listTasks({ limit: 500 })).tasks;
    expect(all).toHaveLength(tasks);
    expect(all.filter((t) => t.status !== 'done').map((t) => `${t.id}:${t.status}:${JSON.stringify(t.error)}`)).toEqual(
      [],
    );

    const ledger = new Database(ledgerPath, { readonly: true });
    const effects = ledger
      .prepare('SELECT task, effect, COUNT(*) AS n FROM effects GROUP BY task, effect')
      .all() as Array<{
      task: string;
      effect: string;
      n: number;
    }>;
    const runs = (ledger.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
    ledger.close();
    expect(effects).toHaveLength(tasks * 3);
    expect(effects.filter((e) => e.n !== 1)).toEqual([]);
    for (const task of all) {
      for (const field of ['tag', 'release', 'notified']) {
        expect(task.data[field]).toMatchObject({ effectId: expect.any(Number) });
      }
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    console.log(
      `chaos seed ${seed}: ${kills} kills, ${runs} step runs for ${tasks * 3} effects (${runs - tasks * 3} re-runs)`,
    );
    await store.close();
  }, 90_000);

  it('never runs one repository in two processes at once, while the processes share the other repositories', async () => {
    const storePath = join(dir, 'cutter.db');
    const ledgerPath = join(dir, 'ledger.db');
    const store = new SqliteStore(storePath);
    for (let i = 0; i < 40; i++)
      await store.createTask({ kind: 'chaos', key: `acme/connector-${i % 8}`, data: { n: i } });
    // Realistic leases: with the 400 ms chaos lease a stalled event loop on a busy machine loses leases and the
    // step legitimately re-runs elsewhere (fenced, so harmless), which would blur this measurement.
    const workers = [startWorker(storePath, ledgerPath, 30_000), startWorker(storePath, ledgerPath, 30_000)];
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);

    const ledger = new Database(ledgerPath, { readonly: true });
    const spans = ledger.prepare('SELECT key, start, end, pid FROM spans').all() as Array<{
      key: string;
      start: number;
      end: number;
      pid: number;
    }>;
    ledger.close();
    expect(spans).toHaveLength(120);
    const sameKeyOverlaps = spans.filter((a) =>
      spans.some((b) => a !== b && a.key === b.key && a.start < b.end && b.start < a.end),
    );
    expect(sameKeyOverlaps).toEqual([]);
    expect(new Set(spans.map((s) => s.pid)).size).toBe(2);
    expect((await store.listTasks({ status: 'done', limit: 500 })).tasks).toHaveLength(40);
    await store.close();
  }, 60_000);
});
