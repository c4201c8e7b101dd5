// Discovery reads a whole org in one GraphQL query per 50 repositories and finishes repos with >100 tags in batches.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeTags, discoverRepos } from '../src/github/discover-repos.js';
import { generateOrg } from '../src/sandbox/orgs/generated.js';
import type { HistoryStep } from '../src/sandbox/seed.js';
import { seedOrg } from '../src/sandbox/seed.js';
import { sandboxClient } from './release-flow-support.js';
import { type Harness, startSandbox } from './sandbox-harness.js';

describe('discoverRepos', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startSandbox({ validateResponses: false });
    const spec = generateOrg({ org: 'acme', connectors: 120, seed: 3 });
    // 130 tags: v1.0.0 … v1.129.0, then a maintenance v1.5.1 tagged last (newest by date, lowest of the new ones).
    const history: HistoryStep[] = [{ commit: 'feat: init', files: { 'README.md': '# many\n' } }];
    for (let i = 0; i < 130; i++) history.push({ commit: `feat: step ${i}` }, { tag: `v1.${i}.0` });
    history.push({ tag: 'v1.5.1' });
    spec.repos.push({ name: 'connector-many-tags', history });
    await h.sandbox.registerRepos('acme', await seedOrg(h.root, spec));
  }, 300_000);
  afterAll(async () => {
    await h?.close();
  });

  it('reads 121 repositories in 3 queries and the 131 tags of one of them with 1 more', async () => {
    const gh = await sandboxClient(h, { requestTimeoutMs: 60_000 });
    const found = await discoverRepos(gh, { org: 'acme' });
    expect(found.repos).toHaveLength(121);
    expect(found.spend.queries).toBe(3);
    const many = found.repos.find((r) => r.name === 'connector-many-tags')!;
    expect(many.tagCount).toBe(131);
    expect(many.moreTagsAfter).toBeDefined();
    const done = await completeTags(gh, found.repos, { org: 'acme' });
    expect(done.spend.queries).toBe(1);
    const after = done.repos.find((r) => r.name === 'connector-many-tags')!;
    expect(after.latest?.tag).toBe('v1.129.0');
    expect(after.latest?.commit).toBe(after.head);
    expect(after.moreTagsAfter).toBeUndefined();
  }, 300_000);

  it('picks the latest tag by SemVer and peels annotated tags to their commit', async () => {
    const gh = await sandboxClient(h, { requestTimeoutMs: 60_000 });
    const { repos } = await discoverRepos(gh, { org: 'acme' });
    for (const r of repos.filter((x) => x.name.startsWith('connector-0'))) {
      expect(r.latest?.commit).toMatch(/^[0-9a-f]{40}$/);
    }
  }, 300_000);

  it('says which organization it could not see', async () => {
    const gh = await sandboxClient(h, { requestTimeoutMs: 60_000 });
    await expect(discoverRepos(gh, { org: 'nobody-here' })).rejects.toThrow(/nobody-here/);
  }, 120_000);
});
