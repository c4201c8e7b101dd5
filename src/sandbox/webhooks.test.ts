import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhooks } from '@octokit/webhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateResponse } from './openapi-validator.js';
import { HOOKSHOT_USER_AGENT, type HookConfig, WebhookDispatcher } from './webhooks.js';

const SECRET = 'whsec-sandbox-test-0123456789';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  verified: boolean;
}

// A real receiver on 127.0.0.1 that checks every signature with @octokit/webhooks, as a GitHub App would.
let server: Server;
let base: string;
let received: Received[] = [];
const verifier = new Webhooks({ secret: SECRET });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', async () => {
      const signature = String(req.headers['x-hub-signature-256'] ?? '');
      const verified = signature ? await verifier.verify(body, signature) : false;
      received.push({ path: req.url ?? '', headers: req.headers, body, verified });
      const delay = req.url === '/slow' ? 400 : 0;
      setTimeout(() => {
        if (req.url === '/broken') res.writeHead(500).end('boom');
        else res.writeHead(202, { 'x-receiver': 'test' }).end('accepted');
      }, delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  received = [];
});

const hook = (over: Partial<HookConfig> = {}): HookConfig => ({
  id: 1,
  url: `${base}/hook`,
  secret: SECRET,
  events: ['push', 'release'],
  active: true,
  content_type: 'json',
  ...over,
});
const payload = {
  action: 'published',
  repository: { id: 42, full_name: 'acme/connector-slack' },
  release: { tag_name: 'v1.4.3' },
};

describe('WebhookDispatcher', () => {
  it('delivers a signed JSON event that @octokit/webhooks verifies, with GitHub headers', async () => {
    const dispatcher = new WebhookDispatcher({ hooksFor: () => [hook()] });
    await dispatcher.emit({ owner: 'acme', repo: 'connector-slack', event: 'release', payload });
    await dispatcher.whenIdle();
    expect(received).toHaveLength(1);
    const got = received[0]!;
    expect(got.verified).toBe(true);
    expect(JSON.parse(got.body)).toEqual(payload);
    expect(got.headers['x-github-event']).toBe('release');
    expect(got.headers['x-github-hook-id']).toBe('1');
    expect(got.headers['x-github-delivery']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(got.headers['user-agent']).toBe(HOOKSHOT_USER_AGENT);
    expect(got.headers['user-agent']).toMatch(/^GitHub-Hookshot\//);
    expect(got.headers['content-type']).toBe('application/json');
  });

  it('gives every delivery its own guid', async () => {
    const dispatcher = new WebhookDispatcher({ hooksFor: () => [hook(), hook({ id: 2, url: `${base}/other` })] });
    await dispatcher.emit({ owner: 'acme', repo: 'r', event: 'push', payload: {} });
    await dispatcher.emit({ owner: 'acme', repo: 'r', event: 'push', payload: {} });
    await dispatcher.whenIdle();
    const guids = received.map((r) => r.headers['x-github-delivery']);
    expect(new Set(guids).size).toBe(4);
  });

  it('sends only to active hooks subscribed to the event (or to *)', async () => {
    const dispatcher = new WebhookDispatcher({
      hooksFor: () => [
        hook({ id: 1, url: `${base}/push-only`, events: ['push'] }),
        hook({ id: 2, url: `${base}/inactive`, active: false }),
        hook({ id: 3, url: `${base}/everything`, events: ['*'] }),
      ],
    });
    await dispatcher.emit({ owner: 'acme', repo: 'r', event: 'pull_request', payload: { action: 'closed' } });
    await dispatcher.whenIdle();
    expect(received.map((r) => r.path)).toEqual(['/everything']);
  });

  it('signs the urlencoded body for form hooks', async () => {
    const dispatcher = new WebhookDispatcher({ hooksFor: () => [hook({ content_type: 'form' })] });
    await dispatcher.emit({ owner: 'acme', repo: 'r', event: 'push', payload });
    await dispatcher.whenIdle();
    const got = received[0]!;
    expect(got.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(got.verified).toBe(true);
    expect(JSON.parse(new URLSearchParams(got.body).get('payload')!)).toEqual(payload);
  });

  it('sends no signature header to a hook without a secret', async () => {
    const dispatcher = new WebhookDispatcher({ hooksFor: () => [hook({ secret: undefined })] });
    await dispatcher.emit({ owner: 'acme', repo: 'r', event: 'push', payload });
    await dispatcher.whenIdle();
    expect(received[0]!.headers['x-hub-signature-256']).toBeUndefined();
  });

  it('returns from emit before a slow receiver answers', async () => {
    const dispatcher = new WebhookDispatcher({ hooksFor: () => [hook({ url: `${base}/slow` })] });
    const started = performance.now();
    await dispatcher.emit({ owner: 'acme', repo: 'r', event: 'push', payload });
    expect(performance.now() - started).toBeLessThan(300);
    const [pending] = dispatcher.deliveries(1);
    expect(pending!.status).toBe('pending');
    await dispatcher.whenIdle();
    const done = dispatcher.delivery(pending!.id)!;
    expect(done).toMatchObject({
      status: 'OK',
      status_code: 202,
      event: 'push',
      action: 'published',
      repository_id: 42,
    });
    expect(done.duration).toBeGreaterThanOrEqual(0.3);
    expect(done.response).toEqual({ headers: expect.objectContaining({ 'x-receiver': 'test' }), payload: 'accepted' });
  });

  it('records a failing receiver and an unreachable one without throwing', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/gone`;
    await new Promise((resolve) => closed.close(resolve));
    const dispatcher = new WebhookDispatcher({
      hooksFor: () => [hook({ id: 1, url: `${base}/broken` }), hook({ id: 2, url: deadUrl })],
    });
    await dispatcher.emit({ owner: 'acme', repo: 'r', event: 'push', payload });
    await dispatcher.whenIdle();
    expect(dispatcher.deliveries(1)[0]).toMatchObject({ status_code: 500, status: 'Invalid HTTP Response: 500' });
    expect(dispatcher.deliveries(2)[0]).toMatchObject({ status_code: 0 });
    expect(dispatcher.deliveries(2)[0]!.status).toMatch(/^failed to connect/);
  });

  it('times out a receiver that never answers in time', async () => {
    const dispatcher = new WebhookDispatcher({ hooksFor: () => [hook({ url: `${base}/slow` })], timeoutMs: 100 });
    await dispatcher.emit({ owner: 'acme', repo: 'r', event: 'push', payload });
    await dispatcher.whenIdle();
    expect(dispatcher.deliveries(1)[0]).toMatchObject({ status: 'timed out', status_code: 0 });
  });

  it('redelivers a past delivery with the same guid, flagged as a redelivery', async () => {
    const dispatcher = new WebhookDispatcher({ hooksFor: () => [hook()] });
    await dispatcher.emit({ owner: 'acme', repo: 'r', event: 'release', payload });
    await dispatcher.whenIdle();
    const [first] = dispatcher.deliveries(1);
    const again = await dispatcher.redeliver(first!.id);
    expect(again).toMatchObject({ guid: first!.guid, redelivery: true, status: 'OK' });
    expect(again.id).not.toBe(first!.id);
    expect(received.map((r) => r.headers['x-github-delivery'])).toEqual([first!.guid, first!.guid]);
    expect(received.every((r) => r.verified)).toBe(true);
    // newest first, summaries without bodies, like GitHub's list endpoint
    const list = dispatcher.deliveries(1);
    expect(list.map((d) => d.redelivery)).toEqual([true, false]);
    expect(list[0]).not.toHaveProperty('request');
  });

  it("records deliveries in the shapes of GitHub's hook-delivery-item and hook-delivery (OpenAPI)", async () => {
    const dispatcher = new WebhookDispatcher({ hooksFor: () => [hook()] });
    await dispatcher.emit({ owner: 'acme', repo: 'r', event: 'release', payload });
    await dispatcher.whenIdle();
    const [summary] = dispatcher.deliveries(1);
    const base = '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries';
    expect(validateResponse('GET', base, 200, dispatcher.deliveries(1))).toEqual([]);
    expect(validateResponse('GET', `${base}/{delivery_id}`, 200, dispatcher.delivery(summary!.id))).toEqual([]);
  });

  it('also sends the legacy SHA-1 signature', async () => {
    const dispatcher = new WebhookDispatcher({ hooksFor: () => [hook()] });
    await dispatcher.emit({ owner: 'acme', repo: 'r', event: 'push', payload });
    await dispatcher.whenIdle();
    const got = received[0]!;
    expect(got.headers['x-hub-signature']).toBe(`sha1=${createHmac('sha1', SECRET).update(got.body).digest('hex')}`);
  });

  it('refuses to redeliver an unknown delivery', async () => {
    const dispatcher = new WebhookDispatcher({ hooksFor: () => [hook()] });
    await expect(dispatcher.redeliver(999)).rejects.toThrow(/no webhook delivery 999/);
  });

  it('stamps deliveries with the sandbox clock', async () => {
    const dispatcher = new WebhookDispatcher({ hooksFor: () => [hook()], clock: { now: () => Date.UTC(2031, 0, 1) } });
    await dispatcher.emit({ owner: 'acme', repo: 'r', event: 'push', payload });
    await dispatcher.whenIdle();
    expect(dispatcher.deliveries(1)[0]!.delivered_at).toBe('2031-01-01T00:00:00Z');
  });

  it('never keeps the hook secret in what it records', async () => {
    const dispatcher = new WebhookDispatcher({ hooksFor: () => [hook()] });
    await dispatcher.emit({ owner: 'acme', repo: 'r', event: 'push', payload });
    await dispatcher.whenIdle();
    const recorded = JSON.stringify(dispatcher.delivery(dispatcher.deliveries(1)[0]!.id));
    expect(recorded).not.toContain(SECRET);
    expect(recorded).toContain('X-Hub-Signature-256');
  });

  it('forgets the oldest deliveries beyond its limit', async () => {
    const dispatcher = new WebhookDispatcher({ hooksFor: () => [hook()], keepPerHook: 2 });
    for (let i = 0; i < 3; i++) await dispatcher.emit({ owner: 'acme', repo: 'r', event: 'push', payload });
    await dispatcher.whenIdle();
    const kept = dispatcher.deliveries(1);
    expect(kept).toHaveLength(2);
    expect(dispatcher.delivery(kept[1]!.id - 1)).toBeUndefined();
  });
});
