import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CutterError } from '../core/errors.js';
import { clearSecrets, registerSecret } from '../core/redact.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { TaskRecord } from '../store/types.js';
import { Engine, type EngineOptions } from './engine.js';
import { defineFlow } from './flow.js';
import { failsTheTask } from './transient.js';
import type { Flow, Step, StepEvent } from './types.js';

let dir: string;
let dbPath: string;
const stores: SqliteStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutter-engine-'));
  dbPath = join(dir, 'cutter.db');
});

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  clearSecrets();
  await rm(dir, { recursive: true, force: true });
});

function openStore(): SqliteStore {
  const s = new SqliteStore(dbPath);
  stores.push(s);
  return s;
}

function engineFor<D>(flows: Record<string, Flow<D>>, deps: D, over: Partial<EngineOptions<D>> = {}): Engine<D> {
  return new Engine({
    store: openStore(),
    flows,
    deps,
    pollMs: 5,
    retry: { baseMs: 5, maxMs: 20 },
    ...over,
  });
}

/** What another process sees in the SQLite file right now. */
function peek(taskId: string): { data: Record<string, unknown>; steps: string[] } {
  const db = new Database(dbPath, { readonly: true });
  try {
    const row = db.prepare('SELECT data FROM tasks WHERE id = ?').get(taskId) as { data: string };
    const steps = (
      db.prepare('SELECT step FROM step_log WHERE task_id = ? ORDER BY id').all(taskId) as { step: string }[]
    ).map((r) => r.step);
    return { data: JSON.parse(row.data), steps };
  } finally {
    db.close();
  }
}

/** The task as the store has it now. */
async function taskNow(id: string): Promise<TaskRecord> {
  return (await (stores[0] as SqliteStore).getTask(id)) as TaskRecord;
}

const httpError = (status: number, message = `HTTP ${status}`) => Object.assign(new Error(message), { status });

describe('a flow of steps', () => {
  it('runs a 3-step release flow in order and persists after every step, before the next starts', async () => {
    const seen: Array<{ step: string; persisted: ReturnType<typeof peek> }> = [];
    const flow = defineFlow<null>('release', [
      {
        name: 'get latest tag',
        when: { release: { latest: null } },
        run: async (ctx) => {
          seen.push({ step: 'get latest tag', persisted: peek(ctx.taskId) });
          return { patch: { release: { latest: { tag: 'v1.2.3' } } } };
        },
      },
      {
        name: 'calc next version',
        when: { release: { latest: Object, next: null } },
        run: async (ctx) => {
          seen.push({ step: 'calc next version', persisted: peek(ctx.taskId) });
          return { patch: { release: { next: '1.2.4' } } };
        },
      },
      {
        name: 'create tag',
        when: { release: { next: String, tagged: null } },
        effect: 'idempotent',
        run: async (ctx) => {
          seen.push({ step: 'create tag', persisted: peek(ctx.taskId) });
          return { patch: { release: { tagged: { ref: 'refs/tags/v1.2.4' } } } };
        },
      },
    ]);
    const engine = engineFor({ release: flow }, null);
    const task = await engine.enqueue({ kind: 'release', key: 'acme/x', data: { release: {} } });
    await engine.runUntilIdle();

    expect(seen.map((s) => s.step)).toEqual(['get latest tag', 'calc next version', 'create tag']);
    expect(seen[0]?.persisted).toEqual({ data: { release: {} }, steps: [] });
    expect(seen[1]?.persisted).toEqual({ data: { release: { latest: { tag: 'v1.2.3' } } }, steps: ['get latest tag'] });
    expect(seen[2]?.persisted.steps).toEqual(['get latest tag', 'calc next version']);
    expect(seen[2]?.persisted.data).toEqual({ release: { latest: { tag: 'v1.2.3' }, next: '1.2.4' } });

    const done = await taskNow(task.id);
    expect(done.status).toBe('done');
    expect(done.data).toEqual({
      release: { latest: { tag: 'v1.2.3' }, next: '1.2.4', tagged: { ref: 'refs/tags/v1.2.4' } },
    });
    const log = await stores[0]?.listStepLog(task.id);
    expect(log?.map((e) => [e.step, e.outcome, e.attempt])).toEqual([
      ['get latest tag', 'patch', 1],
      ['calc next version', 'patch', 1],
      ['create tag', 'patch', 1],
    ]);
    expect(log?.[1]?.input).toEqual({ release: { latest: { tag: 'v1.2.3' } } });
    expect(log?.[1]?.patch).toEqual({ release: { next: '1.2.4' } });
    expect(log?.every((e) => e.durationMs >= 0 && !Number.isNaN(Date.parse(e.startedAt)))).toBe(true);
  });

  it('retries a step that fails transiently three times, then succeeds', async () => {
    let calls = 0;
    const flow = defineFlow<null>('flaky', [
      {
        name: 'create release',
        when: { released: null },
        run: async (ctx) => {
          calls++;
          if (ctx.attempt <= 3) throw httpError(502, 'Bad Gateway');
          return { patch: { released: { url: 'https://example.test/r/1' } } };
        },
      },
    ]);
    const engine = engineFor({ flaky: flow }, null);
    const task = await engine.enqueue({ kind: 'flaky', key: 'acme/x' });
    await engine.runUntilIdle();
    expect(calls).toBe(4);
    const done = await taskNow(task.id);
    expect(done).toMatchObject({
      status: 'done',
      error: null,
      data: { released: { url: 'https://example.test/r/1' } },
    });
    const log = (await stores[0]?.listStepLog(task.id)) ?? [];
    expect(log.map((e) => [e.outcome, e.attempt])).toEqual([
      ['retry', 1],
      ['retry', 2],
      ['retry', 3],
      ['patch', 4],
    ]);
    expect(log[0]?.error).toMatchObject({
      code: 'CUTTER_TRANSIENT',
      transient: true,
      message: 'Bad Gateway (HTTP 502)',
    });
  });

  it('gives up on a transient failure after maxAttempts and keeps the failed step', async () => {
    const flow = defineFlow<null>('down', [
      {
        name: 'notify',
        when: { notified: null },
        retry: { maxAttempts: 3 },
        run: async () => {
          throw Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });
        },
      },
    ]);
    const engine = engineFor({ down: flow }, null);
    const task = await engine.enqueue({ kind: 'down', key: 'acme/x' });
    await engine.runUntilIdle();
    expect(await taskNow(task.id)).toMatchObject({ status: 'failed', step: 'notify', attempt: 3 });
    expect((await stores[0]?.listStepLog(task.id))?.map((e) => e.outcome)).toEqual(['retry', 'retry', 'error']);
  });

  it('tells a step how many runs it gets, so it can tell the run the engine will not retry (failsTheTask)', async () => {
    const seen: Array<[number, number, boolean]> = [];
    const flow = defineFlow<null>('down', [
      {
        name: 'notify',
        when: { notified: null },
        retry: { maxAttempts: 3 },
        run: async (ctx) => {
          const err = new CutterError('CUTTER_TRANSIENT', 'registry answered 503', { transient: true });
          seen.push([ctx.attempt, ctx.maxAttempts, failsTheTask(err, ctx)]);
          throw err;
        },
      },
    ]);
    const engine = engineFor({ down: flow }, null);
    const task = await engine.enqueue({ kind: 'down', key: 'acme/x' });
    await engine.runUntilIdle();
    expect(seen).toEqual([
      [1, 3, false],
      [2, 3, false],
      [3, 3, true],
    ]);
    expect(failsTheTask(new CutterError('CUTTER_REFUSED', 'no'), { attempt: 1, maxAttempts: 3 })).toBe(true);
    expect((await taskNow(task.id))?.status).toBe('failed');
  });

  it('waits as long as the server asks (retry-after) before the next attempt', async () => {
    const starts: number[] = [];
    const flow = defineFlow<null>('limited', [
      {
        name: 'create tag',
        when: { tagged: null },
        run: async () => {
          starts.push(Date.now());
          if (starts.length === 1) {
            throw Object.assign(httpError(403, 'You have exceeded a secondary rate limit'), {
              response: { headers: { 'retry-after': '0.2' } },
            });
          }
          return { patch: { tagged: true } };
        },
      },
    ]);
    const engine = engineFor({ limited: flow }, null);
    await engine.enqueue({ kind: 'limited', key: 'acme/x' });
    await engine.runUntilIdle();
    expect(starts).toHaveLength(2);
    expect((starts[1] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(190);
  });

  it('fails at once on a permanent error, and retry resumes from that step with the data kept', async () => {
    const runs: Record<string, number> = { 'get latest tag': 0, 'create tag': 0 };
    const deps = { tagApiBroken: true };
    const flow = defineFlow<typeof deps>('release', [
      {
        name: 'get latest tag',
        when: { latest: null },
        run: async () => {
          runs['get latest tag'] = (runs['get latest tag'] ?? 0) + 1;
          return { patch: { latest: 'v1.0.0' } };
        },
      },
      {
        name: 'create tag',
        when: { latest: String, tagged: null },
        run: async (ctx) => {
          runs['create tag'] = (runs['create tag'] ?? 0) + 1;
          if (ctx.deps.tagApiBroken) throw httpError(422, 'Reference update failed');
          return { patch: { tagged: 'v1.0.1' } };
        },
      },
    ]);
    const engine = engineFor({ release: flow }, deps);
    const task = await engine.enqueue({ kind: 'release', key: 'acme/x' });
    await engine.runUntilIdle();
    const failed = await taskNow(task.id);
    expect(failed).toMatchObject({
      status: 'failed',
      step: 'create tag',
      data: { latest: 'v1.0.0' },
      error: { code: 'CUTTER_INTERNAL', message: 'Reference update failed (HTTP 422)', transient: false },
    });
    expect(runs).toEqual({ 'get latest tag': 1, 'create tag': 1 });

    deps.tagApiBroken = false;
    await engine.retry(task.id, 'alice');
    await engine.runUntilIdle();
    expect(await taskNow(task.id)).toMatchObject({
      status: 'done',
      data: { latest: 'v1.0.0', tagged: 'v1.0.1' },
    });
    expect(runs).toEqual({ 'get latest tag': 1, 'create tag': 2 });
    expect(await stores[0]?.listAudit({ target: task.id })).toMatchObject([{ actor: 'alice', action: 'task.retry' }]);
  });

  it('keeps the patch of a step that fails on purpose, so a retry starts from what the failure left behind', async () => {
    let runs = 0;
    const flow = defineFlow<null>('gate', [
      {
        name: 'wait for checks',
        when: { cleared: null },
        run: async (ctx) => {
          runs++;
          const since = ctx.data['since'] as number | undefined;
          if (since === undefined) return { patch: { since: runs } };
          if (runs === 2) {
            return { patch: { since: null }, fail: new CutterError('CUTTER_STEP_TIMEOUT', 'checks still pending') };
          }
          return { patch: { cleared: since } };
        },
      },
    ]);
    const engine = engineFor({ gate: flow }, null);
    const task = await engine.enqueue({ kind: 'gate', key: 'acme/x' });
    await engine.runUntilIdle();
    const failed = await taskNow(task.id);
    expect(failed).toMatchObject({ status: 'failed', step: 'wait for checks', data: {} });
    expect(failed.error).toEqual({ code: 'CUTTER_STEP_TIMEOUT', message: 'checks still pending', transient: false });
    expect(runs).toBe(2);

    await engine.retry(task.id);
    await engine.runUntilIdle();
    expect(await taskNow(task.id)).toMatchObject({ status: 'done', data: { cleared: 3 } });
  });

  it('refuses a fail outcome that also waits or completes', async () => {
    const flow = defineFlow<null>('k', [
      { name: 'a', when: { a: null }, run: async () => ({ fail: new Error('no'), wait: { reason: 'x' } }) },
    ]);
    const engine = engineFor({ k: flow }, null);
    const task = await engine.enqueue({ kind: 'k', key: 'acme/x' });
    await engine.runUntilIdle();
    expect((await taskNow(task.id)).error?.message).toContain('fail is an error and goes with a patch only');
  });

  it('refuses to retry a task that did not fail', async () => {
    const flow = defineFlow<null>('k', [{ name: 'a', when: { a: null }, run: async () => ({ patch: { a: 1 } }) }]);
    const engine = engineFor({ k: flow }, null);
    const task = await engine.enqueue({ kind: 'k', key: 'acme/x' });
    await expect(engine.retry(task.id)).rejects.toMatchObject({ code: 'CUTTER_REFUSED' });
  });
});

describe('progress checks', () => {
  it('fails a step that returns without changing the data: "step X made no progress"', async () => {
    const flow = defineFlow<null>('stuck', [
      { name: 'check release done', when: { done: null }, run: async () => ({}) },
    ]);
    const engine = engineFor({ stuck: flow }, null);
    const task = await engine.enqueue({ kind: 'stuck', key: 'acme/x' });
    await engine.runUntilIdle();
    const failed = await taskNow(task.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({
      code: 'CUTTER_NO_PROGRESS',
      message: 'step "check release done" made no progress',
    });
  });

  it('lets a step work through a list one item per run (its data changes each time)', async () => {
    const flow = defineFlow<null>('fetch tags', [
      {
        name: 'fetch repository tag',
        when: { repos: Array },
        run: async (ctx) => {
          const [repo, ...rest] = ctx.data['repos'] as string[];
          const tags = { ...((ctx.data['tags'] as object) ?? {}), [repo as string]: 'v1.0.0' };
          return { patch: { repos: rest.length ? rest : null, tags } };
        },
      },
    ]);
    const engine = engineFor({ 'fetch tags': flow }, null);
    const task = await engine.enqueue({ kind: 'fetch tags', key: 'acme', data: { repos: ['a', 'b', 'c'] } });
    await engine.runUntilIdle();
    expect(await taskNow(task.id)).toMatchObject({
      status: 'done',
      stepsRun: 3,
      data: { tags: { a: 'v1.0.0', b: 'v1.0.0', c: 'v1.0.0' } },
    });
  });

  it('fails two steps that feed each other forever once the step budget is spent', async () => {
    const flow = defineFlow<null>('ping-pong', [
      { name: 'ping', when: { state: 'ping' }, run: async () => ({ patch: { state: 'pong' } }) },
      { name: 'pong', when: { state: 'pong' }, run: async () => ({ patch: { state: 'ping' } }) },
    ]);
    const engine = engineFor({ 'ping-pong': flow }, null, { maxStepsPerTask: 20 });
    const task = await engine.enqueue({ kind: 'ping-pong', key: 'acme/x', data: { state: 'ping' } });
    await engine.runUntilIdle();
    expect(await taskNow(task.id)).toMatchObject({
      status: 'failed',
      stepsRun: 20,
      error: { code: 'CUTTER_NO_PROGRESS' },
    });
  });

  it('fails a step that returns something that is not an outcome, without retrying', async () => {
    const flow = defineFlow<null>('bad', [
      { name: 'broken', when: { x: null }, run: async () => null as never },
      { name: 'bad child', when: { x: 1 }, run: async () => ({ children: [{ kind: '', key: 'k' }] }) },
      { name: 'bad wait', when: { x: 2 }, run: async () => ({ wait: {} as never }) },
      { name: 'bad patch', when: { x: 3 }, run: async () => ({ patch: ['x'] as never }) },
    ]);
    const engine = engineFor({ bad: flow }, null);
    const a = await engine.enqueue({ kind: 'bad', key: 'acme/a' });
    const b = await engine.enqueue({ kind: 'bad', key: 'acme/b', data: { x: 1 } });
    const c = await engine.enqueue({ kind: 'bad', key: 'acme/c', data: { x: 2 } });
    const d = await engine.enqueue({ kind: 'bad', key: 'acme/d', data: { x: 3 } });
    await engine.runUntilIdle();
    expect((await taskNow(c.id)).error?.message).toContain('wait needs a reason');
    expect((await taskNow(d.id)).error?.message).toContain('patch must be an object');
    expect(await taskNow(a.id)).toMatchObject({ status: 'failed', error: { code: 'CUTTER_INTERNAL' } });
    expect(await taskNow(b.id)).toMatchObject({
      status: 'failed',
      error: { message: expect.stringContaining('every child needs a kind and a key') },
    });
  });

  it('times a step out and counts it as a transient failure', async () => {
    const flow = defineFlow<null>('slow', [
      {
        name: 'confirm',
        when: { confirmed: null },
        timeoutMs: 50,
        retry: { maxAttempts: 2 },
        run: (ctx) =>
          new Promise((resolve) => {
            ctx.signal.addEventListener('abort', () => resolve({ patch: { confirmed: 'too late' } }));
          }),
      },
    ]);
    const engine = engineFor({ slow: flow }, null);
    const task = await engine.enqueue({ kind: 'slow', key: 'acme/x' });
    await engine.runUntilIdle();
    const failed = await taskNow(task.id);
    expect(failed).toMatchObject({
      status: 'failed',
      attempt: 2,
      error: { code: 'CUTTER_STEP_TIMEOUT', transient: true },
    });
    expect(failed.data).toEqual({});
  });
});

describe('waiting', () => {
  it('parks a task that waits and looks at it again after pollMs', async () => {
    let polls = 0;
    const flow = defineFlow<null>('confirm', [
      {
        name: 'check release published',
        when: { published: null },
        run: async () => {
          polls++;
          return polls < 3 ? { wait: { reason: 'release still a draft', pollMs: 20 } } : { patch: { published: true } };
        },
      },
    ]);
    const engine = engineFor({ confirm: flow }, null);
    const task = await engine.enqueue({ kind: 'confirm', key: 'acme/x' });
    await engine.runUntilIdle();
    expect(polls).toBe(3);
    expect((await stores[0]?.listStepLog(task.id))?.map((e) => e.outcome)).toEqual(['wait', 'wait', 'patch']);
    expect(await taskNow(task.id)).toMatchObject({ status: 'done', waitReason: null });
  });

  it('finishes a task at once when a step says complete', async () => {
    const flow = defineFlow<null>('skip', [
      {
        name: 'classify',
        when: { ref: String },
        run: async () => ({ patch: { skipped: 'bot author' }, complete: true }),
      },
      { name: 'never', when: { skipped: String }, run: async () => ({ patch: { ran: true } }) },
    ]);
    const engine = engineFor({ skip: flow }, null);
    const task = await engine.enqueue({ kind: 'skip', key: 'acme/x', data: { ref: 'refs/heads/main' } });
    await engine.runUntilIdle();
    expect(await taskNow(task.id)).toMatchObject({ status: 'done', data: { skipped: 'bot author' } });
  });
});

describe('per-repository serialization', () => {
  it('never overlaps two tasks of one repository, while different repositories run together', async () => {
    const spans: Array<{ key: string; start: number; end: number }> = [];
    const slowStep: Step<null> = {
      name: 'work',
      when: { worked: null },
      run: async (ctx) => {
        const start = performance.now();
        await sleep(40);
        spans.push({ key: ctx.key, start, end: performance.now() });
        return { patch: { worked: true } };
      },
    };
    const flows = { work: defineFlow<null>('work', [slowStep]) };
    // Two engines on the same file, as two processes would be.
    const one = engineFor(flows, null, { concurrency: 4 });
    const two = engineFor(flows, null, { concurrency: 4 });
    for (const key of ['acme/a', 'acme/a', 'acme/a', 'acme/b', 'acme/b', 'acme/c'])
      await one.enqueue({ kind: 'work', key });
    await Promise.all([one.runUntilIdle(), two.runUntilIdle()]);

    expect(spans).toHaveLength(6);
    for (const a of spans) {
      for (const b of spans) {
        if (a !== b && a.key === b.key) expect(a.end <= b.start || b.end <= a.start).toBe(true);
      }
    }
    const overlapping = spans.some((a) => spans.some((b) => a.key !== b.key && a.start < b.end && b.start < a.end));
    expect(overlapping).toBe(true);
  });

  it('runs a retry that comes due while a long step of another repository is still running', async () => {
    const finished: string[] = [];
    const flow = defineFlow<null>('mixed', [
      {
        name: 'work',
        when: { worked: null },
        run: async (ctx) => {
          if (ctx.key === 'acme/slow') await sleep(500);
          else if (ctx.attempt === 1) throw httpError(503);
          finished.push(ctx.key);
          return { patch: { worked: true } };
        },
      },
    ]);
    const engine = engineFor({ mixed: flow }, null, { concurrency: 2 });
    await engine.enqueue({ kind: 'mixed', key: 'acme/slow' });
    await engine.enqueue({ kind: 'mixed', key: 'acme/flaky' });
    await engine.runUntilIdle();
    expect(finished).toEqual(['acme/flaky', 'acme/slow']);
  });

  it('runs the tasks of one repository in the order they arrived', async () => {
    const order: number[] = [];
    const flow = defineFlow<null>('seq', [
      {
        name: 'record',
        when: { recorded: null },
        run: async (ctx) => {
          order.push(ctx.data['n'] as number);
          return { patch: { recorded: true } };
        },
      },
    ]);
    const engine = engineFor({ seq: flow }, null, { concurrency: 8 });
    for (let n = 0; n < 6; n++) await engine.enqueue({ kind: 'seq', key: 'acme/x', data: { n } });
    await engine.runUntilIdle();
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('fan-out', () => {
  it('creates one child per repository, waits for all of them, then summarises', async () => {
    let finishedChildren = 0;
    let summarisedAfter = -1;
    const fleet = defineFlow<null>('fleet', [
      {
        name: 'fan out',
        when: { repos: Array, children: null },
        run: async (ctx) => ({
          patch: { repos: null, started: true },
          children: (ctx.data['repos'] as string[]).map((repo) => ({ kind: 'release', key: repo, data: { repo } })),
        }),
      },
      {
        name: 'summarise',
        when: { children: { pending: 0 }, summary: null },
        run: async (ctx) => {
          summarisedAfter = finishedChildren;
          const kids = await ctx.listChildren();
          const summary = kids.map((k) => `${k.key}:${k.status}`).sort();
          return { patch: { summary } };
        },
      },
    ]);
    const release = defineFlow<null>('release', [
      {
        name: 'release one',
        when: { released: null },
        run: async (ctx) => {
          await sleep(10);
          finishedChildren++;
          if (ctx.key === 'acme/connector-bad') throw httpError(404, 'Not Found');
          return { patch: { released: true } };
        },
      },
    ]);
    const engine = engineFor({ fleet, release }, null, { concurrency: 3 });
    const parent = await engine.enqueue({
      kind: 'fleet',
      key: 'acme',
      data: { repos: ['acme/connector-a', 'acme/connector-b', 'acme/connector-bad', 'acme/connector-c'] },
    });
    await engine.runUntilIdle();
    const done = await taskNow(parent.id);
    expect(done.status).toBe('done');
    expect(summarisedAfter).toBe(4);
    expect(done.data['summary']).toEqual([
      'acme/connector-a:done',
      'acme/connector-b:done',
      'acme/connector-bad:failed',
      'acme/connector-c:done',
    ]);
    expect(done.children).toEqual({ total: 4, pending: 0, done: 3, failed: 1, cancelled: 0 });
    const kids = (await stores[0]?.listTasks({ parentId: parent.id }))?.tasks ?? [];
    expect(kids.every((k) => k.parentId === parent.id)).toBe(true);
  });

  it('finishes a fleet run with no repositories to release', async () => {
    const fleet = defineFlow<null>('fleet', [
      { name: 'fan out', when: { repos: Array, children: null }, run: async () => ({ children: [] }) },
      {
        name: 'summarise',
        when: { children: { pending: 0 }, summary: null },
        run: async () => ({ patch: { summary: 'nothing' } }),
      },
    ]);
    const engine = engineFor({ fleet }, null);
    const parent = await engine.enqueue({ kind: 'fleet', key: 'acme', data: { repos: [] } });
    await engine.runUntilIdle();
    expect(await taskNow(parent.id)).toMatchObject({ status: 'done', data: { summary: 'nothing' } });
  });
});

describe('secrets', () => {
  it('never writes a registered secret into the step log', async () => {
    const secret = 'ghs_supersecretinstallationtoken123';
    const webhookSecret = 'my-webhook-secret-value';
    registerSecret(webhookSecret);
    const flow = defineFlow<{ token: string }>('leaky', [
      {
        name: 'log things',
        when: { step1: null },
        run: async (ctx) => {
          ctx.log(`calling GitHub with ${ctx.deps.token} and ${webhookSecret}`, {
            token: ctx.deps.token,
            hook: webhookSecret,
          });
          return { patch: { step1: { note: `signed with ${webhookSecret}`, token: ctx.deps.token } } };
        },
      },
      {
        name: 'fail loudly',
        when: { step1: Object, step2: null },
        run: async () => {
          throw new CutterError('CUTTER_GITHUB_AUTH', `bad credentials for ${webhookSecret}`, {
            hint: `rotate ${secret}`,
          });
        },
      },
    ]);
    const engine = engineFor({ leaky: flow }, { token: secret });
    const lines: string[] = [];
    engine.on('log', (e) => lines.push(JSON.stringify(e)));
    const task = await engine.enqueue({ kind: 'leaky', key: 'acme/x' });
    await engine.runUntilIdle();
    const raw = new Database(dbPath, { readonly: true });
    const log = JSON.stringify(raw.prepare('SELECT * FROM step_log WHERE task_id = ?').all(task.id));
    raw.close();
    expect(log).toContain('[REDACTED]');
    expect(log).not.toContain(secret);
    expect(log).not.toContain(webhookSecret);
    expect(lines.join('\n')).not.toContain(webhookSecret);
    expect(await taskNow(task.id)).toMatchObject({ status: 'failed', error: { code: 'CUTTER_GITHUB_AUTH' } });
  });
});

describe('engine lifecycle', () => {
  const oneStep = defineFlow<null>('one', [
    { name: 'do it', when: { done: null }, run: async () => ({ patch: { done: true } }) },
  ]);

  it('works in the background after start() and tells listeners about steps and tasks', async () => {
    const engine = engineFor({ one: oneStep }, null);
    const steps: StepEvent[] = [];
    const statuses: string[] = [];
    engine.on('step', (e) => steps.push(e));
    const off = engine.on('task', (t) => statuses.push(t.status));
    engine.start();
    const task = await engine.enqueue({ kind: 'one', key: 'acme/x' });
    for (let i = 0; i < 200 && (await taskNow(task.id)).status !== 'done'; i++) await sleep(10);
    await engine.stop();
    off();
    expect(steps.map((s) => [s.taskId, s.entry.step])).toEqual([[task.id, 'do it']]);
    expect(statuses).toEqual(['queued', 'running', 'done']);
  });

  it('refuses a task of a kind it has no flow for', async () => {
    const engine = engineFor({ one: oneStep }, null);
    await expect(engine.enqueue({ kind: 'nope', key: 'acme/x' })).rejects.toMatchObject({ code: 'CUTTER_BAD_INPUT' });
  });

  it('cancels a queued task so that it never runs', async () => {
    const engine = engineFor({ one: oneStep }, null);
    const task = await engine.enqueue({ kind: 'one', key: 'acme/x' });
    await engine.cancel(task.id, 'bob');
    await engine.runUntilIdle();
    expect(await taskNow(task.id)).toMatchObject({ status: 'cancelled', data: {} });
  });

  it('resumes a task left running by a dead worker once its lease expires, from its persisted data', async () => {
    const ran: string[] = [];
    const flow = defineFlow<null>('resume', [
      {
        name: 'first',
        when: { a: null },
        run: async () => {
          ran.push('first');
          return { patch: { a: 1 } };
        },
      },
      {
        name: 'second',
        when: { a: 1, b: null },
        run: async () => {
          ran.push('second');
          return { patch: { b: 2 } };
        },
      },
    ]);
    const engine = engineFor({ resume: flow }, null);
    const task = await engine.enqueue({ kind: 'resume', key: 'acme/x', data: { a: 1 } });
    // A worker that claimed it and died (no heartbeat).
    await stores[0]?.claimTask({ workerId: 'dead-worker', now: new Date(), leaseMs: 150 });
    const t0 = Date.now();
    await engine.runUntilIdle();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    expect(ran).toEqual(['second']);
    expect(await taskNow(task.id)).toMatchObject({ status: 'done', lockedBy: null, data: { a: 1, b: 2 } });
  });

  it('hands a task back on a graceful stop after the step in flight is persisted', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const flow = defineFlow<null>('two', [
      {
        name: 'first',
        when: { a: null },
        run: async () => {
          await gate;
          return { patch: { a: 1 } };
        },
      },
      { name: 'second', when: { a: 1, b: null }, run: async () => ({ patch: { b: 2 } }) },
    ]);
    const engine = engineFor({ two: flow }, null);
    engine.start();
    const task = await engine.enqueue({ kind: 'two', key: 'acme/x' });
    for (let i = 0; i < 200 && (await taskNow(task.id)).status !== 'running'; i++) await sleep(5);
    const stopped = engine.stop();
    release();
    await stopped;
    expect(await taskNow(task.id)).toMatchObject({ status: 'queued', lockedBy: null, data: { a: 1 } });
    const next = engineFor({ two: flow }, null);
    await next.runUntilIdle();
    expect(await taskNow(task.id)).toMatchObject({ status: 'done', data: { a: 1, b: 2 } });
  });
});

describe('defineFlow', () => {
  const run = async () => ({});
  it('rejects a table a reader could misread', () => {
    expect(() => defineFlow('x', [])).toThrow(/no steps/);
    expect(() => defineFlow('', [{ name: 'a', when: {}, run }])).toThrow(/needs a name/);
    expect(() =>
      defineFlow('x', [
        { name: 'a', when: { a: null }, run },
        { name: 'a', when: { b: null }, run },
      ]),
    ).toThrow(/two steps named "a"/);
    expect(() =>
      defineFlow('x', [
        { name: 'a', when: { release: { latest: null } }, run },
        { name: 'b', when: { release: { latest: null } }, run },
      ]),
    ).toThrow(/same shape/);
    expect(() => defineFlow('x', [{ name: 'a', when: { at: Date as never }, run }])).toThrow(/at must be/);
  });

  it('describes itself as one table', () => {
    const flow = defineFlow('release', [
      { name: 'get latest tag', when: { release: { latest: null } }, run },
      { name: 'create tag', when: { release: { next: String, tagged: null } }, run },
    ]);
    expect(flow.describe()).toBe(
      'get latest tag  when release: { latest: null }\ncreate tag      when release: { next: String, tagged: null }',
    );
    expect(flow.select({ release: {} })?.name).toBe('get latest tag');
    expect(flow.select({ release: { latest: 'x' } })).toBeNull();
  });
});
