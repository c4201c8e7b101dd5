// The gates before the tag, on the sandbox: a freeze holds a release until lifted (or overridden); required checks
// must be green — red fails naming the check, pending waits.

import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubClient } from '../src/github/client.js';
import { readFreeze, writeFreeze } from '../src/server/freeze-state.js';
import type { ReleaseTaskData } from '../src/steps/release-data.js';
import { RELEASE_TASK_KIND, type ReleaseDeps, releaseFlow, releaseTaskKey } from '../src/steps/release-flow.js';
import { runRelease } from '../src/steps/run-release.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { TaskRecord } from '../src/store/types.js';
import { Engine } from '../src/workflow/index.js';
import { remoteTags, sandboxClient, sandboxRepo, tempStore } from './release-flow-support.js';
import { type Harness, startSandbox, TOKEN } from './sandbox-harness.js';
import { type CutterRun, runCutterSource } from './support/run-cutter.js';

let h: Harness;
let gh: GitHubClient;
const stores: SqliteStore[] = [];
const engines: Engine<ReleaseDeps>[] = [];

beforeAll(async () => {
  h = await startSandbox();
  gh = await sandboxClient(h);
});
afterAll(async () => {
  await h.close();
});
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
  for (const s of stores.splice(0)) await s.close();
});

const acme = (name: string) => ({ owner: 'acme', name });

async function store(): Promise<SqliteStore> {
  const s = await tempStore();
  stores.push(s);
  return s;
}

/** A running engine wired like `cutter serve`: the manual freeze from the store, gates re-checked quickly. */
function engineOn(s: SqliteStore, clock?: () => Date): Engine<ReleaseDeps> {
  const engine = new Engine<ReleaseDeps>({
    store: s,
    flows: { [RELEASE_TASK_KIND]: releaseFlow },
    deps: { github: gh, env: {}, readFreezeSwitch: () => readFreeze(s), gatePollMs: 100 },
    pollMs: 20,
    retry: { baseMs: 10, maxMs: 200 },
    ...(clock ? { clock } : {}),
  });
  engines.push(engine);
  engine.start();
  return engine;
}

/** Tag names on the sandbox remote (annotated tags' peeled `^{}` lines left out). */
async function tagsOf(name: string): Promise<string[]> {
  return [...(await remoteTags(h, name)).keys()].filter((t) => !t.endsWith('^{}'));
}

async function until(s: SqliteStore, id: string, ok: (t: TaskRecord) => boolean, ms = 60_000): Promise<TaskRecord> {
  const deadline = Date.now() + ms;
  for (;;) {
    const t = await s.getTask(id);
    if (t && ok(t)) return t;
    if (Date.now() > deadline) throw new Error(`task ${id} is ${t?.status} at ${t?.step}: ${JSON.stringify(t?.error)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const releaseTask = (name: string, extra: Partial<ReleaseTaskData> = {}) => ({
  kind: RELEASE_TASK_KIND,
  key: releaseTaskKey(acme(name)),
  data: { repo: acme(name), release: {}, trigger: 'test', ...extra } as unknown as Record<string, never>,
});

describe('the freeze gate', { timeout: 120_000 }, () => {
  it('holds a release in a visible waiting state while frozen, and lets it through when lifted', async () => {
    const repo = await sandboxRepo(h, 'gate-freeze', ['feat: first']);
    const s = await store();
    await writeFreeze(s, { frozen: true, reason: 'quarter close', by: 'test' }, new Date());
    const engine = engineOn(s);
    const task = await engine.enqueue(releaseTask(repo.name));
    const waiting = await until(s, task.id, (t) => t.status === 'waiting');
    expect(waiting.step).toBe('freeze-gate');
    expect(waiting.waitReason).toContain('frozen: quarter close');
    // It keeps waiting across re-checks, and nothing is tagged meanwhile.
    await new Promise((r) => setTimeout(r, 400));
    expect((await s.getTask(task.id))?.status).toBe('waiting');
    expect(await tagsOf(repo.name)).toEqual([]);

    await writeFreeze(s, { frozen: false, reason: null, by: 'test' }, new Date());
    const done = await until(s, task.id, (t) => t.status === 'done');
    expect((done.data['release'] as { tagged?: { tag: string } }).tagged?.tag).toBe('v1.0.0');
    expect(await tagsOf(repo.name)).toEqual(['v1.0.0']);
    const log = await s.listStepLog(task.id);
    expect(log.filter((e) => e.step === 'freeze-gate' && e.outcome === 'wait').length).toBeGreaterThanOrEqual(2);
  });

  it('waits during a configured window and passes with an override, which the task records', async () => {
    const always = `freeze:\n  windows:\n    - { from: "2000-01-01", to: "2999-12-31", reason: "release moratorium" }\n`;
    const repo = await sandboxRepo(h, 'gate-window', ['fix: one'], { '.cutter.yml': always });
    const s = await store();
    const engine = engineOn(s);
    const held = await engine.enqueue(releaseTask(repo.name));
    const waiting = await until(s, held.id, (t) => t.status === 'waiting');
    expect(waiting.waitReason).toContain('frozen: release moratorium until 3000-01-01T00:00:00.000Z');
    await engine.cancel(held.id, 'test');

    const override = { by: 'alice', reason: 'security fix', at: new Date().toISOString() };
    const through = await engine.enqueue(releaseTask(repo.name, { overrideFreeze: override }));
    const done = await until(s, through.id, (t) => t.status === 'done');
    const release = done.data['release'] as { freezeCleared?: unknown; tagged?: { tag: string } };
    expect(release.freezeCleared).toMatchObject({
      overridden: { freeze: 'release moratorium', by: 'alice', reason: 'security fix' },
    });
    expect(release.tagged?.tag).toBe('v1.0.0');
  });

  it('lets a waiting task through when an admin grants an override after it started waiting', async () => {
    const repo = await sandboxRepo(h, 'gate-late-override', ['fix: one']);
    const s = await store();
    await writeFreeze(s, { frozen: true, reason: 'incident', by: 'test' }, new Date());
    const grants = new Map<string, { by: string; reason: string; at: string }>();
    const engine = new Engine<ReleaseDeps>({
      store: s,
      flows: { [RELEASE_TASK_KIND]: releaseFlow },
      deps: {
        github: gh,
        env: {},
        readFreezeSwitch: () => readFreeze(s),
        readFreezeOverride: async (id) => grants.get(id) ?? null,
        gatePollMs: 100,
      },
      pollMs: 20,
    });
    engines.push(engine);
    engine.start();
    const task = await engine.enqueue(releaseTask(repo.name));
    await until(s, task.id, (t) => t.status === 'waiting');
    grants.set(task.id, { by: 'dashboard', reason: 'hotfix', at: new Date().toISOString() });
    const done = await until(s, task.id, (t) => t.status === 'done');
    expect((done.data['release'] as { tagged?: { tag: string } }).tagged?.tag).toBe('v1.0.0');
  });
});

describe('the required-checks gate', { timeout: 120_000 }, () => {
  const checks = 'checks:\n  required: [ci/build, test]\n';

  it('a red check blocks tagging: the task fails naming the check and no tag is made', async () => {
    const repo = await sandboxRepo(h, 'gate-red', ['feat: one'], { '.cutter.yml': checks });
    await h.octokit.rest.repos.createCommitStatus({
      owner: 'acme',
      repo: repo.name,
      sha: repo.head,
      state: 'success',
      context: 'ci/build',
    });
    await h.octokit.rest.checks.create({
      owner: 'acme',
      repo: repo.name,
      name: 'test',
      head_sha: repo.head,
      status: 'completed',
      conclusion: 'failure',
    });
    const { task } = await runRelease({
      store: await store(),
      deps: { github: gh, env: {} },
      data: { repo: acme(repo.name), release: {}, trigger: 'test' },
      timeoutMs: 60_000,
    });
    expect(task.status).toBe('failed');
    expect(task.step).toBe('checks-gate');
    expect(task.error?.message).toContain('required check test (failure) failed');
    expect(await tagsOf(repo.name)).toEqual([]);
  });

  it('waits while a required check is pending, then tags once every required check is green', async () => {
    const repo = await sandboxRepo(h, 'gate-pending', ['feat: one'], { '.cutter.yml': checks });
    await h.octokit.rest.repos.createCommitStatus({
      owner: 'acme',
      repo: repo.name,
      sha: repo.head,
      state: 'pending',
      context: 'ci/build',
    });
    const s = await store();
    const engine = engineOn(s);
    const task = await engine.enqueue(releaseTask(repo.name));
    const waiting = await until(s, task.id, (t) => t.status === 'waiting');
    expect(waiting.waitReason).toBe('waiting for required checks: ci/build (pending), test (not reported)');
    await h.octokit.rest.repos.createCommitStatus({
      owner: 'acme',
      repo: repo.name,
      sha: repo.head,
      state: 'success',
      context: 'ci/build',
    });
    await h.octokit.rest.checks.create({
      owner: 'acme',
      repo: repo.name,
      name: 'test',
      head_sha: repo.head,
      status: 'completed',
      conclusion: 'success',
    });
    const done = await until(s, task.id, (t) => t.status === 'done');
    expect((done.data['release'] as { checksCleared?: { passed: string[] } }).checksCleared?.passed).toEqual([
      'ci/build',
      'test',
    ]);
    expect(await tagsOf(repo.name)).toEqual(['v1.0.0']);
  });

  it('fails when checks stay pending past the timeout, and a retry waits for them afresh instead of failing at once', async () => {
    const repo = await sandboxRepo(h, 'gate-timeout-retry', ['feat: one'], {
      '.cutter.yml': 'checks:\n  required: [ci/build]\n  timeoutMinutes: 5\n',
    });
    const pending = { owner: 'acme', repo: repo.name, sha: repo.head, context: 'ci/build' } as const;
    await h.octokit.rest.repos.createCommitStatus({ ...pending, state: 'pending' });
    let skew = 0;
    const s = await store();
    const engine = engineOn(s, () => new Date(Date.now() + skew));
    const task = await engine.enqueue(releaseTask(repo.name));
    await until(s, task.id, (t) => t.status === 'waiting');
    skew = 6 * 60_000; // CI never reports within the 5 minutes
    const failed = await until(s, task.id, (t) => t.status === 'failed');
    expect(failed.error).toMatchObject({ code: 'CUTTER_STEP_TIMEOUT' });
    expect(failed.error?.message).toContain('still pending on');

    // `cutter tasks retry` goes through the store: the retried task must wait again, not time out at once.
    await s.retryTask(task.id, 'cli:test');
    const again = await until(s, task.id, (t) => t.status === 'waiting' || t.status === 'failed');
    expect(again.status).toBe('waiting');
    expect(again.waitReason).toBe('waiting for required checks: ci/build (pending)');
    await h.octokit.rest.repos.createCommitStatus({ ...pending, state: 'success' });
    const done = await until(s, task.id, (t) => t.status === 'done');
    expect((done.data['release'] as { tagged?: { tag: string } }).tagged?.tag).toBe('v1.0.0');
  });
});

const cutter = (args: string[]): Promise<CutterRun> =>
  runCutterSource(args, { CUTTER_GITHUB_TOKEN: TOKEN, GITHUB_TOKEN: '', GITHUB_API_URL: h.url });

describe('cutter release --repo --override-freeze', { timeout: 120_000 }, () => {
  it('releases through a freeze and audits who overrode it, why and when', async () => {
    const repo = await sandboxRepo(h, 'gate-cli-override', ['fix: urgent']);
    const db = join(await h.tmp(), 'cutter.db');
    const s = new SqliteStore(db);
    await writeFreeze(s, { frozen: true, reason: 'incident 42', by: 'test' }, new Date());
    await s.close();

    const empty = await cutter(['release', '--repo', `acme/${repo.name}`, '--db', db, '--override-freeze', ' ']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('CUTTER_BAD_INPUT: --override-freeze needs a reason');

    const cut = await cutter(['release', '--repo', `acme/${repo.name}`, '--db', db, '--override-freeze', 'CVE fix']);
    expect(cut.stderr).toContain('✓ freeze-gate');
    expect(cut.code).toBe(0);
    expect(await tagsOf(repo.name)).toEqual(['v1.0.0']);
    const after = new SqliteStore(db);
    stores.push(after);
    const audit = (await after.listAudit({ target: `acme/${repo.name}` })).find((a) => a.action === 'freeze.override');
    expect(audit).toMatchObject({ details: { reason: 'CVE fix' } });
    expect(audit?.actor).toMatch(/\(cli\)$/);
    expect(Date.parse(audit?.at ?? '')).not.toBeNaN();
  });
});
