// Keyless signing against a local Fulcio and Rekor (@sigstore/mock over real HTTP): bundles verify only for the
// configured identity and issuer, and images carry the certificate and Rekor bundle where cosign reads them.

import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCutterError } from '../src/core/errors.js';
import { redact } from '../src/core/redact.js';
import { ensureAnnotatedTag } from '../src/github/repo-api.js';
import { supplySectionOf, trustedKeysFor } from '../src/steps/supply-inputs.js';
import {
  attachImageSignature,
  COSIGN_CERTIFICATE,
  COSIGN_REKOR_BUNDLE,
  COSIGN_SIGNATURE,
  readImageAttachments,
  simpleSigningPayload,
} from '../src/supply/image-attachments.js';
import { keylessSigning, loadKeylessTrust, trustMaterialFromJSON } from '../src/supply/keyless.js';
import { type LocalRegistry, startLocalRegistry } from '../src/supply/local-registry.js';
import { buildImageLayout, pushImageLayout } from '../src/supply/oci-image.js';
import { INTOTO_PAYLOAD_TYPE } from '../src/supply/provenance.js';
import { publishSupplyChain } from '../src/supply/publish-supply.js';
import { createRegistryClient } from '../src/supply/registry-client.js';
import { sbomFromLockfile } from '../src/supply/sbom.js';
import { signBlob, signDsse } from '../src/supply/signing-key.js';
import { bundleProblem, trustedKeys } from '../src/supply/verify-bundle.js';
import { sandboxClient, sandboxRepo } from './release-flow-support.js';
import { type Harness, startSandbox, TOKEN } from './sandbox-harness.js';
import { runCutterSource } from './support/run-cutter.js';
import { oidcToken, type SigstoreMock, startSigstoreMock } from './support/sigstore-mock.js';

const IDENTITY = 'https://github.com/acme/release-workflows/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

let sigstore: SigstoreMock;
let registry: LocalRegistry;

beforeAll(async () => {
  [sigstore, registry] = await Promise.all([startSigstoreMock(), startLocalRegistry()]);
});
afterAll(async () => {
  await sigstore?.stop();
  await registry?.stop();
});

const signing = (identity = IDENTITY, issuer = ISSUER) =>
  keylessSigning(
    { fulcioURL: sigstore.url, rekorURL: sigstore.url },
    { SIGSTORE_ID_TOKEN: oidcToken(identity, issuer) },
  );
const trust = () => ({ material: trustMaterialFromJSON(sigstore.trustedRoot), identity: IDENTITY, issuer: ISSUER });

describe('keyless signing (Fulcio + Rekor)', () => {
  it('signs with a Fulcio certificate logged in Rekor, and verifies against the trusted root and identity', async () => {
    const before = {
      fulcio: sigstore.served.get('/api/v2/signingCert') ?? 0,
      rekor: sigstore.served.get('/api/v1/log/entries') ?? 0,
    };
    const data = Buffer.from('abc  connector-x-1.0.0.tgz\n');
    const token = oidcToken(IDENTITY, ISSUER);
    const bundle = await signBlob(
      keylessSigning({ fulcioURL: sigstore.url, rekorURL: sigstore.url }, { SIGSTORE_ID_TOKEN: token }),
      data,
    );
    expect(redact(`fulcio said no to ${token}`)).not.toContain(token);
    expect(['certificate', 'x509CertificateChain']).toContain(bundle.verificationMaterial.content.$case);
    expect(bundle.verificationMaterial.tlogEntries).toHaveLength(1);
    expect(sigstore.served.get('/api/v2/signingCert')).toBe(before.fulcio + 1);
    expect(sigstore.served.get('/api/v1/log/entries')).toBe(before.rekor + 1);

    const keys = trustedKeys([], trust());
    expect(bundleProblem(bundle, keys, data)).toBeNull();
    expect(bundleProblem(bundle, keys, Buffer.from('tampered'))).toMatch(/signature|verif/i);
    // With only keys trusted, a certificate-signed bundle is refused, never waved through.
    expect(bundleProblem(bundle, trustedKeys([]), data)).toMatch(/no keyless identity is trusted/);

    const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [] }));
    const dsse = await signDsse(signing(), statement, INTOTO_PAYLOAD_TYPE);
    expect(bundleProblem(dsse, keys)).toBeNull();
  });

  it('✖ a bundle signed by another identity or issuer, naming who signed it', async () => {
    const data = Buffer.from('payload');
    const keys = trustedKeys([], trust());
    const evil = 'https://github.com/evil/fork/.github/workflows/release.yml@refs/heads/main';
    const other = await signBlob(signing(evil), data);
    expect(bundleProblem(other, keys, data)).toBe(
      `signed by identity ${evil} (issuer ${ISSUER}), not the trusted ${IDENTITY} (issuer ${ISSUER})`,
    );
    const otherIssuer = await signBlob(signing(IDENTITY, 'https://accounts.example.com'), data);
    expect(bundleProblem(otherIssuer, keys, data)).toMatch(
      /issuer https:\/\/accounts\.example\.com\), not the trusted/,
    );
  });

  it('stores the image signature with the certificate and Rekor bundle annotations cosign reads', async () => {
    const client = createRegistryClient({ retries: 1, backoffMs: 5 });
    const repo = { registry: registry.host, path: 'acme/connector-keyless' };
    const layout = buildImageLayout({ files: { VERSION: 'keyless\n' } });
    await pushImageLayout(client, repo, layout, '1.0.0');
    await attachImageSignature(client, repo, layout.manifestDigest, signing());

    const manifest = await client.getManifest(repo, `${layout.manifestDigest.replace(':', '-')}.sig`);
    const layer = JSON.parse(manifest?.body.toString('utf8') ?? '{}').layers[0];
    const payload = await client.getBlob(repo, layer.digest);
    expect(payload).toEqual(simpleSigningPayload(`${registry.host}/acme/connector-keyless`, layout.manifestDigest));
    // cosign verify: the signature annotation verifies under the certificate annotation's key.
    const cert = new X509Certificate(layer.annotations[COSIGN_CERTIFICATE]);
    expect(cert.subjectAltName).toContain(IDENTITY);
    const signature = Buffer.from(layer.annotations[COSIGN_SIGNATURE], 'base64');
    expect(
      verify('sha256', payload, createPublicKey(cert.publicKey.export({ type: 'spki', format: 'pem' })), signature),
    ).toBe(true);
    const rekor = JSON.parse(layer.annotations[COSIGN_REKOR_BUNDLE]);
    expect(rekor.SignedEntryTimestamp).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(rekor.Payload).toEqual({
      body: expect.any(String),
      integratedTime: expect.any(Number),
      logIndex: expect.any(Number),
      logID: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(JSON.parse(Buffer.from(rekor.Payload.body, 'base64').toString('utf8')).kind).toBe('hashedrekord');

    const held = await readImageAttachments(client, repo, layout.manifestDigest);
    if (!held.signature) throw new Error('no signature read back');
    expect(bundleProblem(held.signature.bundle, trustedKeys([], trust()), held.signature.payload)).toBeNull();
  });

  it('refuses to sign without an identity token, and a trusted root that is not one, with clear errors', async () => {
    let err = (() => {
      try {
        return keylessSigning({ fulcioURL: sigstore.url, rekorURL: sigstore.url }, {});
      } catch (e) {
        return e;
      }
    })();
    expect(isCutterError(err, 'CUTTER_CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/SIGSTORE_ID_TOKEN is not set/);
    err = (() => {
      try {
        return keylessSigning({ fulcioURL: 'file:///etc/passwd', rekorURL: sigstore.url }, { SIGSTORE_ID_TOKEN: 'x' });
      } catch (e) {
        return e;
      }
    })();
    expect((err as Error).message).toMatch(/fulcioURL must be an http\(s\) URL/);

    const dir = await mkdtemp(join(tmpdir(), 'cutter-keyless-'));
    await writeFile(join(dir, 'root.json'), JSON.stringify({ mediaType: 'x', certificateAuthorities: [] }));
    const bad = await loadKeylessTrust({
      trustedRoot: join(dir, 'root.json'),
      identity: IDENTITY,
      issuer: ISSUER,
    }).catch((e) => e);
    expect(isCutterError(bad, 'CUTTER_CONFIG_INVALID')).toBe(true);
    expect(bad.message).toMatch(/is not a Sigstore trusted root: it names no certificate authority/);
    await writeFile(join(dir, 'good.json'), JSON.stringify(sigstore.trustedRoot));
    const good = await loadKeylessTrust({ trustedRoot: join(dir, 'good.json'), identity: IDENTITY, issuer: ISSUER });
    expect(good.identity).toBe(IDENTITY);
  });
  it('supply.keyless in .cutter.yml makes verification trust that identity through the named trusted root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cutter-keyless-config-'));
    const rootFile = join(dir, 'trusted_root.json');
    await writeFile(rootFile, JSON.stringify(sigstore.trustedRoot));
    const keyless = { fulcioURL: sigstore.url, rekorURL: sigstore.url, identity: IDENTITY, issuer: ISSUER };
    const section = supplySectionOf({ keyless: { ...keyless, trustedRoot: rootFile } }, '.cutter.yml');
    // No public keys at all: the keyless identity alone is what signatures must match.
    const keys = await trustedKeysFor(undefined, { owner: '', name: '' }, 'HEAD', section, {});
    const data = Buffer.from('checksums');
    expect(bundleProblem(await signBlob(signing(), data), keys, data)).toBeNull();
    expect(bundleProblem(await signBlob(signing('someone@example.com'), data), keys, data)).toMatch(
      /signed by identity someone@example\.com/,
    );

    const missing = supplySectionOf({ keyless: { ...keyless, trustedRoot: join(dir, 'nope.json') } }, '.cutter.yml');
    const err = await trustedKeysFor(undefined, { owner: '', name: '' }, 'HEAD', missing, {}).catch((e) => e);
    expect(isCutterError(err, 'CUTTER_CONFIG_INVALID')).toBe(true);
    expect(err.message).toMatch(/supply\.keyless\.trustedRoot: .*nope\.json is not readable/);
  });
});

describe('cutter verify <tag> with keyless signatures', { timeout: 240_000 }, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startSandbox();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('✔ for the signing identity, ✖ naming the signer for any other, on the published release and its image', async () => {
    const gh = await sandboxClient(h);
    const name = 'connector-keyless-cli';
    const repo = await sandboxRepo(h, name, ['feat: first']);
    const ref = { owner: 'acme', name };
    await ensureAnnotatedTag(gh, ref, { tag: 'v1.0.0', sha: repo.head, message: 'v1.0.0' });
    await gh.rest.repos.createRelease({ owner: 'acme', repo: name, tag_name: 'v1.0.0', body: '## Features\n- first' });
    const images = createRegistryClient({ retries: 1, backoffMs: 5 });
    const image = `${registry.host}/acme/${name}:1.0.0`;
    await pushImageLayout(
      images,
      { registry: registry.host, path: `acme/${name}` },
      buildImageLayout({ files: { V: '1' } }),
      '1.0.0',
    );
    const lock = JSON.stringify({ lockfileVersion: 3, packages: { '': { name, version: '1.0.0' } } });
    await publishSupplyChain({
      gh,
      repo: ref,
      tag: 'v1.0.0',
      commit: repo.head,
      repositoryUrl: `${h.url}/acme/${name}`,
      builderId: 'https://cutter.test/builder',
      image,
      registry: images,
      signer: signing(),
      sbom: sbomFromLockfile(lock, { name, version: '1.0.0' }),
      artifacts: [{ name: `${name}-1.0.0.tgz`, bytes: Buffer.from('tarball') }],
      waitForImageMs: 0,
    });

    const dir = await mkdtemp(join(tmpdir(), 'cutter-keyless-cli-'));
    const root = join(dir, 'trusted_root.json');
    await writeFile(root, JSON.stringify(sigstore.trustedRoot));
    const env = { CUTTER_GITHUB_TOKEN: TOKEN, GITHUB_TOKEN: '', GITHUB_API_URL: h.url };
    const base = ['verify', 'v1.0.0', '--repo', `acme/${name}`, '--image', image, '--db', join(dir, 'c.db')];
    const keyless = ['--trusted-root', root, '--certificate-oidc-issuer', ISSUER];

    const good = await runCutterSource([...base, ...keyless, '--certificate-identity', IDENTITY], env);
    expect(good.stderr).toBe('');
    expect(good.stdout).toMatch(/✔ image-signature/);
    expect(good.stdout).toMatch(/\nverified\n$/);
    expect(good.code).toBe(0);

    const other = 'https://github.com/acme/other/.github/workflows/release.yml@refs/heads/main';
    const bad = await runCutterSource([...base, ...keyless, '--certificate-identity', other, '--json'], env);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { checks: { check: string; ok: boolean; detail: string }[] };
    const failedChecks = report.checks.filter((c) => !c.ok);
    expect(failedChecks.map((c) => c.check).sort()).toEqual(['checksums-signature', 'image-signature', 'provenance']);
    // The provenance and checksums name who signed; the image signature then has no trusted digest to check.
    for (const c of failedChecks.filter((f) => f.check !== 'image-signature'))
      expect(c.detail).toContain(`signed by identity ${IDENTITY} (issuer ${ISSUER}), not the trusted ${other}`);

    const half = await runCutterSource([...base, '--trusted-root', root], env);
    expect(half.code).not.toBe(0);
    expect(half.stderr).toMatch(/--trusted-root, --certificate-identity and --certificate-oidc-issuer together/);
  });
});
