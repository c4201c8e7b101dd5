// A GitHub App on the sandbox: App id + private key → a JWT → an installation token → a release, with no token in sight.

import { createSign, generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../src/github/client.js';
import { runRelease } from '../src/steps/run-release.js';
import type { SqliteStore } from '../src/store/sqlite-store.js';
import { pushFacts, sandboxRepo, tempStore } from './release-flow-support.js';
import { type Harness, startSandbox, TOKEN } from './sandbox-harness.js';

const APP_ID = 271828;
const INSTALLATION = 31415;
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKey = keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const lines: string[] = [];
const capture = (m: unknown) => lines.push(String(m));
const logger = { debug: capture, info: capture, warn: capture, error: capture };

let h: Harness;
const stores: SqliteStore[] = [];
beforeAll(async () => {
  h = await startSandbox({
    apps: { [APP_ID]: { publicKey, installations: { [INSTALLATION]: { orgs: ['acme'] } } } },
    logger: { info: capture, warn: capture },
  });
});
afterAll(async () => {
  await h.close();
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

/** An App JWT as @octokit/auth-app makes it, signed with any key. */
function jwt(key: string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iat: now - 30, exp: now + 540, iss: APP_ID, ...claims })}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key, 'base64url')}`;
}

const mint = (auth: string, installation = INSTALLATION) =>
  fetch(`${h.url}/app/installations/${installation}/access_tokens`, {
    method: 'POST',
    headers: { authorization: auth, accept: 'application/vnd.github+json' },
  });

describe('GitHub App installation tokens on the sandbox', () => {
  it('trades the App JWT for an installation token that reaches only the installation’s orgs', async () => {
    const response = await mint(`Bearer ${jwt(privateKey)}`);
    expect(response.status).toBe(201);
    const body = (await response.json()) as { token: string; expires_at: string; permissions: object };
    expect(body.token).toMatch(/^ghs_/);
    expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now());
    const as = h.client(body.token);
    expect((await as.rest.orgs.get({ org: 'acme' })).status).toBe(200);
    await expect(as.rest.orgs.get({ org: 'globex' })).rejects.toMatchObject({ status: 404 });
    expect(h.sandbox.violations).toEqual([]);
  });

  it('refuses a JWT signed with another key, an expired one, a plain token and an unknown installation', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
    expect((await mint(`Bearer ${jwt(other)}`)).status).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 3600;
    expect((await mint(`Bearer ${jwt(privateKey, { iat: old, exp: old + 600 })}`)).status).toBe(401);
    expect((await mint(`Bearer ${jwt(privateKey, { iss: 99 })}`)).status).toBe(401);
    expect((await mint(`token ${TOKEN}`)).status).toBe(401);
    expect((await mint(`Bearer ${jwt(privateKey)}`, 999)).status).toBe(404);
    // A JWT is the App, not an installation: it sees no repository.
    const app = h.client(jwt(privateKey));
    await expect(app.rest.repos.get({ owner: 'acme', repo: 'anything' })).rejects.toMatchObject({ status: 404 });
  });

  it('releases a repository through the client factory’s App path, and the token never reaches a log or the task', async () => {
    const repo = await sandboxRepo(h, 'connector-app', ['feat: released by the app']);
    const gh = await createGitHubClient({
      baseUrl: h.url,
      app: { appId: APP_ID, privateKey, installationId: INSTALLATION },
      env: {},
      retries: 3,
      retryBaseMs: 20,
      logger,
    });
    const store = await tempStore();
    stores.push(store);
    const steps: string[] = [];
    const { task, log } = await runRelease({
      store,
      deps: { github: gh, env: {} },
      data: { repo: { owner: 'acme', name: repo.name }, push: await pushFacts(repo) },
      engine: { retry: { baseMs: 10, maxMs: 200 } },
      onLog: (e) => steps.push(e.message),
      timeoutMs: 200_000,
    });
    expect(task.status).toBe('done');
    const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: repo.name });
    expect(releases.map((r) => r.tag_name)).toEqual(['v1.0.0']);
    // Published by the installation, not by the harness's personal token.
    expect(releases[0]?.author.login).toBe('sandbox-app[bot]');
    expect(JSON.stringify(h.sandbox.violations, null, 1)).toBe('[]');
    // Every installation token starts with ghs_; none is in the logs, the task's data or its step log.
    const everything = JSON.stringify({ lines, steps, data: task.data, log, stored: await store.getTask(task.id) });
    expect(everything).not.toMatch(/ghs_/);
    expect(everything).not.toContain(privateKey.split('\n')[1]);
  });
});
