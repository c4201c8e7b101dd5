import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServe } from '../src/server/serve.js';
import { silentLogger } from '../src/server/server-logger.js';
import type { TaskRecord } from '../src/store/types.js';
import { type PostgresServer, startPostgres } from './postgres-server.js';
import { gitOk, type Harness, repoWithHistory, startSandbox, TOKEN } from './sandbox-harness.js';
import { pushEvent, sendDelivery } from './server-support.js';

const SECRET = 'sandbox-to-cutter-secret';

// The same story on both stores: the embedded SQLite file, and a shared Postgres with graphile-worker jobs.
describe.each(['sqlite', 'postgres'] as const)('cutter serve against the sandbox (%s store)', (storeKind) => {
  let h: Harness;
  let server: RunningServer;
  let dbDir: string;
  let postgres: PostgresServer | undefined;

  /** Poll the store until every task is finished (done, failed or cancelled). */
  async function settled(timeoutMs = 60_000): Promise<TaskRecord[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await h.sandbox.webhookDispatcher?.whenIdle();
      const { tasks } = await server.store.listTasks({ limit: 500 });
      if (tasks.length > 0 && tasks.every((t) => ['done', 'failed', 'cancelled'].includes(t.status))) return tasks;
      if (Date.now() > deadline) throw new Error(`tasks unfinished: ${JSON.stringify(tasks.map((t) => t.status))}`);
      await sleep(50);
    }
  }

  beforeAll(async () => {
    h = await startSandbox();
    dbDir = await mkdtemp(join(tmpdir(), 'cutter-serve-'));
    if (storeKind === 'postgres') postgres = await startPostgres();
    server = await startServe({
      db: join(dbDir, 'cutter.db'),
      ...(postgres ? { databaseUrl: await postgres.createDatabase() } : {}),
      port: 0,
      env: { CUTTER_WEBHOOK_SECRET: SECRET, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: h.url },
      logger: silentLogger,
      pollMs: 20,
    });
    await h.octokit.rest.orgs.createWebhook({
      org: 'acme',
      name: 'web',
      events: ['push'],
      config: { url: `${server.url}/webhooks/github`, content_type: 'json', secret: SECRET },
    });
  });
  afterAll(async () => {
    await server?.close();
    await postgres?.stop();
    await h?.close();
    await rm(dbDir, { recursive: true, force: true });
  });

  it('turns a git push into exactly one tag and one published release, and ignores a redelivery', async () => {
    const clone = await repoWithHistory(h, 'connector-served', ['feat: first feature', 'fix: a bug']);
    const tasks = await settled();
    const ofRepo = tasks.filter((t) => t.key === 'acme/connector-served');
    const refOf = (t: TaskRecord) => (t.data as { push: { ref: string } }).push.ref;
    const pushed = ofRepo.filter((t) => refOf(t) === 'refs/heads/main');
    expect(pushed.map((t) => [t.status, t.error])).toEqual([['done', null]]);
    // Our own tag comes back as a push event too: recorded and skipped, never a second release.
    const tagPushes = ofRepo.filter((t) => refOf(t).startsWith('refs/tags/'));
    for (const t of tagPushes) expect((t.data as { skipped?: { reason: string } }).skipped?.reason).toMatch(/tag push/);
    const release = (pushed[0]!.data as { release?: { nextTag?: string; released?: { url?: string } } }).release;
    expect(release?.nextTag).toMatch(/^v?\d+\.\d+\.\d+$/);

    const { data: tags } = await h.octokit.rest.repos.listTags({ owner: 'acme', repo: 'connector-served' });
    const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: 'connector-served' });
    expect(tags.map((t) => t.name)).toEqual([release?.nextTag]);
    expect(releases.map((r) => [r.tag_name, r.draft])).toEqual([[release?.nextTag, false]]);
    expect(releases[0]?.body).toContain('first feature');
    const head = await gitOk(clone, ['rev-parse', 'HEAD']);
    expect(tags[0]?.commit.sha).toBe(head);

    // GitHub's "Redeliver" button: the same delivery id again changes nothing.
    const { data: hooks } = await h.octokit.rest.orgs.listWebhooks({ org: 'acme' });
    const hookId = hooks[0]!.id;
    const { data: deliveries } = await h.octokit.rest.orgs.listWebhookDeliveries({ org: 'acme', hook_id: hookId });
    const pushDelivery = deliveries.find((d) => d.event === 'push')!;
    await h.octokit.rest.orgs.redeliverWebhookDelivery({ org: 'acme', hook_id: hookId, delivery_id: pushDelivery.id });
    await settled();
    const after = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: 'connector-served' });
    expect(after.data).toHaveLength(1);
    expect((await server.store.listTasks({ key: 'acme/connector-served' })).tasks).toHaveLength(ofRepo.length);
  });

  it('releases once when one delivery arrives ten times at once and GitHub then sends the same push again', async () => {
    await repoWithHistory(h, 'connector-tenfold', ['chore: init']);
    await settled();
    const work = await h.tmp();
    await gitOk(work, ['clone', '-q', h.remote('acme', 'connector-tenfold'), 'c']);
    const dir = join(work, 'c');
    // The commit reaches the sandbox on a side branch; main then moves to it through the API.
    await gitOk(dir, ['commit', '-q', '--allow-empty', '-m', 'feat: tenfold']);
    await gitOk(dir, ['push', '-q', 'origin', 'HEAD:refs/heads/side']);
    await settled();
    const sha = await gitOk(dir, ['rev-parse', 'HEAD']);
    const payload = pushEvent({ owner: 'acme', repo: 'connector-tenfold', after: sha, message: 'feat: tenfold' });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => sendDelivery(server.url, payload, { secret: SECRET, delivery: 'tenfold-1' })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
    // Moving main sends the sandbox's own push webhook for the same commit, with another delivery id.
    await h.octokit.rest.git.updateRef({ owner: 'acme', repo: 'connector-tenfold', ref: 'heads/main', sha });
    await settled();
    const tasks = (await server.store.listTasks({ key: 'acme/connector-tenfold' })).tasks;
    const forSha = tasks.filter((t) => (t.data as { push?: { ref: string; after: string } }).push?.after === sha);
    const refs = forSha.map((t) => `${(t.data as { push: { ref: string } }).push.ref} ${t.status}`).sort();
    expect(refs).toEqual(['refs/heads/main done', 'refs/heads/side done']);
    const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: 'connector-tenfold' });
    expect(releases.filter((r) => r.body?.includes('tenfold'))).toHaveLength(1);
  });
});
