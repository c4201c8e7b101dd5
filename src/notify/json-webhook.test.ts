import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CutterError } from '../core/errors.js';
import { createJsonWebhookNotifier, signBody } from './json-webhook.js';
import type { ReleaseMessage } from './notifier.js';
import { type RecordingReceiver, startRecordingReceiver } from './recording-receiver.js';

const message: ReleaseMessage = {
  kind: 'released',
  repo: 'acme/connector-x',
  version: '1.4.2',
  tag: 'v1.4.2',
  sha: 'abc123',
};
let receiver: RecordingReceiver;
beforeEach(async () => {
  receiver = await startRecordingReceiver(() => ({ status: 204 }));
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

describe('JSON webhook', () => {
  it('posts the message as JSON with its event and a delivery id', async () => {
    const result = await createJsonWebhookNotifier({ url: `${receiver.url}/hooks/release` }).send(message);
    const [req] = receiver.received;
    expect(req?.body).toEqual({ event: 'released', delivery: result.id, ...message });
    expect(req?.headers['x-cutter-event']).toBe('released');
    expect(req?.headers['x-cutter-delivery']).toBe(result.id);
    expect(req?.headers['x-cutter-signature-256']).toBeUndefined();
  });

  it('signs the exact body with HMAC-SHA256 so the receiver can verify it', async () => {
    const secret = 'json-hook-secret-42';
    await createJsonWebhookNotifier({ url: receiver.url, secret, signatureHeader: 'x-signature' }).send(message);
    const [req] = receiver.received;
    expect(req?.headers['x-signature']).toBe(signBody(secret, req?.raw ?? ''));
    expect(req?.headers['x-signature']).not.toBe(signBody('another-secret', req?.raw ?? ''));
  });

  it('fails transiently on 5xx and permanently on 4xx, with a short excerpt', async () => {
    receiver.answerNext({ status: 502, body: 'bad gateway' }, { status: 422, body: { error: 'unknown event' } });
    const notifier = createJsonWebhookNotifier({ url: receiver.url });
    const first = await failure(notifier.send(message));
    expect([first.transient, first.message]).toEqual([true, 'json-webhook: receiver answered 502: bad gateway']);
    const second = await failure(notifier.send(message));
    expect([second.transient, second.message]).toEqual([
      false,
      'json-webhook: receiver answered 422: {"error":"unknown event"}',
    ]);
  });

  it('never shows a key carried in the URL or a header in its errors', async () => {
    const key = 'query-api-key-987654';
    receiver.answerNext({ status: 401, body: `bad key ${key}` });
    const notifier = createJsonWebhookNotifier({
      url: `${receiver.url}/h?token=${key}`,
      headers: { 'x-api-key': 'header-key-123456' },
    });
    const err = await failure(notifier.send(message));
    expect(err.toLine()).not.toContain(key);
    expect(receiver.received[0]?.headers['x-api-key']).toBe('header-key-123456');
  });

  it('times out on a receiver that never answers', async () => {
    await receiver.close();
    receiver = await startRecordingReceiver(() => ({ status: 200 }));
    const { createServer } = await import('node:http');
    const hang = createServer(() => {});
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const port = (hang.address() as { port: number }).port;
    try {
      const err = await failure(
        createJsonWebhookNotifier({ url: `http://127.0.0.1:${port}/`, timeoutMs: 100 }).send(message),
      );
      expect([err.transient, err.message]).toEqual([true, 'json-webhook: POST failed: timed out after 100ms']);
    } finally {
      hang.closeAllConnections();
      await new Promise((r) => hang.close(r));
    }
  });

  it('rejects an invalid URL at configuration time', () => {
    expect(() => createJsonWebhookNotifier({ url: 'not a url' })).toThrow();
  });
});
