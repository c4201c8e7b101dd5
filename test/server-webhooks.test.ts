import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CutterError } from '../src/core/errors.js';
import { buildServer } from '../src/server/app.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { defineFlow, Engine } from '../src/workflow/index.js';
import { pushEvent, sendDelivery } from './server-support.js';

const SECRET = 'test-webhook-secret';
const API_TOKEN = 'test-api-token-0123456789';

let dir: string;
let store: SqliteStore;
let app: FastifyInstance;
let base: string;

async function start(over: Partial<Parameters<typeof buildServer>[0]> = {}) {
  app = buildServer({ store, webhookSecret: SECRET, apiToken: API_TOKEN, ...over });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}

async function nothingStored(delivery?: string) {
  expect((await store.listTasks()).tasks).toEqual([]);
  if (delivery) expect(await store.getDelivery(delivery)).toBeNull();
}

/** The API sits behind the token (reads included); the webhook receiver and /healthz stay public. */
function api(path: string): Promise<Response> {
  return fetch(`${base}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
}

async function alive() {
  const res = await fetch(`${base}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutter-server-'));
  store = new SqliteStore(join(dir, 'cutter.db'));
});
afterEach(async () => {
  await app?.close();
  await store.close().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('POST /webhooks/github', () => {
  beforeEach(() => start());

  it('stores a signed push with its release task before answering 202', async () => {
    const payload = pushEvent({ owner: 'acme', repo: 'connector-slack', message: 'feat: slack threads' });
    const res = await sendDelivery(base, payload, { delivery: 'd-1' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ delivery: 'd-1', duplicate: false });
    const task = await store.getTask(String(res.body['task']));
    expect(task).toMatchObject({ kind: 'release', key: 'acme/connector-slack', status: 'queued' });
    expect(task?.data).toEqual({
      repo: { owner: 'acme', name: 'connector-slack' },
      push: {
        ref: 'refs/heads/main',
        before: '0'.repeat(40),
        after: payload['after'],
        created: false,
        deleted: false,
        headCommit: {
          id: payload['after'],
          message: 'feat: slack threads',
          authorName: 'Dev',
          authorEmail: 'dev@acme.example',
        },
        pusher: 'dev',
        senderType: 'User',
      },
      trigger: 'push by @dev',
    });
    expect(await store.getDelivery('d-1')).toMatchObject({ event: 'push', taskId: task?.id });
  });

  it('accepts form-encoded hooks, verifying the signature over the encoded bytes', async () => {
    const payload = pushEvent();
    const rawBody = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const res = await sendDelivery(base, null, { rawBody, contentType: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(202);
    expect((await store.getTask(String(res.body['task'])))?.key).toBe('acme/connector-x');
  });

  it('rejects a forged signature with 401, stores nothing and keeps serving', async () => {
    const res = await sendDelivery(base, pushEvent(), { delivery: 'forged', secret: 'not-the-secret' });
    expect(res.status).toBe(401);
    expect(res.body['error']).toBe('bad_signature');
    await nothingStored('forged');
    await alive();
  });

  it('rejects a body changed after signing', async () => {
    const signature = await sign(SECRET, JSON.stringify(pushEvent({ repo: 'a' })));
    const res = await sendDelivery(base, pushEvent({ repo: 'b' }), { delivery: 'tampered', signature });
    expect(res.status).toBe(401);
    await nothingStored('tampered');
  });

  it('rejects an unsigned delivery with 401', async () => {
    const res = await sendDelivery(base, pushEvent(), { delivery: 'unsigned', secret: null });
    expect(res.status).toBe(401);
    expect(res.body['error']).toBe('unsigned');
    await nothingStored('unsigned');
  });

  it('rejects a signature in the wrong format with 401', async () => {
    const res = await sendDelivery(base, pushEvent(), { delivery: 'sha1', signature: 'sha1=abcdef' });
    expect(res.status).toBe(401);
    await nothingStored('sha1');
  });

  it('rejects signed malformed JSON with 400', async () => {
    const res = await sendDelivery(base, null, { delivery: 'bad-json', rawBody: '{"ref": "refs/heads/main",' });
    expect(res.status).toBe(400);
    expect(res.body['error']).toBe('bad_json');
    await nothingStored('bad-json');
    await alive();
  });

  it('rejects a JSON value that is not an object with 400', async () => {
    const res = await sendDelivery(base, null, { delivery: 'array', rawBody: '[1,2,3]' });
    expect(res.status).toBe(400);
    await nothingStored('array');
  });

  it('rejects a push payload without a repository with 400', async () => {
    const { repository: _gone, ...payload } = pushEvent();
    const res = await sendDelivery(base, payload, { delivery: 'no-repo' });
    expect(res.status).toBe(400);
    expect(res.body['error']).toBe('bad_payload');
    await nothingStored('no-repo');
  });

  it('rejects a delivery without X-GitHub-Delivery or X-GitHub-Event with 400', async () => {
    const noDelivery = await sendDelivery(base, pushEvent(), { delivery: '' });
    expect(noDelivery.status).toBe(400);
    expect(noDelivery.body['error']).toBe('no_delivery');
    const noEvent = await sendDelivery(base, pushEvent(), { delivery: 'no-event', event: '' });
    expect(noEvent.status).toBe(400);
    expect(noEvent.body['error']).toBe('no_event');
    await nothingStored('no-event');
  });

  it('answers an event it does not handle with 202 ignored and stores nothing', async () => {
    const res = await sendDelivery(
      base,
      { action: 'created', issue: { number: 1 } },
      { event: 'issues', delivery: 'i' },
    );
    expect(res.status).toBe(202);
    expect(res.body['ignored']).toMatch(/issues/);
    await nothingStored('i');
  });

  it('rejects a 10 MB body with 413, stores nothing and keeps serving', async () => {
    const huge = JSON.stringify({ ...pushEvent(), padding: 'x'.repeat(10 * 1024 * 1024) });
    const res = await sendDelivery(base, null, { delivery: 'huge', rawBody: huge });
    expect(res.status).toBe(413);
    await nothingStored('huge');
    await alive();
    expect((await sendDelivery(base, pushEvent())).status).toBe(202);
  });

  it('answers a ping with 200 and stores nothing', async () => {
    const res = await sendDelivery(base, { zen: 'Keep it logically awesome.', hook_id: 1 }, { event: 'ping' });
    expect(res.status).toBe(200);
    expect(res.body['pong']).toBe(true);
    await nothingStored();
  });

  it('creates one task when the same delivery arrives 10 times at once', async () => {
    const payload = pushEvent();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => sendDelivery(base, payload, { delivery: 'same-delivery' })),
    );
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200 && a.body['duplicate'] === true)).toHaveLength(9);
    expect(new Set(answers.map((a) => a.body['task'])).size).toBe(1);
    expect((await store.listTasks()).tasks).toHaveLength(1);
  });

  it('keeps one task when a repository hook and an org hook deliver the same push', async () => {
    const payload = pushEvent();
    const first = await sendDelivery(base, payload, { delivery: 'repo-hook' });
    const second = await sendDelivery(base, payload, { delivery: 'org-hook' });
    expect(second.body['task']).toBe(first.body['task']);
    expect((await store.listTasks()).tasks).toHaveLength(1);
  });
});

describe('secret rotation', () => {
  it('accepts deliveries signed with the previous secret while rotating', async () => {
    await start({ webhookSecret: ['new-secret-value', SECRET] });
    expect((await sendDelivery(base, pushEvent(), { secret: SECRET })).status).toBe(202);
    expect((await sendDelivery(base, pushEvent(), { secret: 'new-secret-value' })).status).toBe(202);
    expect((await sendDelivery(base, pushEvent(), { secret: 'older-secret' })).status).toBe(401);
  });

  it('refuses to start without a webhook secret', () => {
    expect(() => buildServer({ store, webhookSecret: ' ' })).toThrow(
      expect.objectContaining({ code: 'CUTTER_BAD_INPUT', hint: expect.stringMatching(/CUTTER_WEBHOOK_SECRET/) }),
    );
  });
});

describe('the JSON API', () => {
  /** Runs every stored release task through a flow whose only step fails for good, as a bad config would. */
  async function failEverything() {
    const flow = defineFlow('release', [
      {
        name: 'classify',
        when: { push: Object, classified: null },
        run: async () => {
          throw new CutterError('CUTTER_CONFIG_INVALID', 'bad .cutter.yml');
        },
      },
    ]);
    const engine = new Engine({ store, flows: { release: flow }, deps: null, pollMs: 10 });
    await engine.runUntilIdle({ timeoutMs: 10_000 });
    return engine;
  }

  it('lists tasks newest first with filters, and rejects a bad filter with 400', async () => {
    await start();
    await sendDelivery(base, pushEvent({ repo: 'one' }));
    await sendDelivery(base, pushEvent({ repo: 'two' }));
    const all = (await (await api('/api/tasks')).json()) as { tasks: Array<{ key: string }> };
    expect(all.tasks.map((t) => t.key)).toEqual(['acme/two', 'acme/one']);
    const one = (await (await api('/api/tasks?repo=acme/one&status=queued,failed&kind=release')).json()) as {
      tasks: Array<{ key: string }>;
    };
    expect(one.tasks.map((t) => t.key)).toEqual(['acme/one']);
    const paged = (await (await api('/api/tasks?limit=1')).json()) as { nextCursor: string | null };
    expect(paged.nextCursor).not.toBeNull();
    expect((await api('/api/tasks?status=exploded')).status).toBe(400);
    expect((await fetch(`${base}/api/tasks`)).status).toBe(401);
    expect((await api('/api/tasks?limit=0')).status).toBe(400);
  });

  it('shows a task with its step log, and 404 for an unknown id', async () => {
    await start();
    const sent = await sendDelivery(base, pushEvent());
    await failEverything();
    const res = await api(`/api/tasks/${String(sent.body['task'])}`);
    const body = (await res.json()) as { task: { status: string }; log: Array<{ step: string; error: unknown }> };
    expect(body.task.status).toBe('failed');
    expect(body.log).toHaveLength(1);
    expect(body.log[0]).toMatchObject({ step: 'classify', error: { code: 'CUTTER_CONFIG_INVALID' } });
    expect((await api('/api/tasks/nope')).status).toBe(404);
  });

  it('never shows a secret that reached task data', async () => {
    await start();
    const sent = await sendDelivery(base, pushEvent({ message: `fix: rotate ${API_TOKEN} and ${SECRET}` }));
    const text = await (await api(`/api/tasks/${String(sent.body['task'])}`)).text();
    expect(text).not.toContain(API_TOKEN);
    expect(text).not.toContain(SECRET);
    expect(text).toContain('[REDACTED]');
  });

  it('retries a failed task only for the admin token', async () => {
    await start();
    const sent = await sendDelivery(base, pushEvent());
    await failEverything();
    const url = `${base}/api/tasks/${String(sent.body['task'])}/retry`;
    expect((await fetch(url, { method: 'POST' })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
    const ok = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { task: { status: string } }).task.status).toBe('queued');
    const again = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(again.status).toBe(409);
    const missing = await fetch(`${base}/api/tasks/nope/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(missing.status).toBe(404);
  });

  it('disables retry when no API token is configured', async () => {
    await start({ apiToken: undefined });
    const res = await fetch(`${base}/api/tasks/any/retry`, { method: 'POST', headers: { authorization: 'Bearer x' } });
    expect(res.status).toBe(403);
  });

  it('reports an unreachable store on /healthz with 503', async () => {
    await start();
    await store.close();
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
  });
});
