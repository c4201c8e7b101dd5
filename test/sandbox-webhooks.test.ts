import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitOk, type Harness, repoWithHistory, startSandbox } from './sandbox-harness.js';

interface Received {
  event: string;
  delivery: string;
  signatureOk: boolean;
  payload: {
    action?: string;
    ref?: string;
    commits?: { message: string }[];
    pull_request?: { merged: boolean };
    release?: { tag_name: string };
  };
}

const SECRET = 'webhook-secret-for-tests';

describe('sandbox webhooks', () => {
  let h: Harness;
  let receiver: Server;
  let hookUrl = '';
  const received: Received[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({
          event: String(req.headers['x-github-event']),
          delivery: String(req.headers['x-github-delivery']),
          signatureOk: await verify(SECRET, body, String(req.headers['x-hub-signature-256'])),
          payload: JSON.parse(body),
        });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    h = await startSandbox();
    await h.octokit.rest.orgs.createWebhook({
      org: 'acme',
      name: 'web',
      events: ['*'],
      config: { url: hookUrl, content_type: 'json', secret: SECRET },
    });
  });
  afterAll(async () => {
    expect(h.sandbox.violations).toEqual([]);
    await h.close();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  const idle = () => h.sandbox.webhookDispatcher?.whenIdle();

  it('delivers a signed push event for a git push to the default branch, with its commits', async () => {
    await repoWithHistory(h, 'connector-hooks', ['feat: one', 'fix: two']);
    await idle();
    const push = received.find((r) => r.event === 'push' && r.payload.ref === 'refs/heads/main');
    expect(push?.signatureOk).toBe(true);
    expect(push?.payload.commits?.map((c) => c.message)).toEqual(['feat: one', 'fix: two']);
    expect(received.some((r) => r.event === 'create')).toBe(true);
    expect(new Set(received.map((r) => r.delivery)).size).toBe(received.length);
  });

  it('lists only the commits new to the repository when a push creates a branch', async () => {
    const dir = await h.tmp();
    await gitOk(dir, ['clone', '-q', h.remote('acme', 'connector-hooks'), 'b']);
    await gitOk(`${dir}/b`, ['checkout', '-q', '-b', 'feature/new']);
    await gitOk(`${dir}/b`, ['commit', '-q', '--allow-empty', '-m', 'feat: only on the new branch']);
    await gitOk(`${dir}/b`, ['push', '-q', 'origin', 'feature/new']);
    await idle();
    const push = received.find((r) => r.event === 'push' && r.payload.ref === 'refs/heads/feature/new');
    expect(push?.payload.commits?.map((c) => c.message)).toEqual(['feat: only on the new branch']);
  });

  it('delivers release and merged pull_request events', async () => {
    await h.octokit.rest.repos.createRelease({ owner: 'acme', repo: 'connector-hooks', tag_name: 'v1.0.0' });
    const main = (await h.octokit.rest.git.getRef({ owner: 'acme', repo: 'connector-hooks', ref: 'heads/main' })).data
      .object.sha;
    await h.octokit.rest.git.createRef({ owner: 'acme', repo: 'connector-hooks', ref: 'refs/heads/topic', sha: main });
    await h.octokit.rest.repos.createOrUpdateFileContents({
      owner: 'acme',
      repo: 'connector-hooks',
      path: 'x.txt',
      message: 'feat: x',
      content: 'eA==',
      branch: 'topic',
    });
    const { data: pr } = await h.octokit.rest.pulls.create({
      owner: 'acme',
      repo: 'connector-hooks',
      title: 'feat: x',
      head: 'topic',
      base: 'main',
    });
    await h.octokit.rest.pulls.merge({ owner: 'acme', repo: 'connector-hooks', pull_number: pr.number });
    await idle();
    const releases = received.filter((r) => r.event === 'release').map((r) => r.payload.action);
    expect(releases).toEqual(['created', 'published', 'released']);
    const closed = received.find((r) => r.event === 'pull_request' && r.payload.action === 'closed');
    expect(closed?.payload.pull_request?.merged).toBe(true);
    expect(received.every((r) => r.signatureOk)).toBe(true);
  });

  it('lists deliveries and redelivers one with the same delivery id', async () => {
    const { data: hooks } = await h.octokit.rest.orgs.listWebhooks({ org: 'acme' });
    const hookId = hooks[0]?.id ?? 0;
    const { data: deliveries } = await h.octokit.rest.orgs.listWebhookDeliveries({ org: 'acme', hook_id: hookId });
    expect(deliveries.length).toBe(received.length);
    const first = deliveries[deliveries.length - 1];
    if (!first) throw new Error('no delivery');
    const before = received.length;
    const res = await h.octokit.rest.orgs.redeliverWebhookDelivery({
      org: 'acme',
      hook_id: hookId,
      delivery_id: first.id,
    });
    expect(res.status).toBe(202);
    await idle();
    expect(received.length).toBe(before + 1);
    expect(received.at(-1)?.delivery).toBe(first.guid);
  });

  it('pages an org hook delivery log with Link headers that name the org (regression: /orgs//hooks)', async () => {
    const { data: hooks } = await h.octokit.rest.orgs.listWebhooks({ org: 'acme' });
    const hookId = hooks[0]?.id ?? 0;
    const first = await h.octokit.rest.orgs.listWebhookDeliveries({ org: 'acme', hook_id: hookId, per_page: 1 });
    expect(first.headers.link).toContain(`/orgs/acme/hooks/${hookId}/deliveries?`);
    expect(first.headers.link).toContain('rel="next"');
    const all = await h.octokit.paginate(h.octokit.rest.orgs.listWebhookDeliveries, {
      org: 'acme',
      hook_id: hookId,
      per_page: 2,
    });
    expect(all.length).toBe(received.length);
    expect(new Set(all.map((d) => d.id)).size).toBe(all.length);
  });

  it('never lets a push wait on a webhook receiver', async () => {
    const dir = await h.tmp();
    await gitOk(dir, ['clone', '-q', h.remote('acme', 'connector-hooks'), 'c']);
    expect(await gitOk(`${dir}/c`, ['log', '-1', '--format=%s'])).toMatch(/Merge pull request #1/);
  });
});
