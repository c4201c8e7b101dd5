import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CutterError } from '../core/errors.js';
import { notifyAll } from './fan-out.js';
import { createJsonWebhookNotifier } from './json-webhook.js';
import type { Notifier, ReleaseMessage } from './notifier.js';
import { type RecordingReceiver, startRecordingReceiver } from './recording-receiver.js';
import { createSlackWebhookNotifier } from './slack-webhook.js';

const message: ReleaseMessage = { kind: 'released', repo: 'acme/connector-x', version: '1.4.2', tag: 'v1.4.2' };
let slack: RecordingReceiver;
let hook: RecordingReceiver;
beforeEach(async () => {
  slack = await startRecordingReceiver();
  hook = await startRecordingReceiver(() => ({ status: 200, body: {} }));
});
afterEach(async () => {
  await Promise.all([slack.close(), hook.close()]);
});
const fast = { baseDelayMs: 1 };

describe('notifyAll', () => {
  it('delivers to every channel and reports each result', async () => {
    const results = await notifyAll(
      [createSlackWebhookNotifier({ url: `${slack.url}/services/x` }), createJsonWebhookNotifier({ url: hook.url })],
      message,
      fast,
    );
    expect(results.map((r) => [r.channel, r.ok, r.attempts])).toEqual([
      ['slack-webhook', true, 1],
      ['json-webhook', true, 1],
    ]);
    expect([slack.received.length, hook.received.length]).toEqual([1, 1]);
  });

  it('retries a transient failure with backoff until it goes through, recording each failed attempt', async () => {
    slack.answerNext({ status: 500, body: 'rollup_error' }, { status: 503, body: 'busy' });
    const failures: string[] = [];
    const [result] = await notifyAll([createSlackWebhookNotifier({ url: `${slack.url}/services/x` })], message, {
      ...fast,
      onAttemptFailed: (f) => failures.push(`${f.attempt}:${f.willRetry}`),
    });
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(failures).toEqual(['1:true', '2:true']);
    expect(slack.received).toHaveLength(3);
  });

  it('gives up after the retries and returns a failed result instead of throwing', async () => {
    hook.answerNext(...Array.from({ length: 5 }, () => ({ status: 500, body: 'down' })));
    const results = await notifyAll(
      [createJsonWebhookNotifier({ url: hook.url }), createSlackWebhookNotifier({ url: `${slack.url}/services/x` })],
      message,
      { ...fast, retries: 2 },
    );
    expect(results[0]).toEqual({
      channel: 'json-webhook',
      ok: false,
      attempts: 3,
      code: 'CUTTER_NOTIFY_FAILED',
      error: 'CUTTER_NOTIFY_FAILED: json-webhook: receiver answered 500: down',
    });
    expect(results[1]).toMatchObject({ ok: true });
  });

  it('does not retry a permanent failure and keeps secrets out of the reason', async () => {
    const key = 'fanout-secret-key-5555';
    hook.answerNext({ status: 403, body: `key ${key} rejected` });
    const [result] = await notifyAll([createJsonWebhookNotifier({ url: `${hook.url}/?key=${key}` })], message, fast);
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result?.error).toContain('403');
    expect(result?.error).not.toContain(key);
  });

  it('survives a channel that throws something unexpected', async () => {
    const broken: Notifier = {
      channel: 'broken',
      send: async () => {
        throw new TypeError('cannot read properties of undefined (token xoxb-1234567890-abcdefghij)');
      },
    };
    const [result] = await notifyAll([broken], message, { ...fast, retries: 1 });
    expect(result).toMatchObject({ channel: 'broken', ok: false, attempts: 2 });
    expect(result?.error).not.toContain('xoxb-1234567890');
  });

  it('passes skipped results through without counting attempts', async () => {
    const skipping: Notifier = {
      channel: 'status',
      send: async () => ({ channel: 'status', ok: true, attempts: 0, skipped: 'no sha' }),
    };
    expect(await notifyAll([skipping], message)).toEqual([
      { channel: 'status', ok: true, attempts: 0, skipped: 'no sha' },
    ]);
  });

  it('stops retrying when cancelled', async () => {
    const controller = new AbortController();
    const flaky: Notifier = {
      channel: 'flaky',
      send: async () => {
        controller.abort();
        throw new CutterError('CUTTER_NOTIFY_FAILED', 'down', { transient: true });
      },
    };
    const [result] = await notifyAll([flaky], message, { ...fast, signal: controller.signal });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
  });
});
