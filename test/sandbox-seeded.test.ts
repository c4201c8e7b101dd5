import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrg } from '../src/sandbox/seed.js';
import { createSandbox } from '../src/sandbox/server.js';
import { sandboxReader } from '../src/sandbox/state-reader.js';
import { gitOk, type Harness, startSandbox, TOKEN } from './sandbox-harness.js';

describe('a seeded sandbox', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startSandbox();
    const seeded = await seedOrg(h.root, {
      org: 'acme',
      repos: [
        {
          name: 'connector-seeded',
          topics: ['connector'],
          history: [{ commit: 'feat: start' }, { tag: 'v1.0.0', annotated: true }, { commit: 'fix: later' }],
          releases: [{ tag: 'v1.0.0', name: 'v1.0.0', body: 'first' }],
        },
        { name: 'site', history: [{ commit: 'chore: init' }, { tag: 't1.0.0' }] },
      ],
    });
    await h.sandbox.registerRepos('acme', seeded);
  });
  afterAll(async () => {
    expect(h.sandbox.violations).toEqual([]);
    await h.close();
  });

  it('serves seeded repos, their tags and releases through the API', async () => {
    const { data: repos } = await h.octokit.rest.repos.listForOrg({ org: 'acme', sort: 'full_name' });
    expect(repos.map((r) => [r.name, r.topics])).toEqual([
      ['connector-seeded', ['connector']],
      ['site', []],
    ]);
    const { data: rel } = await h.octokit.rest.repos.getLatestRelease({ owner: 'acme', repo: 'connector-seeded' });
    expect(rel).toMatchObject({ tag_name: 'v1.0.0', body: 'first' });
    const { data: cmp } = await h.octokit.rest.repos.compareCommitsWithBasehead({
      owner: 'acme',
      repo: 'connector-seeded',
      basehead: 'v1.0.0...main',
    });
    expect(cmp.commits.map((c) => c.commit.message)).toEqual(['fix: later']);
  });

  it('clones a seeded repo over smart HTTP', async () => {
    const work = await h.tmp();
    await gitOk(work, ['clone', '--quiet', h.remote('acme', 'site'), 'site']);
    expect(await gitOk(join(work, 'site'), ['tag'])).toBe('t1.0.0');
  });

  it('implements the SandboxReader the GraphQL layer reads through', async () => {
    const reader = sandboxReader(h.sandbox);
    expect(await reader.viewerLogin(TOKEN)).toBe('release-bot');
    expect(await reader.viewerLogin('nope')).toBeNull();
    const refs = await reader.listRefs('acme', 'connector-seeded', 'refs/tags/');
    expect(refs.map((r) => [r.name, r.type])).toEqual([['refs/tags/v1.0.0', 'tag']]);
    const head = await reader.headOid('acme', 'connector-seeded', 'main');
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(await reader.commitDate('acme', 'connector-seeded', head ?? '')).toMatch(/^\d{4}-\d\d-\d\dT/);
    const before = reader.rateLimit(TOKEN).remaining;
    expect(reader.chargeGraphQL(TOKEN, 3).remaining).toBe(before - 3);
  });

  it('keeps its state across a restart on the same root', async () => {
    await h.octokit.rest.repos.createRelease({ owner: 'acme', repo: 'connector-seeded', tag_name: 'v1.0.1' });
    const again = await createSandbox({ root: h.root, tokens: { [TOKEN]: { orgs: '*' } }, validateResponses: true });
    try {
      const { url } = await again.listen();
      const res = await fetch(`${url}/repos/acme/connector-seeded/releases`, {
        headers: { authorization: `token ${TOKEN}` },
      });
      const list = (await res.json()) as { tag_name: string }[];
      expect(list.map((r) => r.tag_name)).toEqual(['v1.0.1', 'v1.0.0']);
      expect(again.violations).toEqual([]);
    } finally {
      await again.close();
    }
  });
});
