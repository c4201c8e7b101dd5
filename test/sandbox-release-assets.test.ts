// Release assets on the sandbox: upload through upload_url, list, get, download, rename, delete, duplicates.

import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, OTHER_TOKEN, startSandbox, TOKEN } from './sandbox-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startSandbox();
  await h.sandbox.createRepo('acme', 'assets', { autoInit: true });
});
afterAll(async () => {
  await h.close();
});

const o = { owner: 'acme', repo: 'assets' };

/** Octokit's way to reach the uploads host: the origin and path prefix of `upload_url`. */
function uploadsBase(uploadUrl: string): string {
  return uploadUrl.slice(0, uploadUrl.indexOf('/repos/'));
}

async function upload(releaseId: number, uploadUrl: string, name: string, bytes: Buffer) {
  return h.octokit.rest.repos.uploadReleaseAsset({
    ...o,
    release_id: releaseId,
    name,
    baseUrl: uploadsBase(uploadUrl),
    headers: { 'content-type': 'application/gzip', 'content-length': bytes.length },
    data: bytes as unknown as string,
  });
}

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    return (err as { status: number }).status;
  }
}

describe('release assets', () => {
  it('uploads to upload_url, lists, gets, downloads the same bytes, and shows them on the release', async () => {
    const { data: rel } = await h.octokit.rest.repos.createRelease({ ...o, tag_name: 'v1.0.0' });
    expect(rel.upload_url).toMatch(/\/uploads\/repos\/acme\/assets\/releases\/\d+\/assets\{\?name,label\}$/);
    const bytes = Buffer.from([0x1f, 0x8b, 0, 1, 2, 3, 255, 0, 10]);
    const { status: st, data: asset } = await upload(rel.id, rel.upload_url, 'widget-1.0.0.tgz', bytes);
    expect(st).toBe(201);
    expect(asset).toMatchObject({
      name: 'widget-1.0.0.tgz',
      size: bytes.length,
      content_type: 'application/gzip',
      state: 'uploaded',
      digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
      uploader: { login: 'release-bot' },
    });

    const { data: list } = await h.octokit.rest.repos.listReleaseAssets({ ...o, release_id: rel.id });
    expect(list.map((a) => a.name)).toEqual(['widget-1.0.0.tgz']);
    const { data: again } = await h.octokit.rest.repos.getRelease({ ...o, release_id: rel.id });
    expect(again.assets.map((a) => a.id)).toEqual([asset.id]);
    const { data: meta } = await h.octokit.rest.repos.getReleaseAsset({ ...o, asset_id: asset.id });
    expect(meta.browser_download_url).toContain('/releases/download/v1.0.0/widget-1.0.0.tgz');

    const download = await h.octokit.rest.repos.getReleaseAsset({
      ...o,
      asset_id: asset.id,
      headers: { accept: 'application/octet-stream' },
    });
    expect(Buffer.from(download.data as unknown as ArrayBuffer).equals(bytes)).toBe(true);

    // the bytes live on disk under the sandbox root
    const files = await readdir(join(h.root, 'release-assets'));
    expect(files).toContain(String(asset.id));
    expect((await stat(join(h.root, 'release-assets', String(asset.id)))).size).toBe(bytes.length);
    expect(h.sandbox.violations).toEqual([]);
  });

  it('answers a download with a 302 to a signed storage URL that needs no token and sends an ETag', async () => {
    const { data: rel } = await h.octokit.rest.repos.createRelease({ ...o, tag_name: 'v1.0.1' });
    const bytes = Buffer.from('stored bytes\n');
    const { data: asset } = await upload(rel.id, rel.upload_url, 'stored.bin', bytes);
    const api = await fetch(`${h.url}/repos/acme/assets/releases/assets/${asset.id}`, {
      headers: { accept: 'application/octet-stream', authorization: `token ${TOKEN}` },
      redirect: 'manual',
    });
    expect(api.status).toBe(302);
    const location = api.headers.get('location') ?? '';
    expect(location).toMatch(/\/_storage\/release-assets\/\d+\?expires=\d+&signature=[0-9a-f]{64}$/);
    const stored = await fetch(location);
    expect(stored.status).toBe(200);
    expect(Buffer.from(await stored.arrayBuffer()).equals(bytes)).toBe(true);
    const etag = stored.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect((await fetch(location, { headers: { 'if-none-match': etag } })).status).toBe(304);
    // A signature for another asset, or a changed expiry, is refused.
    const forged = location.replace(/signature=(.)/, (_, c: string) => `signature=${c === '0' ? '1' : '0'}`);
    expect((await fetch(forged)).status).toBe(403);
    expect((await fetch(location.replace(/expires=\d+/, 'expires=99999999999999'))).status).toBe(403);
    expect(h.sandbox.violations).toEqual([]);
  });

  it('serves browser_download_url as github.com does: a 302 to the signed storage URL for anyone who can read the repo', async () => {
    const { data: rel } = await h.octokit.rest.repos.createRelease({ ...o, tag_name: 'v1.0.2' });
    const bytes = Buffer.from('public bytes\n');
    const { data: asset } = await upload(rel.id, rel.upload_url, 'public.bin', bytes);
    // A public repository's asset needs no token, and the link follows to the bytes.
    const web = await fetch(asset.browser_download_url, { redirect: 'manual' });
    expect(web.status).toBe(302);
    expect(web.headers.get('location') ?? '').toMatch(
      /\/_storage\/release-assets\/\d+\?expires=\d+&signature=[0-9a-f]{64}$/,
    );
    expect(Buffer.from(await (await fetch(asset.browser_download_url)).arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(asset.browser_download_url, { method: 'HEAD', redirect: 'manual' })).status).toBe(302);
    // An unknown tag or name, or a repository that does not exist, is a 404.
    const base = `${h.url}/acme/assets/releases/download`;
    expect((await fetch(`${base}/v9.9.9/public.bin`, { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(`${base}/v1.0.2/other.bin`, { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(`${h.url}/acme/nope/releases/download/v1.0.2/public.bin`, { redirect: 'manual' })).status).toBe(
      404,
    );
    // A draft's assets are for those who may see the draft.
    const { data: draft } = await h.octokit.rest.repos.createRelease({ ...o, tag_name: 'v1.0.3', draft: true });
    const { data: unpublished } = await upload(draft.id, draft.upload_url, 'draft.bin', Buffer.from('draft\n'));
    expect((await fetch(unpublished.browser_download_url, { redirect: 'manual' })).status).toBe(404);
    const asOwner = { headers: { authorization: `token ${TOKEN}` }, redirect: 'manual' } as const;
    expect((await fetch(unpublished.browser_download_url, asOwner)).status).toBe(302);
    expect(h.sandbox.counters().byProtocol['web']).toBeGreaterThanOrEqual(7);
    expect(h.sandbox.violations).toEqual([]);
  });

  it('refuses a second asset of the same name with 422, keeping the first', async () => {
    const { data: rel } = await h.octokit.rest.repos.createRelease({ ...o, tag_name: 'v1.1.0' });
    const first = Buffer.from('first\n');
    const { data: asset } = await upload(rel.id, rel.upload_url, 'checksums.txt', first);
    expect(await status(upload(rel.id, rel.upload_url, 'checksums.txt', Buffer.from('second\n')))).toBe(422);
    const download = await h.octokit.rest.repos.getReleaseAsset({
      ...o,
      asset_id: asset.id,
      headers: { accept: 'application/octet-stream' },
    });
    expect(Buffer.from(download.data as unknown as ArrayBuffer).toString()).toBe('first\n');
    expect(h.sandbox.violations).toEqual([]);
  });

  it('leaves one asset when several uploads of one name arrive at once (the rest get 422, their bytes removed)', async () => {
    const { data: rel } = await h.octokit.rest.repos.createRelease({ ...o, tag_name: 'v1.1.1' });
    const bodies = Array.from({ length: 5 }, (_, i) => Buffer.from(`copy ${i}\n`));
    const answers = await Promise.all(bodies.map((b) => status(upload(rel.id, rel.upload_url, 'SHA256SUMS', b))));
    expect(answers.sort()).toEqual([200, 422, 422, 422, 422]);
    const { data: list } = await h.octokit.rest.repos.listReleaseAssets({ ...o, release_id: rel.id });
    expect(list.map((a) => a.name)).toEqual(['SHA256SUMS']);
    const download = await h.octokit.rest.repos.getReleaseAsset({
      ...o,
      asset_id: list[0]?.id ?? 0,
      headers: { accept: 'application/octet-stream' },
    });
    expect(bodies.map(String)).toContain(Buffer.from(download.data as unknown as ArrayBuffer).toString());
    // the losers' bytes are not left behind on disk
    const ids = new Set((await readdir(join(h.root, 'release-assets'))).map(Number));
    const { data: all } = await h.octokit.rest.repos.listReleases({ ...o, per_page: 100 });
    const known = new Set(all.flatMap((r) => r.assets.map((a) => a.id)));
    expect([...ids].filter((id) => !known.has(id))).toEqual([]);
    expect(h.sandbox.violations).toEqual([]);
  });

  it('refuses an upload without a name or without bytes, and one to an unknown release', async () => {
    const { data: rel } = await h.octokit.rest.repos.createRelease({ ...o, tag_name: 'v1.2.0' });
    expect(await status(upload(rel.id, rel.upload_url, '', Buffer.from('x')))).toBe(422);
    expect(await status(upload(rel.id, rel.upload_url, 'empty.bin', Buffer.alloc(0)))).toBe(422);
    expect(await status(upload(999_999, rel.upload_url, 'x.bin', Buffer.from('x')))).toBe(404);
    const { data: list } = await h.octokit.rest.repos.listReleaseAssets({ ...o, release_id: rel.id });
    expect(list).toEqual([]);
  });

  it('renames and deletes an asset; deleting removes its bytes', async () => {
    const { data: rel } = await h.octokit.rest.repos.createRelease({ ...o, tag_name: 'v1.3.0' });
    const { data: asset } = await upload(rel.id, rel.upload_url, 'a b.zip', Buffer.from('zip'));
    expect(asset.name).toBe('a.b.zip');
    const { data: renamed } = await h.octokit.rest.repos.updateReleaseAsset({
      ...o,
      asset_id: asset.id,
      name: 'app.zip',
      label: 'The app',
    });
    expect(renamed).toMatchObject({ name: 'app.zip', label: 'The app' });
    expect((await h.octokit.rest.repos.deleteReleaseAsset({ ...o, asset_id: asset.id })).status).toBe(204);
    expect(await status(h.octokit.rest.repos.getReleaseAsset({ ...o, asset_id: asset.id }))).toBe(404);
    expect(await readdir(join(h.root, 'release-assets'))).not.toContain(String(asset.id));
    expect(h.sandbox.violations).toEqual([]);
  });

  it('deleting a release deletes its assets', async () => {
    const { data: rel } = await h.octokit.rest.repos.createRelease({ ...o, tag_name: 'v1.4.0' });
    const { data: asset } = await upload(rel.id, rel.upload_url, 'gone.txt', Buffer.from('gone'));
    await h.octokit.rest.repos.deleteRelease({ ...o, release_id: rel.id });
    expect(await status(h.octokit.rest.repos.getReleaseAsset({ ...o, asset_id: asset.id }))).toBe(404);
  });
  // Last: its asset's bytes share the sandbox's asset directory with acme/assets's.
  it("serves a private repository's browser_download_url only with a token that may read it (404 otherwise)", async () => {
    await h.sandbox.createRepo('acme', 'private-assets', { autoInit: true, private: true });
    const p = { owner: 'acme', repo: 'private-assets' };
    const { data: rel } = await h.octokit.rest.repos.createRelease({ ...p, tag_name: 'v1.0.0' });
    const bytes = Buffer.from('private bytes\n');
    const { data: asset } = await h.octokit.rest.repos.uploadReleaseAsset({
      ...p,
      release_id: rel.id,
      name: 'private.bin',
      baseUrl: uploadsBase(rel.upload_url),
      headers: { 'content-type': 'application/octet-stream', 'content-length': bytes.length },
      data: bytes as unknown as string,
    });
    const as = (token?: string) =>
      fetch(asset.browser_download_url, {
        redirect: 'manual',
        ...(token ? { headers: { authorization: `token ${token}` } } : {}),
      });
    expect((await as()).status).toBe(404);
    expect((await as(OTHER_TOKEN)).status).toBe(404);
    expect((await as('not-a-token')).status).toBe(404);
    const ok = await as(TOKEN);
    expect(ok.status).toBe(302);
    const stored = await fetch(ok.headers.get('location') ?? '');
    expect(Buffer.from(await stored.arrayBuffer()).equals(bytes)).toBe(true);
    expect(h.sandbox.violations).toEqual([]);
  });
});
