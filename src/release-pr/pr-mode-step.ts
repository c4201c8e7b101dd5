// Step "release-pr-update": in PR mode a releasable push keeps one release PR up to date instead of tagging.

import { type PackageSpec, packageTagVersion } from '../core/package-paths.js';
import type { GitHubClient } from '../github/client.js';
import { githubStatus } from '../github/github-error.js';
import type { RepoRef } from '../github/repo-api.js';
import { configOf, releaseOf, repoOf, taskData } from '../steps/release-context.js';
import type { ReleaseDeps } from '../steps/release-deps.js';
import type { Step } from '../workflow/types.js';
import { draftRelease } from './draft-release.js';
import { RELEASE_BRANCH_PREFIX } from './release-branch.js';
import { releasePrInput } from './release-pr-input.js';

/**
 * Runs after next-version decided the version (and after a dry run stopped), before the gates and the tag:
 * draft-release brings `release-<tag>` and its draft PR up to date with the pushed branch, and any other open
 * release PR into the same branch is closed as superseded (a push that turns a minor into a major renames the
 * branch), so there is only ever one. The task ends here; merging the PR is what releases.
 *
 * A prerelease branch (`beta`) gets its own PR for `2.0.0-beta.N` into it. A monorepo package's task keeps one
 * PR per package, `release-<package tag>` (`release-api@1.4.0`), bumping the package's version files and its
 * CHANGELOG.md with only the commits that touched it; only that package's older PRs are superseded.
 */
export const releasePrUpdateStep: Step<ReleaseDeps> = {
  name: 'release-pr-update',
  when: {
    config: { release: { mode: 'pr' } },
    releasePr: null,
    release: { next: String, tagged: null },
  },
  effect: 'idempotent',
  async run(ctx) {
    const repo = repoOf(ctx.data);
    const config = configOf(ctx.data);
    const release = releaseOf(ctx.data);
    const gh = ctx.deps.github;
    const pkg = packageOf(ctx.data);
    const result = await draftRelease(gh, {
      repo,
      request: release.next as string,
      ...(release.branch ? { baseBranch: release.branch } : {}),
      ...releasePrInput(gh, repo, config, pkg),
      ...((release.channel ?? null) !== null ? { includePrerelease: true } : {}),
      date: ctx.now().toISOString().slice(0, 10),
    });
    const pr = result.pr as NonNullable<typeof result.pr>;
    // A package's PR supersedes only that package's release PRs; the other packages keep theirs.
    const ours = pkg
      ? (ref: string) => packageTagVersion(pkg, ref.slice(RELEASE_BRANCH_PREFIX.length)) !== null
      : () => true;
    const closed = await closeSupersededPrs(gh, repo, result.base.branch, result.branch, pr.number, ours);
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

/** The package of a package task, with its version files from the config (the task's `package` has only its path). */
function packageOf(data: Parameters<typeof taskData>[0]): PackageSpec | null {
  const pkg = taskData(data).package;
  if (!pkg) return null;
  const configured = configOf(data).packages.find((p) => p.name === pkg.name);
  return { ...pkg, ...(configured ? { versionFiles: configured.versionFiles } : {}) };
}

/** Close every other open `release-*` PR into `base` that `ours` claims (a comment on each says which PR replaces it). */
async function closeSupersededPrs(
  gh: GitHubClient,
  repo: RepoRef,
  base: string,
  keep: string,
  keepNumber: number,
  ours: (ref: string) => boolean,
): Promise<number[]> {
  const o = { owner: repo.owner, repo: repo.name };
  const open = await gh.paginate(gh.rest.pulls.list, { ...o, state: 'open', base, per_page: 100 });
  const closed: number[] = [];
  for (const p of open) {
    if (!p.head.ref.startsWith(RELEASE_BRANCH_PREFIX) || p.head.ref === keep || !ours(p.head.ref)) continue;
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
