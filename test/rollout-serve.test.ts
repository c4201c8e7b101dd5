// Image roll-outs through the real server: a release chains its roll-out, POST /api/builds and build webhooks start
// one, the infra emulator receives exactly one update per image, and Slack threads survive a restart.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecordingReceiver, startRecordingReceiver } from '../src/notify/recording-receiver.js';
import { type InfraEmulator, startInfraEmulator } from '../src/sandbox/infra-emulator.js';
import { type RunningServer, startServe } from '../src/server/serve.js';
import { silentLogger } from '../src/server/server-logger.js';
import type { TaskRecord } from '../src/store/types.js';
import { gitOk, type Harness, startSandbox, TOKEN } from './sandbox-harness.js';
import { sendDelivery } from './server-support.js';

const SECRET = 'rollout-webhook-secret';
const API = 'rollout-admin-token-123';
const INFRA_TOKEN = 'rollout-infra-token-abcdef';
const SLACK_TOKEN = 'xoxb-rollout-slack-token-1';
const REPO = 'connector-roll';
const image = (v: string) => `ghcr.io/acme/${REPO}:${v}`;

let h: Harness;
let emu: InfraEmulator;
let slack: RecordingReceiver;
let server: RunningServer;
let dbDir: string;

const serve = () =>
  startServe({
    db: join(dbDir, 'cutter.db'),
    port: 0,
    env: {
      CUTTER_WEBHOOK_SECRET: SECRET,
      CUTTER_API_TOKEN: API,
      CUTTER_ORG: 'acme',
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: h.url,
      INFRA_TOKEN,
      SLACK_BOT_TOKEN: SLACK_TOKEN,
    },
    logger: silentLogger,
    pollMs: 20,
  });

// biome-ignore lint/suspicious/noExplicitAny: API answers are read field by field in assertions
type Json = Record<string, any>;

async function api(path: string, init: { method?: string; body?: unknown; token?: string | null } = {}) {
  const token = init.token === undefined ? API : init.token;
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function finished(id: string, timeoutMs = 60_000): Promise<TaskRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await server.store.getTask(id);
    if (task && ['done', 'failed', 'cancelled'].includes(task.status)) return task;
    if (Date.now() > deadline) throw new Error(`task ${id} unfinished: ${task?.status} at ${task?.step}`);
    await sleep(30);
  }
}

const slackPosts = () => slack.received.filter((r) => r.path === '/api/chat.postMessage');

beforeAll(async () => {
  [h, emu, slack] = await Promise.all([
    startSandbox(),
    startInfraEmulator({ token: INFRA_TOKEN, healthyAfterMs: 50 }),
    startRecordingReceiver(),
  ]);
  dbDir = await mkdtemp(join(tmpdir(), 'cutter-rollout-'));
  server = await serve();
  await h.octokit.rest.orgs.createWebhook({
    org: 'acme',
    name: 'web',
    events: ['push'],
    config: { url: `${server.url}/webhooks/github`, content_type: 'json', secret: SECRET },
  });
});
afterAll(async () => {
  await server?.close();
  await Promise.all([h?.close(), emu?.close(), slack?.close()]);
  await rm(dbDir, { recursive: true, force: true });
});

describe('image roll-outs through cutter serve', () => {
  let releaseTs: string;
  let tag: string;

  it('rolls out the released image once, confirms it healthy, records it and threads the Slack message', async () => {
    await h.octokit.rest.repos.createInOrg({ org: 'acme', name: REPO });
    const work = await h.tmp();
    await gitOk(work, ['clone', '--quiet', h.remote('acme', REPO), 'clone']);
    const dir = join(work, 'clone');
    await gitOk(dir, ['checkout', '-q', '-B', 'main']);
    await writeFile(
      join(dir, '.cutter.yml'),
      [
        'notify:',
        `  team: { type: slack-web-api, tokenEnv: SLACK_BOT_TOKEN, channel: C0REL, slackApiUrl: "${slack.url}/api/" }`,
        'deploy:',
        '  image: "ghcr.io/acme/{repo}:{version}"',
        '  driver:',
        `    { type: infra-api, baseUrl: "${emu.url}", auth: { env: INFRA_TOKEN },`,
        '      statusUrl: "{base}/connectors/{connectorId}/status", health: { intervalMs: 20 } }',
        '',
      ].join('\n'),
    );
    await gitOk(dir, ['add', '.cutter.yml']);
    await gitOk(dir, ['commit', '-q', '-m', 'feat: the first feature']);
    await gitOk(dir, ['push', '-q', 'origin', 'main']);

    const deadline = Date.now() + 60_000;
    let build: TaskRecord | undefined;
    while (!build && Date.now() < deadline) {
      await h.sandbox.webhookDispatcher?.whenIdle();
      build = (await server.store.listTasks({ kind: 'build' })).tasks[0];
      if (!build) await sleep(50);
    }
    if (!build) throw new Error('no build task was chained after the release');
    const done = await finished(build.id);
    expect([done.status, done.error]).toEqual(['done', null]);
    expect(done.parentId).not.toBeNull();
    const data = done.data as {
      build: { image: string; tag: string };
      rollout: { outcome: string; healthy?: boolean };
    };
    tag = data.build.tag;
    expect(data.build.image).toBe(image('1.0.0'));
    expect(data.rollout).toMatchObject({ outcome: 'updated', status: 200, healthy: true });
    expect(emu.updates(REPO).map((u) => u.image)).toEqual([image('1.0.0')]);

    const posts = slackPosts();
    expect(posts).toHaveLength(2);
    expect(posts[1]?.body?.['thread_ts']).toBeDefined();
    expect(String(posts[1]?.body?.['text'])).toContain(`image ${image('1.0.0')} rolled out (200 healthy)`);
    releaseTs = String(posts[1]?.body?.['thread_ts']);

    const { body } = await api(`/api/rollouts?connector=${REPO}`);
    expect(body['records']).toMatchObject([
      { connectorId: REPO, image: image('1.0.0'), kind: 'rollout', ok: true, repo: `acme/${REPO}` },
    ]);
  });

  it('treats a second roll-out of the same image as a no-op: no update, no message', async () => {
    const before = slackPosts().length;
    const { status, body } = await api('/api/builds', {
      body: { build: { type: 'connector', connectorId: REPO, image: image('1.0.0') } },
    });
    expect(status).toBe(202);
    const done = await finished(body['task'].id);
    expect(done.status).toBe('done');
    expect((done.data as { rollout: { outcome: string } }).rollout.outcome).toBe('unchanged');
    expect(emu.updates(REPO)).toHaveLength(1);
    expect(slackPosts()).toHaveLength(before);
  });

  it('refuses builds without a login or with a bad body, and says what is wrong', async () => {
    const anonymous = await api('/api/builds', {
      token: null,
      body: { build: { type: 'connector', connectorId: REPO, image: image('2.0.0') } },
    });
    expect(anonymous.status).toBe(401);
    const bad = await api('/api/builds', {
      body: { build: { type: 'connector', connectorId: '../etc', image: 'not an image!' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body['error']).toBe('CUTTER_BAD_INPUT');
    expect(bad.body['message']).toMatch(/build\.connectorId: .*build\.image: /);
    expect(JSON.stringify(bad.body)).not.toContain(API);
  });

  it('rolls out from a successful workflow_run on a release tag, with the image the config names', async () => {
    const run = await sendDelivery(
      server.url,
      {
        action: 'completed',
        workflow_run: { id: 7, name: 'image', conclusion: 'success', head_branch: 'v1.1.0', head_sha: 'a'.repeat(40) },
        repository: { name: REPO, full_name: `acme/${REPO}`, owner: { login: 'acme' } },
        sender: { login: 'ci', type: 'Bot' },
      },
      { event: 'workflow_run', secret: SECRET },
    );
    expect(run.status).toBe(202);
    const failed = await sendDelivery(
      server.url,
      {
        action: 'completed',
        workflow_run: { id: 8, conclusion: 'failure', head_branch: 'v1.2.0' },
        repository: { name: REPO, owner: { login: 'acme' } },
      },
      { event: 'workflow_run', secret: SECRET },
    );
    expect(failed.body['ignored']).toMatch(/failure/);
    const builds = (await server.store.listTasks({ kind: 'build' })).tasks;
    const fromRun = builds.find((t) => (t.data as { build: { version?: string } }).build.version === '1.1.0');
    if (!fromRun) throw new Error('the workflow_run made no build task');
    const done = await finished(fromRun.id);
    expect([done.status, done.error]).toEqual(['done', null]);
    expect(emu.connector(REPO)?.image).toBe(image('1.1.0'));
  });

  it('threads a roll-out under its release message after a restart, and a rollback re-deploys the previous image', async () => {
    await server.close();
    server = await serve();
    const { body } = await api('/api/builds', {
      body: { build: { type: 'connector', connectorId: REPO, image: image('1.0.1'), tag } },
    });
    const done = await finished(body['task'].id);
    expect(done.status).toBe('done');
    const last = slackPosts().at(-1);
    expect(last?.body?.['thread_ts']).toBe(releaseTs);

    const rollback = await api('/api/builds', {
      body: { build: { type: 'connector', connectorId: REPO, rollback: true } },
    });
    const rolled = await finished(rollback.body['task'].id);
    expect([rolled.status, rolled.error]).toEqual(['done', null]);
    expect(emu.connector(REPO)?.image).toBe(image('1.1.0'));
    const { body: history } = await api(`/api/rollouts?connector=${REPO}`);
    expect(history['records'][0]).toMatchObject({ kind: 'rollback', image: image('1.1.0'), ok: true });
    // the dashboard's fleet table shows what runs now, from the roll-out history
    const { body: fleet } = await api('/api/fleet?org=acme');
    const row = (fleet['rows'] as Json[]).find((r) => r['repo'] === REPO);
    expect(row?.['image']).toBe(image('1.1.0'));
    // and the rollback counts in the release metrics
    const { body: metrics } = await api('/api/metrics');
    expect(metrics['repos'][`acme/${REPO}`]).toMatchObject({ rollbacks: 1 });
    expect(metrics['fleet']['changeFailureRate']).toBeGreaterThan(0);
  });
});
