// Release artifacts on the sandbox: built from the tag, uploaded with checksums.txt, adopted on re-runs, conflicts refused.

import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubClient } from '../src/github/client.js';
import { ensureReleaseAsset } from '../src/github/release-assets.js';
import { runRelease } from '../src/steps/run-release.js';
import type { SqliteStore } from '../src/store/sqlite-store.js';
import { sandboxClient, sandboxRepo, tempStore } from './release-flow-support.js';
import { type Harness, startSandbox } from './sandbox-harness.js';

let h: Harness;
let gh: GitHubClient;
const stores: SqliteStore[] = [];

beforeAll(async () => {
  h = await startSandbox();
  gh = await sandboxClient(h);
});
afterAll(async () => {
  await h.close();
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const BUILD =
  "const fs=require('fs');fs.mkdirSync('dist');fs.writeFileSync('dist/app-'+require('./package.json').version+'.txt','built from '+require('./package.json').version)";
const CONFIG = `release:\n  artifacts:\n    command: [node, -e, "${BUILD.replace(/"/g, '\\"')}"]\n    files: ["dist/*.txt", LICENSE]\n`;
const FILES = { '.cutter.yml': CONFIG, 'package.json': '{ "version": "1.0.0" }\n', LICENSE: 'MIT\n' };
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function release(name: string) {
  const store = await tempStore();
  stores.push(store);
  return runRelease({
    store,
    deps: { github: gh, env: {} },
    data: { repo: { owner: 'acme', name }, release: {}, trigger: 'test' },
    engine: { retry: { baseMs: 10, maxMs: 200 } },
    timeoutMs: 120_000,
  });
}

async function assetText(name: string, id: number): Promise<string> {
  const res = await gh.rest.repos.getReleaseAsset({
    owner: 'acme',
    repo: name,
    asset_id: id,
    headers: { accept: 'application/octet-stream' },
  });
  return Buffer.from(res.data as unknown as ArrayBuffer).toString('utf8');
}

describe('release artifacts', { timeout: 180_000 }, () => {
  it('builds the artifacts from the tag and uploads them with a sha256sum checksums.txt', async () => {
    await sandboxRepo(h, 'artifacts-ok', ['feat: first'], FILES);
    const { task } = await release('artifacts-ok');
    expect([task.status, task.error]).toEqual(['done', null]);
    const { data: rel } = await gh.rest.repos.getReleaseByTag({ owner: 'acme', repo: 'artifacts-ok', tag: 'v1.0.0' });
    const byName = new Map(rel.assets.map((a) => [a.name, a]));
    expect([...byName.keys()].sort()).toEqual(['LICENSE', 'app-1.0.0.txt', 'checksums.txt']);
    expect(await assetText('artifacts-ok', byName.get('app-1.0.0.txt')!.id)).toBe('built from 1.0.0');
    const checksums = await assetText('artifacts-ok', byName.get('checksums.txt')!.id);
    expect(checksums).toBe(`${sha('MIT\n')}  LICENSE\n${sha('built from 1.0.0')}  app-1.0.0.txt\n`);
    const assets = (task.data as { release: { assets: { name: string; adopted: boolean }[] } }).release.assets;
    expect(assets.every((a) => !a.adopted)).toBe(true);
  });

  it('adopts an asset that is already there with the same bytes, and refuses one with other bytes', async () => {
    await sandboxRepo(h, 'artifacts-twice', ['feat: first'], {});
    const { data: rel } = await gh.rest.repos.createRelease({
      owner: 'acme',
      repo: 'artifacts-twice',
      tag_name: 'v1.0.0',
    });
    const target = { id: rel.id, tag: 'v1.0.0', uploadUrl: rel.upload_url };
    const repo = { owner: 'acme', name: 'artifacts-twice' };
    const asset = { name: 'a.txt', bytes: Buffer.from('a\n'), contentType: 'text/plain' };
    expect((await ensureReleaseAsset(gh, repo, target, asset)).adopted).toBe(false);
    expect((await ensureReleaseAsset(gh, repo, target, asset)).adopted).toBe(true);
    await expect(ensureReleaseAsset(gh, repo, target, { ...asset, bytes: Buffer.from('b\n') })).rejects.toThrow(
      /CUTTER_RELEASE_CONFLICT|already has an asset a.txt with other contents/,
    );
    const { data: list } = await gh.rest.repos.listReleaseAssets({
      owner: 'acme',
      repo: 'artifacts-twice',
      release_id: rel.id,
    });
    expect(list.map((a) => a.size)).toEqual([2]);
  });

  it('fails the release task with the glob named when an artifact matches nothing', async () => {
    const config = 'release:\n  artifacts:\n    files: ["dist/*.tgz"]\n';
    await sandboxRepo(h, 'artifacts-missing', ['feat: first'], { '.cutter.yml': config });
    const { task } = await release('artifacts-missing');
    expect(task.status).toBe('failed');
    expect(task.step).toBe('upload-assets');
    expect(task.error?.message).toMatch(/dist\/\*\.tgz matches no file/);
  });
});
