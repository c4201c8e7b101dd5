// A first attempt creates the tag and release without looking first; GitHub's 422 still adopts, drafts still look.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubClient } from '../src/github/client.js';
import { ensureAnnotatedTag, ensureRelease } from '../src/github/repo-api.js';
import { sandboxClient, sandboxRepo } from './release-flow-support.js';
import { type Harness, startSandbox } from './sandbox-harness.js';

let h: Harness;
let gh: GitHubClient;
beforeAll(async () => {
  h = await startSandbox();
  gh = await sandboxClient(h);
});
afterAll(async () => {
  expect(h.sandbox.violations).toEqual([]);
  await h.close();
});

const acme = (name: string) => ({ owner: 'acme', name });
const reads = () => h.sandbox.counters().byKind['read'] ?? 0;
const release = (tag: string, sha: string, draft = false) => ({
  tag,
  name: tag,
  body: 'notes',
  draft,
  prerelease: false,
  targetCommitish: sha,
});

describe('creating first, adopting on "already exists"', () => {
  it('spends no read on a fresh tag and release', async () => {
    const repo = await sandboxRepo(h, 'connector-fresh', ['feat: one']);
    h.sandbox.resetCounters();
    const tag = await ensureAnnotatedTag(
      gh,
      acme(repo.name),
      { tag: 'v1.0.0', sha: repo.head, message: 'v1.0.0' },
      { lookFirst: false },
    );
    const made = await ensureRelease(gh, acme(repo.name), release('v1.0.0', repo.head), { lookFirst: false });
    expect([tag.adopted, made.adopted]).toEqual([false, false]);
    expect(reads()).toBe(0);
    expect(h.sandbox.counters().byKind['write']).toBe(3);
  });

  it('adopts what an earlier attempt made, and refuses a tag on another commit', async () => {
    const repo = await sandboxRepo(h, 'connector-again', ['feat: one', 'fix: two']);
    const input = { tag: 'v1.0.0', sha: repo.head, message: 'v1.0.0' };
    await ensureAnnotatedTag(gh, acme(repo.name), input);
    const first = await ensureRelease(gh, acme(repo.name), release('v1.0.0', repo.head));
    const tag = await ensureAnnotatedTag(gh, acme(repo.name), input, { lookFirst: false });
    const again = await ensureRelease(gh, acme(repo.name), release('v1.0.0', repo.head), { lookFirst: false });
    expect(tag).toMatchObject({ adopted: true, sha: repo.head });
    expect(again).toMatchObject({ adopted: true, id: first.id });
    const { data: parent } = await h.octokit.rest.git.getCommit({
      owner: 'acme',
      repo: repo.name,
      commit_sha: repo.head,
    });
    const other = parent.parents[0]?.sha ?? '';
    const conflict = await ensureAnnotatedTag(
      gh,
      acme(repo.name),
      { ...input, sha: other },
      { lookFirst: false },
    ).catch((e) => e);
    expect(conflict.code).toBe('CUTTER_TAG_CONFLICT');
    const { data: ref } = await h.octokit.rest.git.getRef({ owner: 'acme', repo: repo.name, ref: 'tags/v1.0.0' });
    const { data: obj } = await h.octokit.rest.git.getTag({ owner: 'acme', repo: repo.name, tag_sha: ref.object.sha });
    expect(obj.object.sha).toBe(repo.head);
    const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: repo.name });
    expect(releases).toHaveLength(1);
  });

  it('still looks for a draft first: GitHub would let a second draft share the tag', async () => {
    const repo = await sandboxRepo(h, 'connector-draft', ['feat: one']);
    const first = await ensureRelease(gh, acme(repo.name), release('v1.0.0', repo.head, true), { lookFirst: false });
    const again = await ensureRelease(gh, acme(repo.name), release('v1.0.0', repo.head, true), { lookFirst: false });
    expect(again).toMatchObject({ adopted: true, id: first.id, draft: true });
    const { data: releases } = await h.octokit.rest.repos.listReleases({ owner: 'acme', repo: repo.name });
    expect(releases).toHaveLength(1);
  });
});
