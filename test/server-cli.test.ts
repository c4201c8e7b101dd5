import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CutterError } from '../src/core/errors.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { defineFlow, Engine } from '../src/workflow/index.js';
import { GIT_TEST_ENV } from './support/temp-repo.js';

// From source through tsx: these tests must not wait for, or depend on, a dist/ build of every other area.
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

function runCutter(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const env = { ...process.env, ...GIT_TEST_ENV, ...opts.env };
    delete env['CUTTER_DEBUG'];
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
let db: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutter-tasks-cli-'));
  db = join(dir, 'cutter.db');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A store with one release task that failed at its first step (a broken config), as `cutter serve` leaves it. */
async function storeWithFailedTask(): Promise<string> {
  const store = new SqliteStore(db);
  const { task } = await store.createTask({
    kind: 'release',
    key: 'acme/connector-x',
    data: { repo: { owner: 'acme', name: 'connector-x' }, push: { ref: 'refs/heads/main', after: 'abc' } },
  });
  const flow = defineFlow('release', [
    {
      name: 'classify',
      when: { push: Object, skipped: null },
      run: async () => {
        throw new CutterError('CUTTER_CONFIG_INVALID', '.cutter.yml:3: unknown key "brnaches"');
      },
    },
  ]);
  await new Engine({ store, flows: { release: flow }, deps: null, pollMs: 10 }).runUntilIdle({ timeoutMs: 10_000 });
  await store.close();
  return task.id;
}

describe('cutter tasks', () => {
  it('lists tasks as a table and as JSON', async () => {
    const id = await storeWithFailedTask();
    const table = await runCutter(['tasks', 'list', '--db', db]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+STATUS\s+KIND\s+REPO/);
    expect(table.stdout).toContain(id);
    expect(table.stdout).toMatch(/failed\s+release\s+acme\/connector-x\s+classify/);
    expect(table.stdout).toContain('CUTTER_CONFIG_INVALID');
    const json = await runCutter(['tasks', '--db', db, '--status', 'failed', '--json']);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { tasks: Array<{ id: string }> }).tasks.map((t) => t.id)).toEqual([id]);
    const none = await runCutter(['tasks', 'list', '--db', db, '--status', 'done']);
    expect(none.stdout).toBe('no tasks\n');
  });

  it('shows a task with its step log', async () => {
    const id = await storeWithFailedTask();
    const shown = await runCutter(['tasks', 'show', id, '--db', db]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`task     ${id}`);
    expect(shown.stdout).toMatch(/classify\s+error/);
    expect(shown.stdout).toContain('unknown key "brnaches"');
    const json = JSON.parse((await runCutter(['tasks', 'show', id, '--db', db, '--json'])).stdout) as {
      log: Array<{ step: string }>;
    };
    expect(json.log.map((e) => e.step)).toEqual(['classify']);
  });

  it('queues a failed task again, and refuses to retry it twice', async () => {
    const id = await storeWithFailedTask();
    const retried = await runCutter(['tasks', 'retry', id, '--db', db]);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toBe(`task ${id} queued again from step classify\n`);
    const store = new SqliteStore(db);
    expect((await store.getTask(id))?.status).toBe('queued');
    await store.close();
    const again = await runCutter(['tasks', 'retry', id, '--db', db]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/CUTTER_REFUSED: task .* is queued/);
  });

  it('reports an unknown task id, a missing store and a bad filter', async () => {
    await storeWithFailedTask();
    const unknown = await runCutter(['tasks', 'show', 'nope', '--db', db]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/CUTTER_NOT_FOUND: no task with id nope/);
    const missing = await runCutter(['tasks', '--db', join(dir, 'typo.db')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/CUTTER_NOT_FOUND: no store at .*typo\.db/);
    const badStatus = await runCutter(['tasks', '--db', db, '--status', 'exploded']);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toMatch(/unknown status exploded/);
    const badLimit = await runCutter(['tasks', '--db', db, '--limit', '0']);
    expect(badLimit.code).toBe(2);
  });
});

describe('cutter serve', () => {
  it('refuses to start without a webhook secret, naming the variable', async () => {
    const run = await runCutter(['serve', '--port', '0', '--db', db], {
      env: { CUTTER_WEBHOOK_SECRET: '', GITHUB_TOKEN: 'ghp_example_token_value_123456' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/CUTTER_WEBHOOK_SECRET is not set/);
  });

  it('refuses a port that is not a port', async () => {
    const run = await runCutter(['serve', '--port', 'eighty', '--db', db], {
      env: { CUTTER_WEBHOOK_SECRET: 'secret-value', GITHUB_TOKEN: 'ghp_example_token_value_123456' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--port must be a whole number/);
  });

  it('refuses to start without GitHub credentials', async () => {
    const run = await runCutter(['serve', '--port', '0', '--db', db], {
      env: { CUTTER_WEBHOOK_SECRET: 'secret-value', GITHUB_TOKEN: '', CUTTER_GITHUB_TOKEN: '' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/CUTTER_GITHUB_AUTH/);
  });
});
