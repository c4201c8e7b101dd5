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
    const made = await ensureRelease(
      ctx.deps.github,
      repo,
      {
        tag: tagged.tag,
        name: tagged.tag,
        body: release.notes ?? '',
        draft: release.draft ?? false,
        prerelease: release.prerelease ?? false,
        ...(release.makeLatest !== undefined ? { makeLatest: release.makeLatest } : {}),
        targetCommitish: tagged.sha,
      },
      // As for the tag: create first on a first attempt (422 "already exists" adopts), look first on a retry.
      { lookFirst: ctx.attempt > 1 },
    );
    ctx.log(`${made.adopted ? 'adopted existing' : 'created'} release ${made.id} for ${tagged.tag}`);
    // GitHub's answer to the create is the release as stored: confirm checks it instead of reading it back.
    const seen = made.adopted
      ? {}
      : { seen: { tag: made.tag, url: made.url, draft: made.draft, prerelease: made.prerelease } };
    return { patch: { release: { published: { id: made.id, adopted: made.adopted, ...seen } } } };
  },
};
