// Release assets through the GitHub API: list, download and upload (idempotent by name; an existing asset is never replaced).

import { createHash } from 'node:crypto';
import type { ReadableStream } from 'node:stream/web';
import { CutterError } from '../core/errors.js';
import type { GitHubClient } from '../github/client.js';
import type { RepoRef } from '../github/repo-api.js';
import { sha256Hex } from './checksums.js';

export interface AssetInfo {
  id: number;
  name: string;
  size: number;
}

export async function listAssets(gh: GitHubClient, repo: RepoRef, releaseId: number): Promise<AssetInfo[]> {
  const all = await gh.paginate(gh.rest.repos.listReleaseAssets, {
    owner: repo.owner,
    repo: repo.name,
    release_id: releaseId,
    per_page: 100,
  });
  return all.map((a) => ({ id: a.id, name: a.name, size: a.size }));
}

export async function downloadAsset(gh: GitHubClient, repo: RepoRef, assetId: number): Promise<Buffer> {
  const res = await gh.rest.repos.getReleaseAsset({
    owner: repo.owner,
    repo: repo.name,
    asset_id: assetId,
    headers: { accept: 'application/octet-stream' },
  });
  const data = res.data as unknown;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data);
  throw new CutterError('CUTTER_GITHUB_ERROR', `asset ${assetId} download gave no bytes`);
}

export interface StreamedAsset {
  /** Hex SHA-256 of the bytes as they arrived. */
  sha256: string;
  size: number;
  /** The bytes, only when asked for (signatures, checksums, SBOM); a binary is hashed and let go. */
  bytes: Buffer | null;
}

/**
 * Download an asset as a stream, hashing each chunk as it arrives: no whole-body copies through fetch's
 * `arrayBuffer()`, and memory stays flat for large binaries that verify only needs the digest of.
 */
export async function streamAsset(
  gh: GitHubClient,
  repo: RepoRef,
  assetId: number,
  keep: boolean,
): Promise<StreamedAsset> {
  const res = await gh.rest.repos.getReleaseAsset({
    owner: repo.owner,
    repo: repo.name,
    asset_id: assetId,
    headers: { accept: 'application/octet-stream' },
    request: { parseSuccessResponseBody: false },
  });
  const body = res.data as unknown as ReadableStream<Uint8Array> | null;
  const hash = createHash('sha256');
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (body) {
    for await (const chunk of body) {
      hash.update(chunk);
      size += chunk.byteLength;
      if (keep) chunks.push(chunk);
    }
  }
  return { sha256: hash.digest('hex'), size, bytes: keep ? Buffer.concat(chunks, size) : null };
}

/** Upload `name` unless an asset of that name exists with the same bytes; a different one is a conflict, never replaced. */
export async function ensureAsset(
  gh: GitHubClient,
  repo: RepoRef,
  release: { id: number; uploadUrl: string },
  existing: AssetInfo[],
  asset: { name: string; bytes: Buffer; contentType: string; adoptAny?: boolean },
): Promise<'uploaded' | 'adopted'> {
  const same = existing.find((a) => a.name === asset.name);
  // A re-run signs again and ECDSA signatures differ each time: an existing signature is kept (verify judges it).
  if (same && asset.adoptAny) return 'adopted';
  if (same) {
    const bytes = await downloadAsset(gh, repo, same.id);
    if (sha256Hex(bytes) === sha256Hex(asset.bytes)) return 'adopted';
    throw new CutterError('CUTTER_RELEASE_CONFLICT', `release asset ${asset.name} exists with other content`, {
      hint: 'assets of a published release are never replaced; fix forward with a new release',
    });
  }
  await gh.rest.repos.uploadReleaseAsset({
    owner: repo.owner,
    repo: repo.name,
    release_id: release.id,
    name: asset.name,
    baseUrl: release.uploadUrl.slice(0, release.uploadUrl.indexOf('/repos/')),
    headers: { 'content-type': asset.contentType, 'content-length': asset.bytes.length },
    data: asset.bytes as unknown as string,
  });
  return 'uploaded';
}
