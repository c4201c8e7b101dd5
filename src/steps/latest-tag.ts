// Step "latest-tag": the highest release tag the head contains (SemVer order), none for a first release, or a skip
// when a release already contains the head.

import { matchBranch } from '../config/branch-channel.js';
import { findLatestReleaseTag } from '../github/repo-api.js';
import type { Step } from '../workflow/types.js';
import { configOf, headOf, releaseOf, repoOf } from './release-context.js';
import type { ReleaseDeps } from './release-deps.js';

export const latestTagStep: Step<ReleaseDeps> = {
  name: 'latest-tag',
  when: { release: { latest: null } },
  effect: 'none',
  async run(ctx) {
    const repo = repoOf(ctx.data);
    const config = configOf(ctx.data);
    const release = releaseOf(ctx.data);
    const head = headOf(ctx.data);
    // The maintenance range of the branch being released (`1.x`), matched by name: another line's range never applies.
    const branch = release.branch ? matchBranch(config.branches, release.branch).branch : null;
    const found = await findLatestReleaseTag(ctx.deps.github, repo, head, config.tagFormat, {
      ...(config.package ? { pkg: config.package } : {}),
      includePrerelease: (release.channel ?? null) !== null,
      ...(branch?.range !== undefined ? { range: branch.range } : {}),
    });
    if (found.releasedIn !== null) {
      // A late (re)delivery of a push that a newer release already contains: nothing to tag, and no conflict.
      const { tag, commit } = found.releasedIn;
      ctx.log(`${head.slice(0, 7)} is an ancestor of ${tag} (${commit.slice(0, 7)}): already released`);
      return { complete: true, patch: { skipped: { reason: `already released in ${tag}` } } };
    }
    if (found.unreachable.length > 0) {
      ctx.log(`skipped tags not contained in ${head.slice(0, 7)}: ${found.unreachable.join(', ')}`);
    }
    const latest = found.latest
      ? { ...found.latest, foreign: found.foreign.slice(0, 20) }
      : { first: true, foreign: found.foreign.slice(0, 20) };
    ctx.log(
      found.latest
        ? `latest release ${found.latest.tag} at ${found.latest.commit.slice(0, 7)}`
        : `no ${config.tagFormat} tag yet: first release will be ${config.firstRelease}`,
    );
    return { patch: { release: { latest } } };
  },
};
