import { Octokit } from '@octokit/rest';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, type Harness, startSandbox, TOKEN } from './sandbox-harness.js';

const owner = 'acme';

describe('sandbox limits, faults and counters', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    if (h) {
      expect(h.sandbox.violations).toEqual([]);
      await h.close();
    }
    h = undefined;
  });
  const post = (x: Harness, name: string) =>
    x.octokit.rest.repos.createInOrg({ org: owner, name }).then(
      (r) => r.status,
      (e) => e,
    );

  it('answers content-creating requests past the per-minute limit with 403, retry-after and the secondary-limit message', async () => {
    h = await startSandbox({ limits: { writesPerMinute: 3 } });
    for (const n of ['r1', 'r2', 'r3']) expect(await post(h, n)).toBe(201);
    const err = await post(h, 'r4');
    expect(err.status).toBe(403);
    expect(err.response.data.message).toMatch(/secondary rate limit/);
    expect(Number(err.response.headers['retry-after'])).toBeGreaterThan(0);
    // reads are not content-creating
    expect((await h.octokit.rest.repos.listForOrg({ org: owner })).data.length).toBe(3);
    expect(h.sandbox.counters().rateLimited.secondary).toBe(1);
  });

  it('can answer secondary limits with 429 instead', async () => {
    h = await startSandbox({ limits: { writesPerHour: 1, secondaryStatus: 429 } });
    await post(h, 'r1');
    expect((await post(h, 'r2')).status).toBe(429);
  });

  it('runs limit windows on the scaled clock: a minute passes in two seconds at scale 30', async () => {
    h = await startSandbox({ limits: { writesPerMinute: 2 }, clockScale: 30 });
    const x = h;
    // org hooks are pure state writes: fast enough that the test measures the window, not git
    const hookPost = () =>
      x.octokit.rest.orgs.createWebhook({ org: owner, name: 'web', config: { url: 'http://127.0.0.1:9/h' } }).then(
        (r) => r.status,
        (e) => e,
      );
    await hookPost();
    await hookPost();
    const limited = await hookPost();
    expect(limited.status).toBe(403);
    expect(Number(limited.response.headers['retry-after'])).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 2100));
    expect(await hookPost()).toBe(201);
  });

  it('exhausts the primary budget with 403 and x-ratelimit-remaining 0', async () => {
    h = await startSandbox({ limits: { core: 3 } });
    const first = await h.octokit.rest.users.getAuthenticated();
    expect(first.headers['x-ratelimit-limit']).toBe('3');
    expect(first.headers['x-ratelimit-remaining']).toBe('2');
    expect(first.headers['x-ratelimit-used']).toBe('1');
    expect(Number(first.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
    await h.octokit.rest.users.getAuthenticated();
    await h.octokit.rest.users.getAuthenticated();
    const err = await h.octokit.rest.users.getAuthenticated().catch((e) => e);
    expect(err.status).toBe(403);
    expect(err.response.headers['x-ratelimit-remaining']).toBe('0');
    expect(err.response.data.message).toMatch(/API rate limit exceeded/);
  });

  it('limits concurrent requests per token', async () => {
    h = await startSandbox({
      limits: { concurrent: 2 },
      faults: [{ route: 'GET /user', rate: 1, kind: 'slow', delayMs: 400 }],
    });
    const x = h;
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        x.octokit.rest.users.getAuthenticated().then(
          (r) => r.status,
          (e) => e.status,
        ),
      ),
    );
    expect(results.sort()).toEqual([200, 200, 403]);
  });

  it('injects faults per route from a seeded PRNG: the same seed gives the same sequence', async () => {
    const run = async (seed: number) => {
      const x = await startSandbox({
        seed,
        faults: [{ route: 'GET /repos/{owner}/{repo}', rate: 0.5, kind: 'error', status: 503 }],
      });
      await x.octokit.rest.repos.createInOrg({ org: owner, name: 'f' });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++)
        statuses.push(
          await x.octokit.rest.repos.get({ owner, repo: 'f' }).then(
            (r) => r.status,
            (e) => e.status,
          ),
        );
      expect(x.sandbox.violations).toEqual([]);
      await x.close();
      return statuses;
    };
    const a = await run(7);
    const b = await run(7);
    expect(a).toEqual(b);
    expect(a).toContain(503);
    expect(a).toContain(200);
  });

  it('drops connections and slows answers on request', async () => {
    h = await startSandbox({
      faults: [
        { route: 'GET /user', rate: 1, kind: 'drop', limit: 1 },
        { route: 'GET /rate_limit', rate: 1, kind: 'slow', delayMs: 300 },
      ],
    });
    const dropped = await fetch(`${h.url}/user`, { headers: { authorization: `token ${TOKEN}` } }).catch((e) => e);
    expect(dropped).toBeInstanceOf(Error);
    expect((await h.octokit.rest.users.getAuthenticated()).status).toBe(200);
    const t0 = Date.now();
    await h.octokit.rest.rateLimit.get();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(h.sandbox.counters().faults).toEqual({ drop: 1, slow: 1 });
  });

  it('counts requests by route, kind and status behind an admin token, and changes faults at runtime', async () => {
    h = await startSandbox();
    await h.octokit.rest.repos.createInOrg({ org: owner, name: 'c1' });
    await h.octokit.rest.repos.get({ owner, repo: 'c1' });
    await h.octokit.rest.repos.get({ owner, repo: 'nope' }).catch(() => undefined);
    const denied = await fetch(`${h.url}/_sandbox/counters`, { headers: { authorization: `token ${TOKEN}` } });
    expect(denied.status).toBe(401);
    const res = await fetch(`${h.url}/_sandbox/counters`, { headers: { authorization: `token ${ADMIN}` } });
    const c = (await res.json()) as import('../src/sandbox/counters.js').CounterSnapshot;
    expect(c.byRoute['GET /repos/{owner}/{repo}']).toBe(2);
    expect(c.byRoute['POST /orgs/{org}/repos']).toBe(1);
    expect(c.byKind).toEqual({ read: 2, write: 1 });
    expect(c.byStatus).toEqual({ 200: 1, 201: 1, 404: 1 });
    expect(c.byProtocol).toEqual({ rest: 3 });

    const set = await fetch(`${h.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { authorization: `token ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ faults: [{ route: 'GET /repos/{owner}/{repo}', rate: 1, kind: 'error', status: 500 }] }),
    });
    expect(set.status).toBe(200);
    expect((await h.octokit.rest.repos.get({ owner, repo: 'c1' }).catch((e) => e)).status).toBe(500);
  });

  it('lets Octokit throttling wait out a secondary limit and succeed', async () => {
    const { throttling } = await import('@octokit/plugin-throttling');
    h = await startSandbox({ limits: { writesPerMinute: 1 }, clockScale: 20 });
    const Throttled = Octokit.plugin(throttling);
    let waited = 0;
    const client = new Throttled({
      auth: TOKEN,
      baseUrl: h.url,
      throttle: {
        onRateLimit: () => true,
        onSecondaryRateLimit: (after: number) => {
          waited += after;
          return true;
        },
      },
    });
    const config = { url: 'http://127.0.0.1:9/h' };
    await client.rest.orgs.createWebhook({ org: owner, name: 'web', config });
    const second = await client.rest.orgs.createWebhook({ org: owner, name: 'web', config });
    expect(second.status).toBe(201);
    expect(waited).toBeGreaterThan(0);
  });
});
