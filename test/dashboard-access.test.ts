import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/server/app.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import {
  ADMIN_TOKEN,
  type DashboardRig,
  login,
  READ_TOKEN,
  startDashboardRig,
  WEBHOOK_SECRET,
} from './dashboard-support.js';
import { TOKEN } from './sandbox-harness.js';

let rig: DashboardRig;
const SECRETS = [ADMIN_TOKEN, READ_TOKEN, WEBHOOK_SECRET, TOKEN];

beforeAll(async () => {
  rig = await startDashboardRig();
});
afterAll(async () => {
  await rig?.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${rig.base}${path}`, { headers, redirect: 'manual' });

describe('dashboard access over plain HTTP', () => {
  it('refuses the API, the metrics and the event stream without a login, and sends a browser to the login page', async () => {
    for (const path of [
      '/api/fleet',
      '/api/runs',
      '/api/tasks',
      '/api/metrics',
      '/api/events',
      '/api/freeze',
      '/metrics',
    ]) {
      expect((await get(path)).status, path).toBe(401);
    }
    const page = await get('/');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login');
    expect((await get('/login')).status).toBe(200);
    const post = await fetch(`${rig.base}/api/freeze`, { method: 'POST', body: '{"frozen":true,"reason":"x"}' });
    expect(post.status).toBe(401);
  });

  it('keeps the API and dashboard shut when no token is configured at all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutter-no-token-'));
    const store = new SqliteStore(join(dir, 'cutter.db'));
    const app = buildServer({ store, webhookSecret: WEBHOOK_SECRET });
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const res = await fetch(`${url}/api/tasks`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { message: string }).message).toContain('CUTTER_API_TOKEN');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps a login across a restart and on a second worker sharing the store; a logout ends it on both', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutter-sessions-'));
    const db = join(dir, 'cutter.db');
    const open = async () => {
      const store = new SqliteStore(db);
      const app = buildServer({ store, webhookSecret: WEBHOOK_SECRET, apiToken: ADMIN_TOKEN });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const close = async () => {
        await app.close();
        await store.close();
      };
      return { url, close };
    };
    const first = await open();
    try {
      const session = await login(first.url, ADMIN_TOKEN);
      await first.close();
      const restarted = await open();
      const second = await open();
      try {
        const asked = (url: string) => fetch(`${url}/api/tasks`, { headers: { cookie: session.cookie } });
        expect((await asked(restarted.url)).status).toBe(200);
        expect((await asked(second.url)).status).toBe(200);
        const out = await fetch(`${restarted.url}/api/logout`, { method: 'POST', headers: { cookie: session.cookie } });
        expect(out.status).toBe(200);
        expect((await asked(second.url)).status).toBe(401);
        expect((await asked(restarted.url)).status).toBe(401);
      } finally {
        await restarted.close();
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a wrong token at login and a forged session cookie', async () => {
    const bad = await fetch(`${rig.base}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'not-the-token' }),
    });
    expect(bad.status).toBe(401);
    const empty = await fetch(`${rig.base}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(empty.status).toBe(401);
    expect((await get('/api/fleet', { cookie: 'cutter_session=made-up.signature' })).status).toBe(401);
  });

  it('hands out an HttpOnly SameSite=Strict cookie that opens the API', async () => {
    const res = await fetch(`${rig.base}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const session = await login(rig.base, ADMIN_TOKEN);
    const fleet = await get('/api/fleet', { cookie: session.cookie });
    expect(fleet.status).toBe(200);
    const body = (await fleet.json()) as { rows: Array<{ repo: string }> };
    expect(body.rows.map((r) => r.repo)).toContain('connector-stripe');
    expect(body.rows.map((r) => r.repo)).not.toContain('connector-box'); // archived
    expect(body.rows.map((r) => r.repo)).not.toContain('website'); // not a connector
  });

  it('refuses a forged mutating request that lacks or guesses the CSRF token', async () => {
    const session = await login(rig.base, ADMIN_TOKEN);
    const freeze = (headers: Record<string, string>) =>
      fetch(`${rig.base}/api/freeze`, {
        method: 'POST',
        headers: { cookie: session.cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ frozen: true, reason: 'forged' }),
      });
    expect((await freeze({})).status).toBe(403);
    expect((await freeze({ 'x-csrf-token': 'guess' })).status).toBe(403);
    const other = await login(rig.base, ADMIN_TOKEN);
    expect((await freeze({ 'x-csrf-token': other.csrf })).status).toBe(403);
    const state = (await (await get('/api/freeze', { cookie: session.cookie })).json()) as { frozen: boolean };
    expect(state.frozen).toBe(false);
  });

  it('lets the read-only login look but not act', async () => {
    const reader = await login(rig.base, READ_TOKEN);
    expect(reader.role).toBe('read');
    expect((await get('/api/runs', { cookie: reader.cookie })).status).toBe(200);
    const res = await fetch(`${rig.base}/api/freeze`, {
      method: 'POST',
      headers: { cookie: reader.cookie, 'x-csrf-token': reader.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ frozen: true, reason: 'reader' }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe('read_only');
  });

  it('stores a freeze with its reason in the audit log, holds a release at the gate while frozen, and refuses a freeze without one', async () => {
    const admin = await login(rig.base, ADMIN_TOKEN);
    const post = (body: unknown) =>
      fetch(`${rig.base}/api/freeze`, {
        method: 'POST',
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ frozen: true })).status).toBe(400);
    expect((await post({ frozen: 'yes', reason: 'x' })).status).toBe(400);
    expect((await post({ frozen: true, reason: 'x'.repeat(501) })).status).toBe(400);
    expect((await post({ frozen: true, reason: 'quarter close' })).status).toBe(200);
    // A release asked for during the freeze is accepted and waits at the freeze gate with the reason.
    const release = await fetch(`${rig.base}/api/repos/acme/connector-salesforce/release`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
    });
    expect(release.status).toBe(202);
    const [taskId] = ((await release.json()) as { taskIds: string[] }).taskIds;
    let task = await rig.server.store.getTask(taskId ?? '');
    for (let i = 0; i < 600 && task?.status !== 'waiting'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      task = await rig.server.store.getTask(taskId ?? '');
    }
    expect(task).toMatchObject({ status: 'waiting', step: 'freeze-gate' });
    expect(task?.waitReason).toContain('quarter close');
    const cancelled = await fetch(`${rig.base}/api/tasks/${taskId}/cancel`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
    });
    expect(cancelled.status).toBe(200);
    expect((await post({ frozen: false })).status).toBe(200);
    const audit = await rig.server.store.listAudit({ target: 'releases' });
    expect(audit.map((a) => a.action).sort()).toEqual(['freeze.off', 'freeze.on']);
  });

  it('cancels a waiting task and retries it from the dashboard session', async () => {
    const admin = await login(rig.base, ADMIN_TOKEN);
    const task = await rig.server.engine.enqueue({
      kind: 'release',
      key: 'acme/connector-later',
      data: { repo: { owner: 'acme', name: 'connector-later' }, release: {} },
      runAfter: new Date(Date.now() + 3600_000),
    });
    const act = (action: string) =>
      fetch(`${rig.base}/api/tasks/${task.id}/${action}`, {
        method: 'POST',
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      });
    expect((await act('cancel')).status).toBe(200);
    expect((await rig.server.store.getTask(task.id))?.status).toBe('cancelled');
    expect((await act('cancel')).status).toBe(409);
    expect((await act('retry')).status).toBe(200);
    expect(
      (
        await fetch(`${rig.base}/api/tasks/nope/cancel`, {
          method: 'POST',
          headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
        })
      ).status,
    ).toBe(404);
  });

  it('replays a stored push delivery as a new release task, and refuses unknown or inert deliveries', async () => {
    const admin = await login(rig.base, ADMIN_TOKEN);
    const replay = (id: string) =>
      fetch(`${rig.base}/api/deliveries/${id}/replay`, {
        method: 'POST',
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      });
    const push = {
      ref: 'refs/heads/main',
      before: '0'.repeat(40),
      after: 'a'.repeat(40),
      repository: { name: 'connector-ghost', full_name: 'acme/connector-ghost', owner: { login: 'acme' } },
      head_commit: { id: 'a'.repeat(40), message: 'feat: x', author: { name: 'Dev', email: 'd@x' } },
      pusher: { name: 'dev' },
      sender: { login: 'dev', type: 'User' },
    };
    await rig.server.store.ingestDelivery({ id: 'd-push-1', event: 'push', payload: push, receivedAt: new Date() });
    await rig.server.store.ingestDelivery({ id: 'd-star-1', event: 'star', payload: {}, receivedAt: new Date() });
    const res = await replay('d-push-1');
    expect(res.status).toBe(202);
    const body = (await res.json()) as { task: { key: string } };
    expect(body.task.key).toBe('acme/connector-ghost');
    expect((await replay('d-star-1')).status).toBe(409);
    expect((await replay('nope')).status).toBe(404);
  });

  it('serves Prometheus text to a scraper holding the read token, and JSON metrics to the page', async () => {
    const text = await (await get('/metrics', { authorization: `Bearer ${READ_TOKEN}` })).text();
    expect(text).toContain('# TYPE cutter_releases_total gauge');
    expect(text).toMatch(/cutter_releases_total\{repo=""\} \d+/);
    expect((await get('/metrics', { authorization: 'Bearer wrong' })).status).toBe(401);
    const json = (await (await get('/api/metrics?weeks=4', { authorization: `Bearer ${READ_TOKEN}` })).json()) as {
      fleet: { perWeek: unknown[] };
    };
    expect(json.fleet.perWeek).toHaveLength(4);
    expect((await get('/api/metrics?weeks=0', { authorization: `Bearer ${READ_TOKEN}` })).status).toBe(400);
  });

  it('never puts a token or secret in a page or an API answer', async () => {
    const admin = await login(rig.base, ADMIN_TOKEN);
    const bodies: string[] = [];
    for (const path of [
      '/',
      '/login',
      '/assets/app.js',
      '/api/session',
      '/api/fleet',
      '/api/runs',
      '/api/tasks',
      '/api/metrics',
      '/metrics',
    ]) {
      const res = await get(path, { cookie: admin.cookie });
      expect(res.status, path).toBe(200);
      bodies.push(await res.text());
    }
    for (const body of bodies) for (const secret of SECRETS) expect(body).not.toContain(secret);
  });
});
