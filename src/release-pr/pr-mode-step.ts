// Step "release-pr-update": in PR mode a releasable push keeps one release PR up to date instead of tagging.

import type { GitHubClient } from '../github/client.js';
import { githubStatus } from '../github/github-error.js';
import type { RepoRef } from '../github/repo-api.js';
import { configOf, releaseOf, repoOf } from '../steps/release-context.js';
import type { ReleaseDeps } from '../steps/release-deps.js';
import type { Step } from '../workflow/types.js';
import { draftRelease } from './draft-release.js';
import { RELEASE_BRANCH_PREFIX } from './release-branch.js';

/**
 * Runs after next-version decided the version (and after a dry run stopped), before the gates and the tag:
 * draft-release brings `release-<tag>` and its draft PR up to date with the pushed branch, and any other open
 * release PR into the same branch is closed as superseded (a push that turns a minor into a major renames the
 * branch), so there is only ever one. The task ends here; merging the PR is what releases.
 */
export const releasePrUpdateStep: Step<ReleaseDeps> = {
  name: 'release-pr-update',
  when: {
    config: { release: { mode: 'pr' } },
    releasePr: null,
    release: { next: String, channel: null, tagged: null },
  },
  effect: 'idempotent',
  async run(ctx) {
    const repo = repoOf(ctx.data);
    const config = configOf(ctx.data);
    const release = releaseOf(ctx.data);
    const gh = ctx.deps.github;
    const result = await draftRelease(gh, {
      repo,
      request: release.next as string,
      ...(release.branch ? { baseBranch: release.branch } : {}),
      tagFormat: config.tagFormat,
      ...(config.package ? { package: config.package } : {}),
      firstRelease: config.firstRelease,
      versionFiles: config.versionFiles,
      date: ctx.now().toISOString().slice(0, 10),
      notes: { ...(config.notes.sections ? { sections: config.notes.sections } : {}) },
    });
    const pr = result.pr as NonNullable<typeof result.pr>;
    const closed = await closeSupersededPrs(gh, repo, result.base.branch, result.branch, pr.number);
    ctx.log(
      `${pr.created ? 'opened' : 'updated'} release PR #${pr.number} (${result.branch}, ${result.commits} commits)` +
        (closed.length > 0 ? `; closed superseded #${closed.join(', #')}` : ''),
    );
    return {
      complete: true,
      patch: {
        release: {
          pr: { number: pr.number, url: pr.url, created: pr.created, branch: result.branch, closed },
        },
      },
    };
  },
};

/** Close every other open `release-*` PR into `base` (a comment on each says which PR replaces it). */
async function closeSupersededPrs(
  gh: GitHubClient,
  repo: RepoRef,
  base: string,
  keep: string,
  keepNumber: number,
): Promise<number[]> {
  const o = { owner: repo.owner, repo: repo.name };
  const open = await gh.paginate(gh.rest.pulls.list, { ...o, state: 'open', base, per_page: 100 });
  const closed: number[] = [];
  for (const p of open) {
    if (!p.head.ref.startsWith(RELEASE_BRANCH_PREFIX) || p.head.ref === keep) continue;
    try {
      await gh.rest.pulls.update({
        ...o,
        pull_number: p.number,
        state: 'closed',
        body: `${p.body ?? ''}\n\n---\nSuperseded by #${keepNumber} (${keep}).`,
      });
      closed.push(p.number);
    } catch (err) {
      // already closed by a twin run: the goal is reached
      if (githubStatus(err) !== 422) throw err;
    }
  }
  return closed;
}
