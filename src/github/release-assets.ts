// Release assets through the API: upload on the release's `upload_url`, adopting an identical asset, refusing a different one.

import { createHash } from 'node:crypto';
import { CutterError } from '../core/errors.js';
import type { GitHubClient } from './client.js';
import { githubStatus } from './github-error.js';
import type { RepoRef } from './repo-api.js';

export interface AssetToUpload {
  name: string;
  bytes: Buffer;
  contentType: string;
}

export interface AssetOutcome {
  name: string;
  id: number;
  sha256: string;
  /** The release already had this asset with the same bytes. */
  adopted: boolean;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Where Octokit must send uploads: `upload_url` without its path (uploads.github.com, or a GHES/sandbox prefix). */
export function uploadsBaseUrl(uploadUrl: string): string {
  const at = uploadUrl.indexOf('/repos/');
  if (at === -1) throw new CutterError('CUTTER_GITHUB_ERROR', `unexpected upload_url ${uploadUrl}`);
  return uploadUrl.slice(0, at);
}

/**
 * Make `asset` one of the release's assets. Same name and same SHA-256 → adopted (a re-run); same name and other
 * bytes → CUTTER_RELEASE_CONFLICT, the published asset is left as it is. The digest GitHub reports is trusted;
 * an asset without one is downloaded and hashed.
 */
export async function ensureReleaseAsset(
  gh: GitHubClient,
  repo: RepoRef,
  release: { id: number; tag: string; uploadUrl: string },
  asset: AssetToUpload,
): Promise<AssetOutcome> {
  const wanted = sha256(asset.bytes);
  const existing = await findAsset(gh, repo, release.id, asset.name);
  if (existing) return adoptOrConflict(gh, repo, release.tag, existing, asset.name, wanted);
  try {
    const { data } = await gh.rest.repos.uploadReleaseAsset({
      owner: repo.owner,
      repo: repo.name,
      release_id: release.id,
      name: asset.name,
      baseUrl: uploadsBaseUrl(release.uploadUrl),
      headers: { 'content-type': asset.contentType, 'content-length': asset.bytes.length },
      data: asset.bytes as unknown as string,
    });
    return { name: asset.name, id: data.id, sha256: wanted, adopted: false };
  } catch (err) {
    // 422: the name was taken meanwhile (a twin run, or our own upload that timed out but landed): judge that one
    const twin = githubStatus(err) === 422 ? await findAsset(gh, repo, release.id, asset.name) : null;
    if (!twin) throw err;
    return adoptOrConflict(gh, repo, release.tag, twin, asset.name, wanted);
  }
}

interface ListedAsset {
  id: number;
  name: string;
  digest?: string | null;
}

async function findAsset(
  gh: GitHubClient,
  repo: RepoRef,
  releaseId: number,
  name: string,
): Promise<ListedAsset | null> {
  const assets = await gh.paginate(gh.rest.repos.listReleaseAssets, {
    owner: repo.owner,
    repo: repo.name,
    release_id: releaseId,
    per_page: 100,
  });
  return (assets as ListedAsset[]).find((a) => a.name === name) ?? null;
}

async function adoptOrConflict(
  gh: GitHubClient,
  repo: RepoRef,
  tag: string,
  existing: ListedAsset,
  name: string,
  wanted: string,
): Promise<AssetOutcome> {
  const have = existing.digest?.startsWith('sha256:')
    ? existing.digest.slice('sha256:'.length)
    : sha256(await download(gh, repo, existing.id));
  if (have !== wanted) {
    throw new CutterError(
      'CUTTER_RELEASE_CONFLICT',
      `release ${tag} already has an asset ${name} with other contents (sha256 ${have.slice(0, 12)}…, built ${wanted.slice(0, 12)}…)`,
      { hint: 'a published asset is never replaced: delete it on GitHub if it is wrong, then retry the task' },
    );
  }
  return { name, id: existing.id, sha256: wanted, adopted: true };
}

async function download(gh: GitHubClient, repo: RepoRef, assetId: number): Promise<Buffer> {
  const res = await gh.rest.repos.getReleaseAsset({
    owner: repo.owner,
    repo: repo.name,
    asset_id: assetId,
    headers: { accept: 'application/octet-stream' },
  });
  return Buffer.from(res.data as unknown as ArrayBuffer);
}
