// A push to the configured control repository starts a fleet run of its org through cutter serve's webhook.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrg } from '../src/sandbox/seed.js';
import { parseControlRepos } from '../src/server/fleet-control.js';
import { type RunningServer, startServe } from '../src/server/serve.js';
import { silentLogger } from '../src/server/server-logger.js';
import type { FleetTaskData } from '../src/steps/fleet-flow.js';
import type { TaskRecord } from '../src/store/types.js';
import { remoteTags } from './release-flow-support.js';
import { type Harness, startSandbox, TOKEN } from './sandbox-harness.js';
import { pushEvent, sendDelivery } from './server-support.js';

const SECRET = 'fleet-control-secret';

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
    if (Date.now() > deadline) throw new Error(`task ${id} unfinished: ${task?.status} at ${task?.step}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  h = await startSandbox({ validateResponses: false });
  const repos = [pending('connector-ctl-a'), pending('connector-ctl-b'), pending('cutter-control')];
  await h.sandbox.registerRepos('acme', await seedOrg(h.root, { org: 'acme', repos }));
  dbDir = await mkdtemp(join(tmpdir(), 'cutter-fleet-control-'));
  server = await startServe({
    db: join(dbDir, 'cutter.db'),
    port: 0,
    env: {
      CUTTER_WEBHOOK_SECRET: SECRET,
      CUTTER_FLEET_CONTROL_REPO: 'acme/cutter-control',
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

const control = (o: Parameters<typeof pushEvent>[0]) => {
  const payload = pushEvent({ repo: 'cutter-control', sender: 'lead', ...o });
  (payload['repository'] as Record<string, unknown>)['default_branch'] = 'main';
  return payload;
};

describe('fleet control repository', () => {
  it('refuses a control repository that is not owner/name', () => {
    expect(() => parseControlRepos('acme/cutter-control, not a repo')).toThrow(/not owner\/name/);
    expect(parseControlRepos(' Acme/Cutter-Control ')).toEqual(['acme/cutter-control']);
  });

  it('ignores a push to another branch of the control repo', async () => {
    const sent = await sendDelivery(server.url, control({ ref: 'refs/heads/docs' }), { secret: SECRET });
    expect(sent.status).toBe(202);
    expect(String(sent.body['ignored'])).toMatch(/only main starts a fleet run/);
  });

  it('starts one fleet run of the org on a push to its default branch, even when delivered twice', async () => {
    const payload = control({ ref: 'refs/heads/main' });
    const first = await sendDelivery(server.url, payload, { secret: SECRET });
    const again = await sendDelivery(server.url, payload, { secret: SECRET });
    expect([first.status, again.status]).toEqual([202, 202]);
    const runs = (await server.store.listTasks({ kind: 'fleet' })).tasks;
    expect(runs).toHaveLength(1);
    const run = await finished(runs[0]!.id);
    const data = run.data as unknown as FleetTaskData;
    expect(data.fleet.trigger).toBe('push to acme/cutter-control by @lead');
    expect(data.summary!.rows.map((r) => [r.repo, r.outcome, r.nextTag]).sort()).toEqual([
      ['connector-ctl-a', 'released', 'v1.0.1'],
      ['connector-ctl-b', 'released', 'v1.0.1'],
    ]);
    expect((await remoteTags(h, 'connector-ctl-b')).has('v1.0.1')).toBe(true);
    // The control repo itself is not released by its own push.
    expect([...(await remoteTags(h, 'cutter-control')).keys()]).toEqual(['v1.0.0']);
  }, 120_000);
});
