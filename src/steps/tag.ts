// Step "tag": the annotated tag on the released commit, through the API; an existing tag on it is adopted.

import { ensureAnnotatedTag } from '../github/repo-api.js';
import type { Step } from '../workflow/types.js';
import { headOf, releaseOf, repoOf } from './release-context.js';
import type { ReleaseDeps } from './release-deps.js';

export const tagStep: Step<ReleaseDeps> = {
  name: 'tag',
  when: { release: { next: String, tagged: null } },
  effect: 'idempotent',
  async run(ctx) {
    const repo = repoOf(ctx.data);
    const release = releaseOf(ctx.data);
    const head = headOf(ctx.data);
    const tag = release.nextTag ?? `v${release.next}`;
    // A first attempt creates at once (a 422 still adopts); a retry looks first, so it spends no write on a tag
    // object when the tag was made before the crash.
    const tagged = await ensureAnnotatedTag(
      ctx.deps.github,
      repo,
      { tag, sha: head, message: release.notes?.trim() || `Release ${tag}` },
      { lookFirst: ctx.attempt > 1 },
    );
    ctx.log(`${tagged.adopted ? 'adopted existing' : 'created'} tag ${tag} at ${head.slice(0, 7)}`);
    return {
      patch: { release: { tagged: { ref: tagged.ref, tag: tagged.tag, sha: tagged.sha, adopted: tagged.adopted } } },
    };
  },
};
