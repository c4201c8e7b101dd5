// cutter serve's engine thread is woken by stored webhooks, not by its poll: bursts of deliveries all run with a
// poll interval far longer than the test, however the wakes of a burst are coalesced on their way to the thread.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServe } from '../src/server/serve.js';
import { silentLogger } from '../src/server/server-logger.js';
import { pushEvent, sendDelivery } from './server-support.js';

const SECRET = 'engine-wake-secret';

describe('cutter serve waking its engine thread', () => {
  let server: RunningServer;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cutter-wake-'));
    server = await startServe({
      db: join(dir, 'cutter.db'),
      port: 0,
      // Tag pushes are skipped by the classify step without an API call: nothing is listening there.
      env: { CUTTER_WEBHOOK_SECRET: SECRET, GITHUB_TOKEN: 'unused', GITHUB_API_URL: 'http://127.0.0.1:9' },
      logger: silentLogger,
      // Ten minutes: a task that waited for a poll would still be queued when the test gives up.
      pollMs: 600_000,
    });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs every task of bursts of concurrent deliveries without waiting for a poll', async () => {
    let sent = 0;
    for (let burst = 0; burst < 6; burst++) {
      const size = 1 + burst * 7;
      const answers = await Promise.all(
        Array.from({ length: size }, (_, i) =>
          sendDelivery(server.url, pushEvent({ repo: `connector-${i % 5}`, ref: `refs/tags/v0.${burst}.${i}` }), {
            secret: SECRET,
          }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
      sent += size;
      // Sometimes the engine thread is still busy with the previous burst, sometimes it has gone back to sleep.
      await sleep(burst % 2 === 0 ? 0 : 30);
    }
    const deadline = Date.now() + 30_000;
    let unfinished = sent;
    while (Date.now() < deadline) {
      const { tasks } = await server.store.listTasks({ limit: 500 });
      expect(tasks).toHaveLength(sent);
      unfinished = tasks.filter((t) => t.status !== 'done').length;
      if (unfinished === 0) break;
      await sleep(20);
    }
    expect(unfinished).toBe(0);
  });
});
