// POST /api/fleet through `cutter serve`: an admin session with its CSRF token (or the bearer) starts a real run.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrg } from '../src/sandbox/seed.js';
import { type RunningServer, startServe } from '../src/server/serve.js';
import { silentLogger } from '../src/server/server-logger.js';
import type { FleetTaskData } from '../src/steps/fleet-flow.js';
import type { TaskRecord } from '../src/store/types.js';
import { login } from './dashboard-support.js';
import { remoteTags } from './release-flow-support.js';
import { type Harness, startSandbox, TOKEN } from './sandbox-harness.js';

const ADMIN_TOKEN = 'fleet-serve-admin-token';
const READ_TOKEN = 'fleet-serve-read-token';

const pending = (name: string) => ({
  name,
  history: [{ commit: 'feat: init', files: { 'README.md': `# ${name}\n` } }, { tag: 'v1.0.0' }, { commit: 'fix: x' }],
});

let h: Harness;
let server: RunningServer;
let dbDir: string;

async function finished(id: string, timeoutMs = 90_000): Promise<TaskRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await server.store.getTask(id);
    if (task && ['done', 'failed', 'cancelled'].includes(task.status)) return task;
    if (Date.now() > deadline) throw new Error(`fleet run ${id} unfinished: ${task?.status} at ${task?.step}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  h = await startSandbox({ validateResponses: false });
  const repos = ['connector-served-a', 'connector-served-b', 'service-served'].map(pending);
  await h.sandbox.registerRepos('acme', await seedOrg(h.root, { org: 'acme', repos }));
  dbDir = await mkdtemp(join(tmpdir(), 'cutter-fleet-serve-'));
  server = await startServe({
    db: join(dbDir, 'cutter.db'),
    port: 0,
    env: {
      CUTTER_WEBHOOK_SECRET: 'fleet-serve-secret',
      CUTTER_API_TOKEN: ADMIN_TOKEN,
      CUTTER_READ_TOKEN: READ_TOKEN,
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: h.url,
    },
    logger: silentLogger,
    pollMs: 20,
  });
}, 120_000);
afterAll(async () => {
  await server?.close();
  await h?.close();
  await rm(dbDir, { recursive: true, force: true });
});

const post = (headers: Record<string, string>, body: unknown) =>
  fetch(`${server.url}/api/fleet`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('POST /api/fleet on cutter serve', () => {
  it('refuses a read-only login and an admin session without its CSRF token', async () => {
    const reader = await login(server.url, READ_TOKEN);
    const asReader = await post({ cookie: reader.cookie, 'x-csrf-token': reader.csrf }, { org: 'acme' });
    expect(asReader.status).toBe(403);
    const admin = await login(server.url, ADMIN_TOKEN);
    const forged = await post({ cookie: admin.cookie }, { org: 'acme' });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: string }).error).toBe('csrf');
    expect((await server.store.listTasks({ kind: 'fleet' })).tasks).toEqual([]);
  });

  it('runs the fleet flow on the server engine from an admin session: connectors released, others untouched', async () => {
    const admin = await login(server.url, ADMIN_TOKEN);
    const res = await post({ cookie: admin.cookie, 'x-csrf-token': admin.csrf }, { org: 'acme' });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    const run = await finished(runId);
    expect([run.status, run.error]).toEqual(['done', null]);
    const summary = (run.data as unknown as FleetTaskData).summary!;
    expect(summary.rows.map((r) => [r.repo, r.outcome, r.nextTag]).sort()).toEqual([
      ['connector-served-a', 'released', 'v1.0.1'],
      ['connector-served-b', 'released', 'v1.0.1'],
    ]);
    expect((await remoteTags(h, 'connector-served-a')).has('v1.0.1')).toBe(true);
    expect([...(await remoteTags(h, 'service-served')).keys()]).toEqual(['v1.0.0']);
  }, 120_000);

  it('accepts the admin bearer token from scripts (a dry run writes nothing)', async () => {
    const res = await post(
      { authorization: `Bearer ${ADMIN_TOKEN}` },
      { org: 'acme', pattern: 'service-*', dryRun: true },
    );
    expect(res.status).toBe(202);
    const run = await finished(((await res.json()) as { runId: string }).runId);
    const summary = (run.data as unknown as FleetTaskData).summary!;
    expect(summary.rows.map((r) => [r.repo, r.outcome, r.nextTag])).toEqual([['service-served', 'planned', 'v1.0.1']]);
    expect([...(await remoteTags(h, 'service-served')).keys()]).toEqual(['v1.0.0']);
  }, 120_000);
});
