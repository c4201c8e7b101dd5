// When a `release-*` PR is merged: the tag named by its branch goes on the merge commit, then the GitHub release.
import semver from 'semver';
import { CutterError } from '../core/errors.js';
import type { GitHubClient } from '../github/client.js';
import { ensureAnnotatedTag, ensureRelease, type RepoRef } from '../github/repo-api.js';
import { RELEASE_BRANCH_PREFIX, tagFromReleaseBranch } from './release-branch.js';

/** The fields of a `pull_request` webhook payload (or `pulls.get`) this needs. */
export interface MergedPull {
  number: number;
  merged: boolean;
  merge_commit_sha: string | null;
  head: { ref: string };
  body: string | null;
}

export interface ReleasePrOutcome {
  tag: string;
  version: string;
  sha: string;
  tagAdopted: boolean;
  release: { id: number; url: string; adopted: boolean; prerelease: boolean };
}

/** True for a merged PR from a `release-*` branch: the ones `onReleasePrMerged` acts on. */
export function isReleasePr(pr: Pick<MergedPull, 'merged' | 'head'>): boolean {
  return pr.merged && pr.head.ref.startsWith(RELEASE_BRANCH_PREFIX);
}

/**
 * Tag the merge commit with the tag the branch names and publish its release with the PR body as notes. An
 * existing tag on the same commit (a re-run) is adopted, on another commit it is CUTTER_TAG_CONFLICT; a branch
 * that names no valid version is refused before anything is written.
 */
export async function onReleasePrMerged(
  gh: GitHubClient,
  repo: RepoRef,
  pr: MergedPull,
  opts: { tagFormat: string; package?: string; draft?: boolean },
): Promise<ReleasePrOutcome> {
  const { tag, version } = tagFromReleaseBranch(pr.head.ref, opts.tagFormat, opts.package);
  if (!pr.merged || !pr.merge_commit_sha) {
    throw new CutterError('CUTTER_REFUSED', `pull request #${pr.number} (${pr.head.ref}) is not merged`, {
      hint: 'a release PR is tagged when it is merged; closing it releases nothing',
    });
  }
  const notes = pr.body?.trim() ? pr.body : `Release ${tag}`;
  const tagged = await ensureAnnotatedTag(gh, repo, { tag, sha: pr.merge_commit_sha, message: notes });
  const prerelease = semver.prerelease(version) !== null;
  const release = await ensureRelease(gh, repo, {
    tag,
    name: tag,
    body: notes,
    draft: opts.draft ?? false,
    prerelease,
    targetCommitish: pr.merge_commit_sha,
  });
  return {
    tag,
    version,
    sha: tagged.sha,
    tagAdopted: tagged.adopted,
    release: { id: release.id, url: release.url, adopted: release.adopted, prerelease },
  };
}
