// The freeze gate in `cutter serve`: a release started while frozen waits with the reason, an admin override lets
// one task through (audited), and lifting the freeze lets the others through.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServe } from '../src/server/serve.js';
import { silentLogger } from '../src/server/server-logger.js';
import { sandboxRepo } from './release-flow-support.js';
import { type Harness, startSandbox, TOKEN } from './sandbox-harness.js';

const ADMIN = 'freeze-gate-admin-token-9d1';
let h: Harness;
let server: RunningServer;
let dbDir: string;

beforeAll(async () => {
  h = await startSandbox();
  dbDir = await mkdtemp(join(tmpdir(), 'cutter-freeze-gate-'));
  server = await startServe({
    db: join(dbDir, 'cutter.db'),
    port: 0,
    env: {
      CUTTER_WEBHOOK_SECRET: 'freeze-gate-secret',
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: h.url,
      CUTTER_API_TOKEN: ADMIN,
      CUTTER_GATE_POLL_MS: '150',
    },
    logger: silentLogger,
    pollMs: 20,
  });
});
afterAll(async () => {
  await server?.close();
  await h?.close();
  await rm(dbDir, { recursive: true, force: true });
});

async function api(
  path: string,
  body?: unknown,
  base = server.url,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${ADMIN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

type TaskView = { status: string; waitReason: string | null; step: string | null; data: Record<string, unknown> };

async function taskWhen(id: string, ok: (t: TaskView) => boolean, ms = 90_000, base = server.url): Promise<TaskView> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { json } = await api(`/api/tasks/${id}`, undefined, base);
    const task = json['task'] as TaskView;
    if (ok(task)) return task;
    if (Date.now() > deadline) throw new Error(`task ${id} stayed ${task.status} at ${task.step}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function releaseFromDashboard(name: string): Promise<string> {
  const { status, json } = await api(`/api/repos/acme/${name}/release`, {});
  expect(status).toBe(202);
  return (json['taskIds'] as string[])[0] ?? '';
}

describe('lifting the freeze in cutter serve', { timeout: 240_000 }, () => {
  it('wakes the releases waiting at the gate at once, not at their next re-check', async () => {
    // A re-check every 10 minutes: only the wake-up on lifting can finish the release within this test.
    const slowDir = await mkdtemp(join(tmpdir(), 'cutter-freeze-wake-'));
    const slow = await startServe({
      db: join(slowDir, 'cutter.db'),
      port: 0,
      env: {
        CUTTER_WEBHOOK_SECRET: 'freeze-wake-secret',
        GITHUB_TOKEN: TOKEN,
        GITHUB_API_URL: h.url,
        CUTTER_API_TOKEN: ADMIN,
        CUTTER_GATE_POLL_MS: '600000',
      },
      logger: silentLogger,
      pollMs: 20,
    });
    try {
      const repo = await sandboxRepo(h, 'serve-freeze-wake', ['feat: one']);
      const on = await api('/api/freeze', { frozen: true, reason: 'deploy window' }, slow.url);
      expect(on.status).toBe(200);
      const started = await api(`/api/repos/acme/${repo.name}/release`, {}, slow.url);
      const id = (started.json['taskIds'] as string[])[0] ?? '';
      await taskWhen(id, (t) => t.status === 'waiting' && t.step === 'freeze-gate', 90_000, slow.url);
      const lifted = Date.now();
      expect((await api('/api/freeze', { frozen: false }, slow.url)).status).toBe(200);
      const done = await taskWhen(id, (t) => t.status === 'done', 60_000, slow.url);
      expect(Date.now() - lifted).toBeLessThan(60_000);
      expect((done.data['release'] as { tagged?: { tag: string } }).tagged?.tag).toBe('v1.0.0');
    } finally {
      await slow.close();
      await rm(slowDir, { recursive: true, force: true });
    }
  });
});

describe('the freeze gate in cutter serve', { timeout: 240_000 }, () => {
  it('accepts a release while frozen and lets it wait; an override lets one through, lifting lets the rest', async () => {
    const [held, urgent] = await Promise.all([
      sandboxRepo(h, 'serve-freeze-held', ['feat: one']),
      sandboxRepo(h, 'serve-freeze-urgent', ['fix: urgent']),
    ]);
    expect((await api('/api/freeze', { frozen: true, reason: 'quarter close' })).status).toBe(200);
    const heldId = await releaseFromDashboard(held.name);
    const urgentId = await releaseFromDashboard(urgent.name);
    const waiting = await taskWhen(heldId, (t) => t.status === 'waiting');
    expect(waiting.step).toBe('freeze-gate');
    expect(waiting.waitReason).toBe('frozen: quarter close until the freeze is lifted');
    await taskWhen(urgentId, (t) => t.status === 'waiting');

    expect((await api(`/api/tasks/${urgentId}/override-freeze`, {})).status).toBe(400);
    const granted = await api(`/api/tasks/${urgentId}/override-freeze`, { reason: 'CVE fix' });
    expect(granted.status).toBe(200);
    const through = await taskWhen(urgentId, (t) => t.status === 'done');
    expect((through.data['release'] as { freezeCleared?: unknown }).freezeCleared).toMatchObject({
      overridden: { freeze: 'quarter close', by: 'dashboard', reason: 'CVE fix' },
    });
    const audit = (await server.store.listAudit({ target: urgentId })).find((a) => a.action === 'freeze.override');
    expect(audit).toMatchObject({ actor: 'dashboard', details: { reason: 'CVE fix' } });
    expect((await api(`/api/tasks/${urgentId}/override-freeze`, { reason: 'again' })).status).toBe(409);
    expect((await api(`/api/tasks/${heldId}`)).json['task']).toMatchObject({ status: 'waiting' });

    expect((await api('/api/freeze', { frozen: false })).status).toBe(200);
    const released = await taskWhen(heldId, (t) => t.status === 'done');
    expect((released.data['release'] as { tagged?: { tag: string } }).tagged?.tag).toBe('v1.0.0');
  });
});
