// The sandbox's web host for release assets: `browser_download_url` (`/OWNER/REPO/releases/download/TAG/NAME`).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxRepoInfo } from './reader.js';
import type { ReleaseAssetRecord, ReleaseRecord } from './shapes.js';
import type { SandboxState } from './state.js';

/** Where `browser_download_url` points; a web path, not an API route, so it is not in the OpenAPI description. */
export const RELEASE_DOWNLOAD_PATH = /^\/([^/]+)\/([^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/;
export const RELEASE_DOWNLOAD_ROUTE = '/{owner}/{repo}/releases/download/{tag}/{name}';

export interface DownloadHost {
  state: SandboxState;
  repoInfo(owner: string, name: string): SandboxRepoInfo | null;
  /** Whether the request's token (null: none sent) may read the owner's private repositories and drafts. */
  canRead(token: string | null, owner: string): boolean;
  /** The signed, expiring storage URL of an asset (asset-storage.ts). */
  signedUrl(assetId: number): string;
}

function segment(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * As github.com: anyone who can read the repository gets a 302 to the asset's signed storage URL — a public one needs
 * no token, a private one (and a draft's assets) the token of someone who may read it; everything else is a 404 that
 * does not say whether the repository exists. Returns the status sent.
 */
export function serveReleaseDownload(
  req: IncomingMessage,
  res: ServerResponse,
  match: RegExpExecArray,
  token: string | null,
  host: DownloadHost,
): number {
  const [owner, name, tag, file] = match.slice(1, 5).map((s) => segment(s ?? ''));
  const notFound = () => {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : 'Not Found\n');
    return 404;
  };
  if (!owner || !name || !tag || !file) return notFound();
  const info = host.repoInfo(owner, name);
  if (!info) return notFound();
  const reader = host.canRead(token, info.owner);
  if (info.private && !reader) return notFound();
  const release = host.state.find<ReleaseRecord>('release', info.owner, info.name, tag);
  if (!release || (release.draft && !reader)) return notFound();
  const asset = host.state.find<ReleaseAssetRecord>('release_asset', info.owner, info.name, `${release.id}/${file}`);
  if (!asset) return notFound();
  res.writeHead(302, { location: host.signedUrl(asset.id), 'content-type': 'text/html; charset=utf-8' });
  res.end();
  return 302;
}
