// The GitHub client against the sandbox: errors become CutterErrors, limits are waited out, writes ask the pacer.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startSandbox, TOKEN } from '../../test/sandbox-harness.js';
import { CutterError } from '../core/errors.js';
import { clearSecrets, redact } from '../core/redact.js';
import { isTransient } from '../workflow/transient.js';
import { createGitHubClient } from './client.js';
import { EtagCache } from './etag-cache.js';
import { githubStatus } from './github-error.js';
import type { Pacer } from './pacer.js';

let h: Harness;
beforeAll(async () => {
  // 20 × faster clock: GitHub's one-minute write window passes in three real seconds.
  h = await startSandbox({ clockScale: 20, limits: { writesPerMinute: 2 } });
  await h.octokit.rest.repos.createInOrg({ org: 'acme', name: 'client-target', auto_init: true });
});
afterAll(async () => {
  await h.close();
  clearSecrets();
});

const client = (over: Parameters<typeof createGitHubClient>[0] = {}) =>
  createGitHubClient({ baseUrl: h.url, token: TOKEN, retries: 0, retryBaseMs: 10, env: {}, ...over });

async function caught(p: Promise<unknown>): Promise<CutterError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CutterError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('createGitHubClient', () => {
  it('refuses to start without credentials, naming the variables to set', async () => {
    const err = await caught(createGitHubClient({ baseUrl: h.url, env: {} }));
    expect(err.code).toBe('CUTTER_GITHUB_AUTH');
    expect(err.hint).toContain('CUTTER_GITHUB_TOKEN');
  });

  it('reads the token and API URL from the environment, CUTTER_GITHUB_TOKEN first', async () => {
    const gh = await createGitHubClient({
      env: { GITHUB_API_URL: `${h.url}/`, CUTTER_GITHUB_TOKEN: TOKEN, GITHUB_TOKEN: 'ghp_wrong_token_1234' },
    });
    const { data } = await gh.rest.repos.get({ owner: 'acme', repo: 'client-target' });
    expect(data.full_name).toBe('acme/client-target');
  });

  it('turns a bad token into a permanent CUTTER_GITHUB_AUTH error that never shows the token', async () => {
    const secret = 'ghp_this_token_is_not_valid_0001';
    const gh = await client({ token: secret });
    const err = await caught(gh.rest.repos.get({ owner: 'acme', repo: 'client-target' }));
    expect(err.code).toBe('CUTTER_GITHUB_AUTH');
    expect(err.transient).toBe(false);
    expect(githubStatus(err)).toBe(401);
    expect(err.message).toContain('GET /repos/{owner}/{repo} → 401');
    expect(redact(`leaked ${secret}`)).not.toContain(secret);
    expect(JSON.stringify(err.toJSON())).not.toContain(secret);
  });

  it('reports a missing repository as permanent CUTTER_NOT_FOUND', async () => {
    const gh = await client();
    const err = await caught(gh.rest.repos.get({ owner: 'acme', repo: 'no-such-repo' }));
    expect(err.code).toBe('CUTTER_NOT_FOUND');
    expect(isTransient(err)).toBe(false);
  });

  it('marks 5xx answers transient once its own retries are spent', async () => {
    const gh = await client({ retries: 1 });
    h.sandbox.setFaults([{ route: 'GET /repos/{owner}/{repo}', rate: 1, kind: 'error', status: 503, limit: 2 }]);
    try {
      const err = await caught(gh.rest.repos.get({ owner: 'acme', repo: 'client-target' }));
      expect(err.code).toBe('CUTTER_GITHUB_ERROR');
      expect(githubStatus(err)).toBe(503);
      expect(isTransient(err)).toBe(true);
    } finally {
      h.sandbox.setFaults([]);
    }
  });

  it('retries a 502 inside the client and succeeds', async () => {
    const gh = await client({ retries: 3 });
    h.sandbox.setFaults([{ route: 'GET /repos/{owner}/{repo}', rate: 1, kind: 'error', status: 502, limit: 2 }]);
    try {
      const { data } = await gh.rest.repos.get({ owner: 'acme', repo: 'client-target' });
      expect(data.name).toBe('client-target');
    } finally {
      h.sandbox.setFaults([]);
    }
  });

  it('gives up on a hung request after its timeout and retries it as a fresh attempt', async () => {
    const gh = await client({ retries: 2, requestTimeoutMs: 300 });
    h.sandbox.setFaults([{ route: 'GET /repos/{owner}/{repo}', rate: 1, kind: 'slow', delayMs: 1_500, limit: 1 }]);
    try {
      const { data } = await gh.rest.repos.get({ owner: 'acme', repo: 'client-target' });
      expect(data.name).toBe('client-target');
    } finally {
      h.sandbox.setFaults([]);
    }
  });

  it('waits out a secondary rate limit as retry-after asks, and tells the pacer', async () => {
    const heard: number[] = [];
    const asked: string[] = [];
    const pacer: Pacer = {
      async acquire(kind) {
        asked.push(kind);
        return () => {};
      },
      noteRetryAfter: (ms) => heard.push(ms),
    };
    const gh = await client({ pacer, rateLimitRetries: 3 });
    const { data: head } = await gh.rest.git.getRef({ owner: 'acme', repo: 'client-target', ref: 'heads/main' });
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { data } = await gh.rest.git.createRef({
        owner: 'acme',
        repo: 'client-target',
        ref: `refs/heads/limited-${i}`,
        sha: head.object.sha,
      });
      made.push(data.ref);
    }
    expect(made).toHaveLength(4);
    expect(h.sandbox.counters().rateLimited.secondary).toBeGreaterThan(0);
    expect(heard.length).toBeGreaterThan(0);
    expect(heard.every((ms) => ms >= 1000)).toBe(true);
    expect(asked.filter((k) => k === 'write')).toHaveLength(4);
    expect(asked[0]).toBe('read');
  });

  it('hands a wait longer than it may take back to the engine as a transient error with retryAfterMs', async () => {
    const gh = await client({ maxRetryAfterMs: 0 });
    const { data: head } = await gh.rest.git.getRef({ owner: 'acme', repo: 'client-target', ref: 'heads/main' });
    let err: CutterError | null = null;
    for (let i = 0; i < 4 && err === null; i++) {
      try {
        await gh.rest.git.createRef({
          owner: 'acme',
          repo: 'client-target',
          ref: `refs/heads/over-${i}`,
          sha: head.object.sha,
        });
      } catch (e) {
        if (!(e instanceof CutterError)) throw e;
        err = e;
      }
    }
    expect(err?.code).toBe('CUTTER_GITHUB_ERROR');
    expect(err?.transient).toBe(true);
    expect(githubStatus(err)).toBe(403);
    expect(err?.details?.['retryAfterMs']).toBeGreaterThanOrEqual(1000);
    expect(err?.hint).toContain('slow down');
  });

  it('asks the pacer for a read, not a write, for a GraphQL query (secondary limits count it by points)', async () => {
    const asked: string[] = [];
    const pacer: Pacer = {
      async acquire(kind) {
        asked.push(kind);
        return () => {};
      },
      noteRetryAfter: () => {},
    };
    const gh = await client({ pacer });
    const data = await gh.graphql<{ organization: { login: string } }>(
      'query { organization(login: "acme") { login } }',
    );
    expect(data.organization.login).toBe('acme');
    expect(asked).toEqual(['read']);
  });

  it('sends a repeated read with If-None-Match and serves the 304 from its cache; a change is read afresh', async () => {
    const etagCache = new EtagCache(10);
    const gh = await client({ etagCache });
    h.sandbox.resetCounters();
    const first = await gh.rest.git.getRef({ owner: 'acme', repo: 'client-target', ref: 'heads/main' });
    const again = await gh.rest.git.getRef({ owner: 'acme', repo: 'client-target', ref: 'heads/main' });
    expect(again.status).toBe(200);
    expect(again.data).toEqual(first.data);
    // A caller changing what it got back does not change what the next 304 returns.
    (again.data as { ref: string }).ref = 'changed by the caller';
    const third = await gh.rest.git.getRef({ owner: 'acme', repo: 'client-target', ref: 'heads/main' });
    expect(third.data.ref).toBe('refs/heads/main');
    let counters = h.sandbox.counters();
    expect(counters.byStatus['304']).toBe(2);
    expect(counters.byStatus['200']).toBe(1);
    expect(etagCache.stats.hits).toBe(2);

    const plain = await client({ etagCache: false });
    await plain.rest.git.createRef({
      owner: 'acme',
      repo: 'client-target',
      ref: 'refs/heads/etag-moved',
      sha: first.data.object.sha,
    });
    const before = await gh.rest.git.getRef({ owner: 'acme', repo: 'client-target', ref: 'heads/etag-moved' });
    const { data: put } = await plain.rest.repos.createOrUpdateFileContents({
      owner: 'acme',
      repo: 'client-target',
      path: 'moved.txt',
      message: 'chore: move the branch',
      content: Buffer.from('moved\n').toString('base64'),
      branch: 'etag-moved',
    });
    const commit = { sha: put.commit.sha! };
    const after = await gh.rest.git.getRef({ owner: 'acme', repo: 'client-target', ref: 'heads/etag-moved' });
    expect(before.data.object.sha).toBe(first.data.object.sha);
    expect(after.data.object.sha).toBe(commit.sha);
    counters = h.sandbox.counters();
    expect(counters.byStatus['304']).toBe(2);
  });
});
