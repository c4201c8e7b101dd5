// Test fixture: a process whose engine releases (a no-op step), then tells Slack through the notify outbox.
// Usage: node --import tsx outbox-crash.fixture.ts STORE SLACK_URL before-send|after-send|none — with a hang mode
// the notify step stops there (printing "notifying" or "sent") for the test to kill the process; then exits 0 when
// the task is done.

import { SqliteStore } from '../store/sqlite-store.js';
import { defineFlow, Engine } from '../workflow/index.js';
import { notifyAll } from './fan-out.js';
import { createSlackWebhookNotifier } from './slack-webhook.js';

const [path, url, hang = 'none'] = process.argv.slice(2);
if (!path || !url) {
  console.error('usage: outbox-crash.fixture.ts STORE SLACK_URL before-send|after-send|none');
  process.exit(2);
}
const forever = () => new Promise<never>(() => setInterval(() => {}, 1000));
const store = new SqliteStore(path);
const flow = defineFlow<null>('release', [
  { name: 'release', when: { released: null }, run: async () => ({ patch: { released: { url: 'http://x/r/1' } } }) },
  {
    name: 'notify',
    when: { released: Object, notified: null },
    run: async (ctx) => {
      console.log('notifying');
      if (hang === 'before-send') await forever();
      const results = await notifyAll(
        [createSlackWebhookNotifier({ url })],
        { kind: 'released', repo: 'acme/connector-x', version: '1.0.0', tag: 'v1.0.0' },
        { baseDelayMs: 1, outbox: { store, taskId: ctx.taskId } },
      );
      console.log('sent');
      if (hang === 'after-send') await forever();
      const notified = results.map((r) => ({
        channel: r.channel,
        ok: r.ok,
        ...(r.alreadySent ? { alreadySent: r.alreadySent } : {}),
      }));
      return { complete: true, patch: { notified } };
    },
  },
]);
// A short lease: the killed process's task is taken over quickly by the next one.
const engine = new Engine({ store, flows: { release: flow }, deps: null, pollMs: 20, leaseMs: 500 });
if ((await store.listTasks({})).tasks.length === 0)
  await store.createTask({ kind: 'release', key: 'acme/connector-x' });
await engine.runUntilIdle({ timeoutMs: 60_000 });
await store.close();
