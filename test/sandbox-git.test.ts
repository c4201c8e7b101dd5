import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, gitOk, type Harness, OTHER_TOKEN, repoWithHistory, startSandbox } from './sandbox-harness.js';

describe('sandbox git smart HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startSandbox();
  });
  afterAll(async () => {
    expect(h.sandbox.violations).toEqual([]);
    await h.close();
  });

  it('clones, pushes and fetches with the real git client, and the API reads what was pushed', async () => {
    const dir = await repoWithHistory(h, 'connector-a', ['feat: first', 'fix: second']);
    const head = await gitOk(dir, ['rev-parse', 'HEAD']);
    const { data: ref } = await h.octokit.rest.git.getRef({ owner: 'acme', repo: 'connector-a', ref: 'heads/main' });
    expect(ref.object.sha).toBe(head);
    const other = await h.tmp();
    await gitOk(other, ['clone', '--quiet', h.remote('acme', 'connector-a'), 'again']);
    expect(await gitOk(join(other, 'again'), ['log', '--format=%s'])).toBe('fix: second\nfeat: first');
  });

  it('pushes large gzip-compressed packs', async () => {
    const dir = await repoWithHistory(h, 'connector-big', ['chore: init']);
    // enough random-ish content that git gzips the request body
    for (let i = 0; i < 40; i++)
      await writeFile(join(dir, `f${i}.txt`), `${'line '.repeat(2000)}${i}\n${Math.random()}`);
    await gitOk(dir, ['add', '.']);
    await gitOk(dir, ['commit', '-q', '-m', 'feat: many files']);
    await gitOk(dir, ['-c', 'http.postBuffer=1024', 'push', '-q', 'origin', 'main']);
    const { data } = await h.octokit.rest.repos.getCommit({ owner: 'acme', repo: 'connector-big', ref: 'main' });
    expect(data.files?.length).toBe(40);
  });

  it('refuses a non-fast-forward push and leaves the branch where it was', async () => {
    const dir = await repoWithHistory(h, 'connector-nff', ['feat: one', 'feat: two']);
    const before = await gitOk(dir, ['rev-parse', 'HEAD']);
    await gitOk(dir, ['reset', '-q', '--hard', 'HEAD~1']);
    await gitOk(dir, ['commit', '-q', '--allow-empty', '-m', 'fix: rewritten']);
    const push = await git(dir, ['push', '--force', 'origin', 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/non-fast-forward|rejected/);
    const { data } = await h.octokit.rest.git.getRef({ owner: 'acme', repo: 'connector-nff', ref: 'heads/main' });
    expect(data.object.sha).toBe(before);
  });

  it('rejects a clone without a token and hides repos from tokens without access', async () => {
    await h.octokit.rest.repos.createInOrg({ org: 'acme', name: 'private-thing' });
    const work = await h.tmp();
    const anon = await git(work, ['clone', `${h.url}/acme/private-thing.git`, 'x']);
    expect(anon.code).not.toBe(0);
    const outsider = await git(work, ['clone', h.remote('acme', 'private-thing', OTHER_TOKEN), 'y']);
    expect(outsider.code).not.toBe(0);
    expect(outsider.stderr).toMatch(/not found/i);
  });

  it('reports pushed tags through the API, annotated ones as tag objects', async () => {
    const dir = await repoWithHistory(h, 'connector-tags', ['feat: x']);
    await gitOk(dir, ['tag', '-a', 'v1.0.0', '-m', 'v1.0.0']);
    await gitOk(dir, ['tag', 'v0.9.0', 'HEAD']);
    await gitOk(dir, ['push', '-q', 'origin', '--tags']);
    const { data: refs } = await h.octokit.rest.git.listMatchingRefs({
      owner: 'acme',
      repo: 'connector-tags',
      ref: 'tags/',
    });
    expect(refs.map((r) => [r.ref, r.object.type])).toEqual([
      ['refs/tags/v0.9.0', 'commit'],
      ['refs/tags/v1.0.0', 'tag'],
    ]);
    const { data: tags } = await h.octokit.rest.repos.listTags({ owner: 'acme', repo: 'connector-tags' });
    expect(tags.map((t) => t.name)).toEqual(['v1.0.0', 'v0.9.0']);
    expect(new Set(tags.map((t) => t.commit.sha)).size).toBe(1);
  });
});
