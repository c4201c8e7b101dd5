// The notify outbox: each channel hears about a task's release once — across retries, re-runs of the step and kill -9.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.js';
import { notifyAll, outboxKey } from './fan-out.js';
import { createJsonWebhookNotifier } from './json-webhook.js';
import type { ReleaseMessage } from './notifier.js';
import { type RecordingReceiver, startRecordingReceiver } from './recording-receiver.js';
import { createSlackWebhookNotifier } from './slack-webhook.js';

const FIXTURE = fileURLToPath(new URL('./outbox-crash.fixture.ts', import.meta.url));
const message: ReleaseMessage = { kind: 'released', repo: 'acme/connector-x', version: '1.4.2', tag: 'v1.4.2' };
const fast = { baseDelayMs: 1 };

let dir: string;
let slack: RecordingReceiver;
let hook: RecordingReceiver;
let store: SqliteStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutter-outbox-'));
  slack = await startRecordingReceiver();
  hook = await startRecordingReceiver(() => ({ status: 200, body: {} }));
  store = new SqliteStore(join(dir, 'cutter.db'));
});
afterEach(async () => {
  await store.close();
  await Promise.all([slack.close(), hook.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('notifyAll with an outbox', () => {
  it('retries a 500, delivers once, marks it sent and never sends it again for that task', async () => {
    slack.answerNext({ status: 500, body: 'rollup_error' });
    hook.answerNext({ status: 500, body: {} });
    const channels = () => [
      createSlackWebhookNotifier({ url: `${slack.url}/services/x` }),
      createJsonWebhookNotifier({ url: hook.url }),
    ];
    const outbox = { store, taskId: 'task-1' };
    const first = await notifyAll(channels(), message, { ...fast, outbox });
    expect(first.map((r) => [r.channel, r.ok, r.attempts])).toEqual([
      ['slack-webhook', true, 2],
      ['json-webhook', true, 2],
    ]);
    // One 500, then the one message that went through.
    expect(slack.received).toHaveLength(2);
    expect(hook.received).toHaveLength(2);
    // Both attempts carried the same delivery id, so a receiver can drop the copy.
    const deliveries = hook.received.map((r) => r.headers['x-cutter-delivery']);
    expect(deliveries[0]).toBe(deliveries[1]);
    expect(await store.kvGet(outboxKey('task-1', 'released', 'slack-webhook'))).not.toBeNull();

    // The step runs again (a crash after the sends, before the step was recorded): nothing is sent again.
    const again = await notifyAll(channels(), message, { ...fast, outbox });
    expect(again.every((r) => r.ok && r.attempts === 0 && typeof r.alreadySent === 'string')).toBe(true);
    expect(again.find((r) => r.channel === 'json-webhook')?.id).toBe(
      first.find((r) => r.channel === 'json-webhook')?.id,
    );
    expect([slack.received.length, hook.received.length]).toEqual([2, 2]);

    // Another task, or another kind of message for the same task, is its own message.
    await notifyAll(channels(), message, { ...fast, outbox: { store, taskId: 'task-2' } });
    await notifyAll(channels(), { ...message, kind: 'rolled-out' }, { ...fast, outbox });
    expect([slack.received.length, hook.received.length]).toEqual([4, 4]);
  });

  it('leaves a channel that failed for good unmarked, so a later run still sends it', async () => {
    slack.answerNext({ status: 404, body: 'no_service' });
    const outbox = { store, taskId: 'task-3' };
    const [failed] = await notifyAll([createSlackWebhookNotifier({ url: `${slack.url}/services/x` })], message, {
      ...fast,
      outbox,
    });
    expect(failed?.ok).toBe(false);
    expect((await store.kvGet(outboxKey('task-3', 'released', 'slack-webhook')))?.value).toMatchObject({
      state: 'failed',
    });
    const [sent] = await notifyAll([createSlackWebhookNotifier({ url: `${slack.url}/services/x` })], message, {
      ...fast,
      outbox,
    });
    expect(sent).toMatchObject({ ok: true, attempts: 1 });
    expect(slack.received).toHaveLength(2);
  });
});

interface Run {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

/** The fixture in its own process: an engine whose flow releases, then notifies Slack through the outbox. */
function runFixture(db: string, url: string, hang: 'before-send' | 'after-send' | 'none'): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, db, url, hang], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the notify outbox across kill -9', { timeout: 180_000 }, () => {
  it('sends a message killed after its 2xx never again, once the task resumes in a new process', async () => {
    const db = join(dir, 'crash.db');
    const first = runFixture(db, `${slack.url}/services/x`, 'after-send');
    await until('the message', () => first.out().includes('sent'));
    expect(slack.received).toHaveLength(1);
    // Killed between the 2xx (marked sent) and the step's own commit: the task is still at the notify step.
    first.child.kill('SIGKILL');
    await first.exited;
    const probe = new SqliteStore(db);
    const [task] = (await probe.listTasks({})).tasks;
    expect(task?.status).toBe('running');
    expect(task?.data['notified']).toBeUndefined();

    const second = runFixture(db, `${slack.url}/services/x`, 'none');
    expect(await second.exited).toBe(0);
    const done = await probe.getTask(task!.id);
    await probe.close();
    expect(done?.status).toBe('done');
    expect(done?.data['notified']).toEqual([{ channel: 'slack-webhook', ok: true, alreadySent: expect.any(String) }]);
    expect(slack.received).toHaveLength(1);
  });

  it('sends a message killed before it was sent exactly once after the restart', async () => {
    const db = join(dir, 'crash-before.db');
    const first = runFixture(db, `${slack.url}/services/x`, 'before-send');
    await until('the notify step', () => first.out().includes('notifying'));
    first.child.kill('SIGKILL');
    await first.exited;
    expect(slack.received).toHaveLength(0);
    const second = runFixture(db, `${slack.url}/services/x`, 'none');
    expect(await second.exited).toBe(0);
    expect(slack.received).toHaveLength(1);
  });
});
