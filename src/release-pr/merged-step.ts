// Step "release-pr-merged": a merged release PR names the version; the release flow's own steps then tag and publish.

import semver from 'semver';
import { matchBranch } from '../config/branch-channel.js';
import { isCutterError } from '../core/errors.js';
import type { PackageSpec } from '../core/package-paths.js';
import { packageTaskFields } from '../steps/package-fan-out.js';
import { repoOf, taskData } from '../steps/release-context.js';
import type { ReleaseDeps } from '../steps/release-deps.js';
import { configPatch, readRepoConfig } from '../steps/repo-config.js';
import type { Step } from '../workflow/types.js';
import type { MergedReleasePr } from './pr-events.js';
import { packageFromReleaseBranch, tagFromReleaseBranch } from './release-branch.js';

/** The commit status a refused release PR gets on its head and merge commits. */
export const RELEASE_STATUS_CONTEXT = 'cutter/release';

/**
 * Reads `.cutter.yml` at the merge commit, reads the tag from the branch name and hands the release flow
 * `release: { head, next, nextTag, notes }`: latest-tag, the gates, tag, create-release, confirm and notify follow
 * as for a push. In a monorepo the branch names one package (`release-api@1.4.0`): the task becomes that package's,
 * so only its tag and release are made. The base branch's channel marks a prerelease (`beta` → `2.0.0-beta.1`).
 * A branch that names no valid version (or no configured package) is refused: the task ends skipped with the
 * reason, and the PR's commits get a failed `cutter/release` status saying why, so the author sees it on the PR.
 */
export const releasePrMergedStep: Step<ReleaseDeps> = {
  name: 'release-pr-merged',
  when: { releasePr: { mergeSha: String }, release: null },
  effect: 'idempotent',
  async run(ctx) {
    const repo = repoOf(ctx.data);
    const pr = (taskData(ctx.data) as { releasePr?: MergedReleasePr }).releasePr as MergedReleasePr;
    const loaded = await readRepoConfig(ctx.deps.github, repo, pr.mergeSha);
    const { config } = loaded;
    let named: { tag: string; version: string; pkg?: PackageSpec };
    try {
      named =
        config.packages.length > 0
          ? packageFromReleaseBranch(pr.branch, config.packages)
          : tagFromReleaseBranch(pr.branch, config.tagFormat, config.package);
    } catch (err) {
      if (!isCutterError(err, 'CUTTER_REFUSED')) throw err;
      const description = `not released: ${pr.branch} names no version (want ${err.hint?.match(/release-\S+/)?.[0] ?? 'release-v1.4.0'})`;
      for (const sha of new Set([pr.headSha, pr.mergeSha])) {
        await ctx.deps.github.rest.repos.createCommitStatus({
          owner: repo.owner,
          repo: repo.name,
          sha,
          state: 'failure',
          context: RELEASE_STATUS_CONTEXT,
          description: description.slice(0, 140),
        });
      }
      ctx.log(err.message);
      return {
        complete: true,
        patch: { skipped: { reason: err.message, details: [err.hint ?? ''].filter(Boolean) } },
      };
    }
    ctx.log(`release PR #${pr.number} merged as ${pr.mergeSha.slice(0, 7)}: releasing ${named.tag}`);
    const line = matchBranch(config.branches, pr.base);
    const prerelease = config.release.prerelease || semver.prerelease(named.version) !== null;
    const repoConfig = configPatch(loaded) as Parameters<typeof packageTaskFields>[0];
    return {
      patch: {
        ...(named.pkg ? packageTaskFields(repoConfig, named.pkg) : { config: repoConfig }),
        release: {
          head: pr.mergeSha,
          branch: pr.base,
          channel: line.prerelease,
          next: named.version,
          nextTag: named.tag,
          notes: pr.body.trim() ? pr.body : `Release ${named.tag}`,
          draft: config.release.draft,
          prerelease,
          // As for a push: only a stable release of the main line becomes the latest, never a prerelease or hotfix.
          makeLatest: !prerelease && line.branch?.range === undefined,
        },
      },
    };
  },
};
