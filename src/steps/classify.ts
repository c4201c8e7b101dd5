// Step "classify": does this push deserve a release? Branch, deleted branch, tag push, excluded repo, bot, [skip release].

import { ignoredAuthorFilter } from '../config/author-filter.js';
import { matchBranch } from '../config/branch-channel.js';
import { namePatternMatches } from '../config/name-pattern.js';
import type { CutterConfig } from '../config/schema.js';
import { githubStatus } from '../github/github-error.js';
import { mergedReleasePrOf } from '../release-pr/release-pr-of-commit.js';
import type { Step, StepOutcome } from '../workflow/types.js';
import { repoOf, taskData } from './release-context.js';
import type { PushFacts, RepoRef } from './release-data.js';
import type { ReleaseDeps } from './release-deps.js';
import { configPatch, readRepoConfig } from './repo-config.js';

const ZERO_SHA = /^0+$/;
const SKIP_MARKER = /\[(skip release|release skip)\]/i;
/** GitHub Apps commit as `name[bot]`: their pushes never start a release on their own. */
const BOT_AUTHOR = /\[bot\]$/i;
/**
 * The merge (or squash) of a `release-*` PR: its `pull_request` closed event releases it, with the version it names.
 * The default subjects are known from the text; an edited one is found by the PR GitHub associates with the commit.
 */
const RELEASE_PR_MERGE = /^(?:Merge pull request #\d+ from [^\s/]+\/release-\S+|chore\(release\): .+ \(#\d+\))/;
const RELEASE_PR_MERGE_REASON = 'the head commit merges a release PR, which its merge event releases';

const skip = (reason: string, details?: string[]): StepOutcome => ({
  complete: true,
  patch: { skipped: { reason, ...(details ? { details } : {}) } },
});

/** Reasons a push is not a release, decided before anything is read from GitHub. */
export function pushSkipReason(push: PushFacts): string | null {
  if (push.deleted || ZERO_SHA.test(push.after)) return `${push.ref} was deleted`;
  if (push.ref.startsWith('refs/tags/')) return `tag push (${push.ref}): tags are outputs, not triggers`;
  if (!push.ref.startsWith('refs/heads/')) return `${push.ref} is not a branch`;
  return null;
}

function excluded(repo: RepoRef, patterns: readonly string[]): string | undefined {
  const full = `${repo.owner}/${repo.name}`;
  return patterns.find(
    (p) => namePatternMatches(p, full, { ignoreCase: true }) || namePatternMatches(p, repo.name, { ignoreCase: true }),
  );
}

/** Reasons from the repository's configuration and the pushed head commit. */
export function configSkipReason(
  push: PushFacts,
  repo: RepoRef,
  config: CutterConfig,
  orgExcluded: readonly string[],
): string | null {
  const branch = push.ref.slice('refs/heads/'.length);
  if (matchBranch(config.branches, branch).branch === null) {
    return `branch ${branch} is not a release branch (branches: ${config.branches.map((b) => b.name).join(', ')})`;
  }
  const rule = excluded(repo, [...orgExcluded, ...config.excludeRepos]);
  if (rule !== undefined) return `repository ${repo.owner}/${repo.name} is excluded (${rule})`;
  const head = push.headCommit;
  if (head) {
    const ignored = ignoredAuthorFilter(config.ignoreAuthors);
    if (
      (head.authorName !== undefined && BOT_AUTHOR.test(head.authorName)) ||
      push.senderType === 'Bot' ||
      ignored(head.authorName, head.authorEmail)
    ) {
      return `pushed by a bot or ignored author (${head.authorName ?? head.authorEmail ?? push.pusher ?? 'unknown'})`;
    }
    if (SKIP_MARKER.test(head.message)) return 'the head commit says [skip release]';
    if (RELEASE_PR_MERGE.test(head.message)) return RELEASE_PR_MERGE_REASON;
  }
  return null;
}

export const classifyStep: Step<ReleaseDeps> = {
  name: 'classify',
  when: { push: Object, release: null },
  effect: 'none',
  async run(ctx) {
    const data = taskData(ctx.data);
    const push = data.push as PushFacts;
    const repo = repoOf(ctx.data);
    const early = pushSkipReason(push);
    if (early) return skip(early);
    const loaded = await readRepoConfig(ctx.deps.github, repo, push.after);
    const reason = configSkipReason(push, repo, loaded.config, ctx.deps.excludeRepos ?? []);
    if (reason) return skip(reason);
    const branch = push.ref.slice('refs/heads/'.length);
    // A head commit whose subject does not say so may still be a release PR's merge (a retitled squash):
    // releasing it here too would race the merge event's release. One read, made for release candidates only.
    let pr: Awaited<ReturnType<typeof mergedReleasePrOf>> = null;
    try {
      pr = await mergedReleasePrOf(ctx.deps.github, repo, push.after, branch);
    } catch (err) {
      // A token without pull-request read access must not stop every release: the subject check above still holds.
      const status = githubStatus(err);
      if (status !== 403 && status !== 404) throw err;
      ctx.log(
        `cannot ask GitHub which pull request ${push.after.slice(0, 7)} belongs to (HTTP ${status}; the token needs pull requests: read): a retitled release PR merge is judged by its subject only`,
      );
    }
    if (pr) return skip(RELEASE_PR_MERGE_REASON, [`#${pr.number} (${pr.branch})`]);
    const match = matchBranch(loaded.config.branches, branch);
    ctx.log(
      `release candidate: ${branch} at ${push.after.slice(0, 7)}${match.prerelease ? ` (channel ${match.prerelease})` : ''}`,
    );
    return {
      patch: {
        config: configPatch(loaded),
        trigger: data.trigger ?? (push.pusher ? `push by @${push.pusher}` : 'push'),
        release: { head: push.after, branch, channel: match.prerelease },
      },
    };
  },
};
