// The supply chain end to end on the sandbox and a real registry: publish, verify, and every fault the issue names.

import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kvRolloutHistory } from '../src/deploy/rollout-history.js';
import type { GitHubClient } from '../src/github/client.js';
import { ensureAnnotatedTag } from '../src/github/repo-api.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { SUPPLY_ASSETS } from '../src/supply/asset-names.js';
import { type LocalRegistry, startLocalRegistry } from '../src/supply/local-registry.js';
import { buildImageLayout, pushImageLayout } from '../src/supply/oci-image.js';
import { publishSupplyChain } from '../src/supply/publish-supply.js';
import { createRegistryClient, type RegistryClient } from '../src/supply/registry-client.js';
import { sbomFromLockfile } from '../src/supply/sbom.js';
import { keySigner, signingKeyFromPem } from '../src/supply/signing-key.js';
import { trustedKeys } from '../src/supply/verify-bundle.js';
import { type VerifyReport, verifyRelease } from '../src/supply/verify-release.js';
import { sandboxClient, sandboxRepo } from './release-flow-support.js';
import { type Harness, startSandbox, TOKEN } from './sandbox-harness.js';
import { PRECOMPILED_SBOM_VALIDATOR, REPO_ROOT } from './support/ensure-built.js';
import { type CutterRun, runCutter, runCutterSource } from './support/run-cutter.js';

function ecKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

const LOCK = JSON.stringify({
  lockfileVersion: 3,
  packages: {
    '': { name: 'connector', version: '1.0.0' },
    'node_modules/zod': { version: '4.0.0', integrity: 'sha512-AAAA', license: 'MIT' },
  },
});

let h: Harness;
let registry: LocalRegistry;
let gh: GitHubClient;
let images: RegistryClient;
const key = signingKeyFromPem(ecKey());
const otherKey = signingKeyFromPem(ecKey());
const keys = trustedKeys([key.publicKeyPem]);

beforeAll(async () => {
  [h, registry] = await Promise.all([startSandbox(), startLocalRegistry()]);
  gh = await sandboxClient(h);
  images = createRegistryClient({ retries: 1, backoffMs: 5, timeoutMs: 3_000 });
});
afterAll(async () => {
  await registry?.stop();
  await h?.close();
});

/** A repo with a commit, an annotated tag, a release with notes and an image pushed under the version tag. */
async function released(name: string, over: { commit?: string; sbom?: string } = {}) {
  const repo = await sandboxRepo(h, name, ['feat: first']);
  const ref = { owner: 'acme', name };
  await ensureAnnotatedTag(gh, ref, { tag: 'v1.0.0', sha: repo.head, message: 'v1.0.0' });
  await gh.rest.repos.createRelease({ owner: 'acme', repo: name, tag_name: 'v1.0.0', body: '## Features\n- first' });
  const image = `${registry.host}/acme/${name}:1.0.0`;
  const layout = buildImageLayout({ files: { VERSION: `${name} 1.0.0\n` } });
  await pushImageLayout(images, { registry: registry.host, path: `acme/${name}` }, layout, '1.0.0');
  const published = await publishSupplyChain({
    gh,
    repo: ref,
    tag: 'v1.0.0',
    commit: over.commit ?? repo.head,
    repositoryUrl: `${h.url}/acme/${name}`,
    builderId: 'https://cutter.test/builder',
    image,
    registry: images,
    signer: keySigner(key),
    sbom: over.sbom ?? sbomFromLockfile(LOCK, { name, version: '1.0.0' }),
    artifacts: [{ name: `${name}-1.0.0.tgz`, bytes: Buffer.from(`tarball of ${name}`) }],
    waitForImageMs: 0,
  });
  return { ref, repo, image, layout, published };
}

const failed = (r: VerifyReport) => r.checks.filter((c) => !c.ok).map((c) => c.check);

async function replaceAsset(ref: { owner: string; name: string }, assetName: string, bytes: Buffer) {
  const { data: rel } = await gh.rest.repos.getReleaseByTag({ owner: ref.owner, repo: ref.name, tag: 'v1.0.0' });
  const asset = rel.assets.find((a) => a.name === assetName);
  if (asset) await gh.rest.repos.deleteReleaseAsset({ owner: ref.owner, repo: ref.name, asset_id: asset.id });
  await gh.rest.repos.uploadReleaseAsset({
    owner: ref.owner,
    repo: ref.name,
    release_id: rel.id,
    name: assetName,
    baseUrl: rel.upload_url.slice(0, rel.upload_url.indexOf('/repos/')),
    headers: { 'content-type': 'application/octet-stream', 'content-length': bytes.length },
    data: bytes as unknown as string,
  });
}

describe('cutter verify on a published release', () => {
  it('publishes checksums, SBOM, signatures and provenance, stores them with the image, and verifies every item', async () => {
    const { ref, image, layout, published } = await released('connector-ok');
    expect(published.image?.pinned).toBe(`${registry.host}/acme/connector-ok@${layout.manifestDigest}`);
    expect(published.assets.map((a) => a.name).sort()).toEqual(
      [
        'connector-ok-1.0.0.tgz',
        SUPPLY_ASSETS.sbom,
        SUPPLY_ASSETS.checksums,
        SUPPLY_ASSETS.checksumsBundle,
        SUPPLY_ASSETS.imageBundle,
        SUPPLY_ASSETS.provenance,
      ].sort(),
    );
    // cosign's tags sit next to the image in the registry
    const tags = await images.listTags({ registry: registry.host, path: 'acme/connector-ok' });
    const hex = layout.manifestDigest.slice('sha256:'.length);
    expect(tags.sort()).toEqual(['1.0.0', `sha256-${hex}.att`, `sha256-${hex}.sbom`, `sha256-${hex}.sig`].sort());

    const report = await verifyRelease({
      gh,
      repo: ref,
      tag: 'v1.0.0',
      keys,
      image,
      registry: images,
      rolledOut: layout.manifestDigest,
    });
    expect(failed(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.check).sort()).toEqual(
      ['checksums', 'checksums-signature', 'image', 'image-signature', 'provenance', 'release', 'sbom', 'tag'].sort(),
    );
  });

  it('re-publishing the same release adopts its assets instead of failing or duplicating them', async () => {
    const first = await released('connector-again');
    const again = await publishSupplyChain({
      gh,
      repo: first.ref,
      tag: 'v1.0.0',
      commit: first.repo.head,
      repositoryUrl: `${h.url}/acme/connector-again`,
      builderId: 'https://cutter.test/builder',
      image: first.image,
      registry: images,
      signer: keySigner(key),
      sbom: sbomFromLockfile(LOCK, { name: 'connector-again', version: '1.0.0' }),
      artifacts: [{ name: 'connector-again-1.0.0.tgz', bytes: Buffer.from('tarball of connector-again') }],
      waitForImageMs: 0,
    });
    expect(again.assets.every((a) => a.outcome === 'adopted')).toBe(true);
  });

  it('✖ checksums for a tampered asset', async () => {
    const { ref, image } = await released('connector-tampered');
    await replaceAsset(ref, 'connector-tampered-1.0.0.tgz', Buffer.from('evil bytes'));
    const report = await verifyRelease({ gh, repo: ref, tag: 'v1.0.0', keys, image, registry: images });
    expect(failed(report)).toEqual(['checksums']);
    expect(report.checks.find((c) => c.check === 'checksums')?.detail).toMatch(/does not match its checksum/);
  });

  it('✖ every signature when the trusted key is another one', async () => {
    const { ref, image } = await released('connector-otherkey');
    const report = await verifyRelease({
      gh,
      repo: ref,
      tag: 'v1.0.0',
      keys: trustedKeys([otherKey.publicKeyPem]),
      image,
      registry: images,
    });
    expect(report.ok).toBe(false);
    expect(failed(report)).toEqual(expect.arrayContaining(['provenance', 'checksums-signature']));
    expect(report.checks.find((c) => c.check === 'provenance')?.detail).toMatch(/not a trusted key/);
  });

  it('✖ tag and provenance when the provenance names another commit', async () => {
    const { ref, image } = await released('connector-othercommit', { commit: 'f'.repeat(40) });
    const report = await verifyRelease({ gh, repo: ref, tag: 'v1.0.0', keys, image, registry: images });
    expect(failed(report)).toEqual(expect.arrayContaining(['tag', 'provenance']));
    expect(report.checks.find((c) => c.check === 'provenance' && !c.ok)?.detail).toMatch(/ffffffffffff/);
  });

  it('refuses to publish an invalid SBOM, and ✖ sbom when the attached one is replaced by an invalid one', async () => {
    await expect(
      released('connector-badsbom', {
        sbom: JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{}] }),
      }),
    ).rejects.toThrow(/not valid CycloneDX/);
    const { ref, image } = await released('connector-badsbom2');
    const bad = Buffer.from(
      JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ name: 'x' }] }),
    );
    await replaceAsset(ref, SUPPLY_ASSETS.sbom, bad);
    const report = await verifyRelease({ gh, repo: ref, tag: 'v1.0.0', keys, image, registry: images });
    expect(failed(report)).toEqual(expect.arrayContaining(['sbom', 'checksums']));
  });

  it('✖ image when the tag now points at another digest than the one signed', async () => {
    const { ref, image, layout } = await released('connector-moved');
    const other = buildImageLayout({ files: { VERSION: 'something else\n' } });
    await pushImageLayout(images, { registry: registry.host, path: 'acme/connector-moved' }, other, '1.0.0');
    const report = await verifyRelease({ gh, repo: ref, tag: 'v1.0.0', keys, image, registry: images });
    expect(failed(report)).toEqual(['image']);
    const detail = report.checks.find((c) => c.check === 'image')?.detail ?? '';
    expect(detail).toContain(other.manifestDigest);
    expect(detail).toContain(layout.manifestDigest);
  });

  it('✖ release and tag for a tag that was never released', async () => {
    const report = await verifyRelease({ gh, repo: { owner: 'acme', name: 'connector-ok' }, tag: 'v9.9.9', keys });
    expect(report.ok).toBe(false);
    expect(failed(report)).toEqual(['tag', 'release']);
  });
});

const cutter = (args: string[]): Promise<CutterRun> =>
  runCutterSource(args, { CUTTER_GITHUB_TOKEN: TOKEN, GITHUB_TOKEN: '', GITHUB_API_URL: h.url });

describe('cutter verify <tag>', { timeout: 240_000 }, () => {
  it('prints the checklist, exits 0 when all is ✔ and 1 on any ✖, --json for machines, and audits each run', async () => {
    const { image } = await released('connector-cli-verify');
    const dir = await mkdtemp(join(tmpdir(), 'cutter-verify-cli-'));
    const pub = join(dir, 'cosign.pub');
    const otherPub = join(dir, 'other.pub');
    await writeFile(pub, key.publicKeyPem);
    await writeFile(otherPub, otherKey.publicKeyPem);
    const db = join(dir, 'cutter.db');
    const base = ['verify', 'v1.0.0', '--repo', 'acme/connector-cli-verify', '--image', image, '--db', db];

    const good = await cutter([...base, '--public-key', pub]);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/✔ checksums\s+\d+ assets match SHA256SUMS/);
    expect(good.stdout).toMatch(/\nverified\n$/);

    const bad = await cutter([...base, '--public-key', otherPub, '--json']);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout);
    expect(report.ok).toBe(false);
    expect(report.checks.find((c: { check: string }) => c.check === 'provenance').ok).toBe(false);

    const store = new SqliteStore(db);
    const audit = await store.listAudit({ target: 'acme/connector-cli-verify@v1.0.0' });
    await store.close();
    expect(audit.map((a) => [a.action, (a.details as { ok: boolean }).ok])).toEqual([
      ['release.verify', false],
      ['release.verify', true],
    ]);
  });

  it('without --rolled-out, checks the digest the roll-out history in its store deployed for the release, saying so', async () => {
    const { image } = await released('connector-history');
    const dir = await mkdtemp(join(tmpdir(), 'cutter-verify-history-'));
    const pub = join(dir, 'cosign.pub');
    await writeFile(pub, key.publicKeyPem);
    const db = join(dir, 'cutter.db');
    // What cutter serve recorded: this release rolled out by digest, but another digest than the registry serves now.
    const deployed = `sha256:${'ab'.repeat(32)}`;
    const store = new SqliteStore(db);
    await kvRolloutHistory(store).append({
      connectorId: 'connector-history',
      image: `${registry.host}/acme/connector-history@${deployed}`,
      repo: 'acme/connector-history',
      tag: 'v1.0.0',
      version: '1.0.0',
      taskId: 'task-rollout-1',
      at: '2026-03-01T10:00:00.000Z',
      kind: 'rollout',
      ok: true,
    });
    await store.close();
    const run = await cutter([
      'verify',
      'v1.0.0',
      '--repo',
      'acme/connector-history',
      '--image',
      image,
      '--db',
      db,
      '--public-key',
      pub,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `✖ image                ${image} is ${(await images.resolve(image))?.digest}, but ${deployed} was rolled out (from the roll-out history: connector-history at 2026-03-01T10:00:00.000Z, task task-rollout-1)`,
    );
  });

  it('the built CLI verifies with what verifying needs: the build-time SBOM validator, no signing stack, no server', async () => {
    const { image } = await released('connector-cold-verify');
    const dir = await mkdtemp(join(tmpdir(), 'cutter-verify-cold-'));
    const pub = join(dir, 'cosign.pub');
    await writeFile(pub, key.publicKeyPem);
    const loaded = join(dir, 'loaded.json');
    const run = await runCutter(
      [
        'verify',
        'v1.0.0',
        '--repo',
        'acme/connector-cold-verify',
        '--image',
        image,
        '--db',
        join(dir, 'cutter.db'),
      ].concat(['--public-key', pub]),
      {
        env: {
          CUTTER_GITHUB_TOKEN: TOKEN,
          GITHUB_TOKEN: '',
          GITHUB_API_URL: h.url,
          CUTTER_LOADED_MODULES: loaded,
          NODE_OPTIONS: `--require ${join(REPO_ROOT, 'test', 'support', 'record-loaded-modules.cjs')}`,
        },
      },
    );
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toMatch(/✔ sbom\s+CycloneDX SBOM valid/);
    const files = JSON.parse(await readFile(loaded, 'utf8')) as string[];
    // The schema was not compiled (~0.5 s of CPU): the build compiled it; nor were SBOM generation, signing
    // (@sigstore/sign and its HTTP stack) or the server loaded.
    expect(files).toContain(PRECOMPILED_SBOM_VALIDATOR);
    const heavy =
      /node_modules\/(?:(?:@cyclonedx\/cyclonedx-library|@sigstore\/sign|fastify|graphile-worker|pg)\/|ajv\/dist\/core\.js$)/;
    expect(files.filter((f) => heavy.test(f))).toEqual([]);
  });
});
