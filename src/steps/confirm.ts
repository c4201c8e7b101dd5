// Step "confirm": the release exists for our tag, is published (or the draft asked for), and its URL.

import { CutterError } from '../core/errors.js';
import { readRelease } from '../github/repo-api.js';
import type { Step } from '../workflow/types.js';
import { releaseOf, repoOf } from './release-context.js';
import type { ReleaseDeps } from './release-deps.js';

export const confirmStep: Step<ReleaseDeps> = {
  name: 'confirm',
  when: { release: { published: { id: Number }, released: null } },
  effect: 'none',
  async run(ctx) {
    const repo = repoOf(ctx.data);
    const release = releaseOf(ctx.data);
    const published = release.published!;
    // A release we just created is known from GitHub's answer; an adopted one is read back.
    const seen = published.seen
      ? { id: published.id, ...published.seen }
      : await readRelease(ctx.deps.github, repo, published.id);
    const tag = release.tagged!.tag;
    if (seen.tag !== tag) {
      throw new CutterError('CUTTER_RELEASE_CONFLICT', `release ${seen.id} is for ${seen.tag}, not ${tag}`, {
        hint: 'someone edited the release while Cutter ran; check it on GitHub',
      });
    }
    const wantDraft = release.draft ?? false;
    if (seen.draft !== wantDraft) {
      throw new CutterError(
        'CUTTER_RELEASE_CONFLICT',
        `release ${tag} is ${seen.draft ? 'a draft' : 'published'} but the configuration asks for ${wantDraft ? 'a draft' : 'a published release'}`,
        { hint: `${seen.draft ? 'publish' : 'unpublish'} it on GitHub, then \`cutter tasks retry ${ctx.taskId}\`` },
      );
    }
    ctx.log(`${seen.draft ? 'draft' : 'published'}: ${seen.url}`);
    return {
      patch: { release: { released: { url: seen.url, id: seen.id, draft: seen.draft, prerelease: seen.prerelease } } },
    };
  },
};
