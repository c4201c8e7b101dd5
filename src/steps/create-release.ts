// Step "create-release": the GitHub release of the tag with the notes; a release that exists for the tag is adopted.

import { ensureRelease } from '../github/repo-api.js';
import type { Step } from '../workflow/types.js';
import { releaseOf, repoOf } from './release-context.js';
import type { ReleaseDeps } from './release-deps.js';

export const createReleaseStep: Step<ReleaseDeps> = {
  name: 'create-release',
  when: { release: { tagged: { ref: String }, published: null } },
  effect: 'idempotent',
  async run(ctx) {
    const repo = repoOf(ctx.data);
    const release = releaseOf(ctx.data);
    const tagged = release.tagged!;
    const made = await ensureRelease(ctx.deps.github, repo, {
      tag: tagged.tag,
      name: tagged.tag,
      body: release.notes ?? '',
      draft: release.draft ?? false,
      prerelease: release.prerelease ?? false,
      ...(release.makeLatest !== undefined ? { makeLatest: release.makeLatest } : {}),
      targetCommitish: tagged.sha,
    });
    ctx.log(`${made.adopted ? 'adopted existing' : 'created'} release ${made.id} for ${tagged.tag}`);
    return { patch: { release: { published: { id: made.id, adopted: made.adopted } } } };
  },
};
