// Which merged release PR a pushed commit is the merge of, by GitHub's PR association rather than its subject.
import type { GitHubClient } from '../github/client.js';
import type { RepoRef } from '../github/repo-api.js';
import { isReleasePr } from './on-merged.js';

export interface MergedReleasePrRef {
  number: number;
  /** Its head branch, `release-v1.4.0` or `release-api@1.4.0`: what names the release. */
  branch: string;
}

/**
 * The `release-*` PR merged into `base` as exactly `sha` (its merge or squash commit), or null. A squash merge's
 * subject is the PR title, which anyone may edit ("Release api 1.4.0 (#12)"): the head branch GitHub associates
 * with the commit is what Cutter named, so it is what tells a release PR's merge from an ordinary commit.
 */
export async function mergedReleasePrOf(
  gh: GitHubClient,
  repo: RepoRef,
  sha: string,
  base: string,
): Promise<MergedReleasePrRef | null> {
  const { data } = await gh.rest.repos.listPullRequestsAssociatedWithCommit({
    owner: repo.owner,
    repo: repo.name,
    commit_sha: sha,
    per_page: 100,
  });
  // The list gives `merged_at`, where a pull request itself says `merged`.
  const pr = data.find(
    (p) =>
      isReleasePr({ merged: p.merged_at !== null, head: p.head }) && p.merge_commit_sha === sha && p.base.ref === base,
  );
  return pr ? { number: pr.number, branch: pr.head.ref } : null;
}
