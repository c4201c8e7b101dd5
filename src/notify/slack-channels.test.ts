import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CutterError } from '../core/errors.js';
import type { ReleaseMessage } from './notifier.js';
import { type RecordingReceiver, startRecordingReceiver } from './recording-receiver.js';
import { blockKitViolations, type SlackPayload } from './slack-blocks.js';
import { createSlackWebApiNotifier, memoryThreadStore } from './slack-web-api.js';
import { createSlackWebhookNotifier } from './slack-webhook.js';

const released: ReleaseMessage = {
  kind: 'released',
  repo: 'acme/connector-x',
  version: '1.4.2',
  tag: 'v1.4.2',
  url: 'https://github.com/acme/connector-x/releases/tag/v1.4.2',
  trigger: 'push by @octocat',
  threadKey: 'acme/connector-x@1.4.2',
};
const rolledOut: ReleaseMessage = {
  kind: 'rolled-out',
  repo: 'acme/connector-x',
  connectorId: 'connector-x',
  version: '1.4.2',
  image: 'ghcr.io/acme/connector-x:1.4.2',
  status: '200',
  threadKey: 'acme/connector-x@1.4.2',
};

let receiver: RecordingReceiver;
beforeEach(async () => {
  receiver = await startRecordingReceiver();
});
afterEach(async () => {
  await receiver.close();
});

async function failure(p: Promise<unknown>): Promise<CutterError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CutterError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('Slack incoming webhook', () => {
  const secretPath = '/services/T0ACME/B0CUTTER/s3cr3tWebhookPart';

  it('posts Block Kit JSON that the receiver gets intact and within limits', async () => {
    const notifier = createSlackWebhookNotifier({ url: `${receiver.url}${secretPath}` });
    const result = await notifier.send(released);
    expect(result).toEqual({ channel: 'slack-webhook', ok: true, attempts: 1 });
    const [req] = receiver.received;
    expect(req?.path).toBe(secretPath);
    expect(req?.headers['content-type']).toBe('application/json');
    const body = req?.body as unknown as SlackPayload;
    expect(body.text).toContain('acme/connector-x v1.4.2 released');
    expect(blockKitViolations(body)).toEqual([]);
  });

  it('fails transiently on a 500 without ever showing the webhook URL', async () => {
    receiver.answerNext({ status: 500, body: `rollup_error at ${receiver.url}${secretPath}` });
    const err = await failure(createSlackWebhookNotifier({ url: `${receiver.url}${secretPath}` }).send(released));
    expect(err.code).toBe('CUTTER_NOTIFY_FAILED');
    expect(err.transient).toBe(true);
    expect(err.message).toContain('Slack answered 500');
    expect(err.toLine()).not.toContain('s3cr3tWebhookPart');
  });

  it('fails permanently with a hint when the webhook is gone', async () => {
    receiver.answerNext({ status: 404, body: 'no_service' });
    const err = await failure(createSlackWebhookNotifier({ url: `${receiver.url}${secretPath}` }).send(released));
    expect(err.transient).toBe(false);
    expect(err.message).toBe('slack-webhook: Slack answered 404: no_service');
    expect(err.hint).toMatch(/revoked/);
  });

  it('reports an unreachable Slack as transient', async () => {
    const url = `${receiver.url}${secretPath}`;
    await receiver.close();
    receiver = await startRecordingReceiver();
    const err = await failure(createSlackWebhookNotifier({ url, timeoutMs: 1000 }).send(released));
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/^slack-webhook: could not reach Slack/);
    expect(err.toLine()).not.toContain('s3cr3tWebhookPart');
  });
});

describe('Slack Web API', () => {
  const token = 'xoxb-1111-2222-cutterBotTokenValue';
  const make = (extra = {}) =>
    createSlackWebApiNotifier({ token, channel: 'C0RELEASES', slackApiUrl: `${receiver.url}/api/`, ...extra });

  it('posts with the bot token and answers with the message ts', async () => {
    const result = await make().send(released);
    expect(result).toMatchObject({
      channel: 'slack-web-api',
      ok: true,
      attempts: 1,
      id: expect.stringMatching(/^\d+\.\d+$/),
    });
    const [req] = receiver.received;
    expect(req?.path).toBe('/api/chat.postMessage');
    expect(req?.headers.authorization).toBe(`Bearer ${token}`);
    expect(req?.body).toMatchObject({ channel: 'C0RELEASES', text: expect.stringContaining('v1.4.2 released') });
    expect(blockKitViolations(req?.body as unknown as SlackPayload)).toEqual([]);
    expect(req?.body?.['thread_ts']).toBeUndefined();
  });

  it('posts "image rolled out" as a thread reply under the release message', async () => {
    const threads = memoryThreadStore();
    const notifier = make({ threads });
    const first = await notifier.send(released);
    await notifier.send(rolledOut);
    const reply = receiver.received[1];
    expect(reply?.body?.['thread_ts']).toBe(first.id);
    expect(await threads.get('acme/connector-x@1.4.2')).toBe(first.id);
    // a different release starts its own thread
    await notifier.send({ ...released, version: '1.4.3', tag: 'v1.4.3', threadKey: 'acme/connector-x@1.4.3' });
    expect(receiver.received[2]?.body?.['thread_ts']).toBeUndefined();
  });

  it('broadcasts a failed roll-out reply to the channel too', async () => {
    const notifier = make();
    await notifier.send(released);
    await notifier.send({ ...rolledOut, kind: 'rollout-failed', status: 'infra answered 403' });
    expect(receiver.received[1]?.body).toMatchObject({ reply_broadcast: 'true' });
  });

  it('fails permanently on invalid_auth, with a hint and no token in the error', async () => {
    receiver.answerNext({ status: 200, body: { ok: false, error: 'invalid_auth' } });
    const err = await failure(make().send(released));
    expect(err.transient).toBe(false);
    expect(err.message).toBe('slack-web-api: Slack refused chat.postMessage: invalid_auth');
    expect(err.hint).toMatch(/bot token/);
    expect(JSON.stringify({ m: err.message, h: err.hint, c: String(err.cause) })).not.toContain(token);
  });

  it('treats a 503 from Slack as transient', async () => {
    receiver.answerNext({ status: 503, body: 'unavailable' });
    const err = await failure(make().send(released));
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/Slack answered 503/);
  });
});
