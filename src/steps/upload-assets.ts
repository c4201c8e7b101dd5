// Step "upload-assets": the configured artifacts and their checksums.txt attached to the published release.

import { createHash } from 'node:crypto';
import { CHECKSUMS_FILE, checksumsText } from '../core/checksums.js';
import { CutterError } from '../core/errors.js';
import { ensureReleaseAsset } from '../github/release-assets.js';
import type { Step } from '../workflow/types.js';
import { buildArtifacts } from './artifact-build.js';
import { configOf, releaseOf, repoOf } from './release-context.js';
import type { ReleaseDeps } from './release-deps.js';

/**
 * Runs between create-release and confirm when `release.artifacts` is configured. Idempotent: an asset already on
 * the release with the same SHA-256 is adopted; one with other bytes fails the task (CUTTER_RELEASE_CONFLICT).
 */
export const uploadAssetsStep: Step<ReleaseDeps> = {
  name: 'upload-assets',
  when: {
    config: { release: { artifacts: { files: Array } } },
    release: { published: { id: Number }, assets: null },
  },
  effect: 'idempotent',
  timeoutMs: 15 * 60_000,
  async run(ctx) {
    const repo = repoOf(ctx.data);
    const config = configOf(ctx.data);
    const release = releaseOf(ctx.data);
    const artifacts = config.release.artifacts;
    const tag = release.tagged?.tag;
    if (!artifacts || !tag || !release.published) {
      throw new CutterError('CUTTER_INTERNAL', 'upload-assets needs release.artifacts, the tag and the release');
    }
    const gh = ctx.deps.github;
    const { data: rel } = await gh.rest.repos.getRelease({
      owner: repo.owner,
      repo: repo.name,
      release_id: release.published.id,
    });
    const built = await buildArtifacts(gh, repo, tag, artifacts, ctx.signal);
    const digests = built.map((b) => ({ name: b.name, sha256: createHash('sha256').update(b.bytes).digest('hex') }));
    const uploads = [
      ...built.map((b) => ({ name: b.name, bytes: b.bytes, contentType: 'application/octet-stream' })),
      { name: CHECKSUMS_FILE, bytes: Buffer.from(checksumsText(digests)), contentType: 'text/plain' },
    ];
    const target = { id: rel.id, tag, uploadUrl: rel.upload_url };
    const assets = [];
    for (const u of uploads) {
      const done = await ensureReleaseAsset(gh, repo, target, u);
      ctx.log(`${done.adopted ? 'adopted' : 'uploaded'} ${u.name} (sha256 ${done.sha256.slice(0, 12)})`);
      assets.push({ name: done.name, id: done.id, sha256: done.sha256, adopted: done.adopted });
    }
    return { patch: { release: { assets } } };
  },
};
