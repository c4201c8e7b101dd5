// What we store next to an image, read back the way cosign's specs say a verifier finds and checks it — with plain
// HTTP against the registry and node:crypto, never through our own registry client or readers.

import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachAttestation, attachImageSignature, attachSbom } from './image-attachments.js';
import { type LocalRegistry, startLocalRegistry } from './local-registry.js';
import { buildImageLayout, pushImageLayout } from './oci-image.js';
import { INTOTO_PAYLOAD_TYPE, provenanceStatement, SLSA_PROVENANCE } from './provenance.js';
import { createRegistryClient } from './registry-client.js';
import { sbomFromLockfile } from './sbom.js';
import { keySigner, signDsse, signingKeyFromPem } from './signing-key.js';

const key = signingKeyFromPem(
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
);
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
let registry: LocalRegistry;

beforeAll(async () => {
  registry = await startLocalRegistry();
});
afterAll(async () => {
  await registry?.stop();
});

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** A cosign-like reader: raw Distribution API calls, checking every blob against its descriptor. */
function reader(repo: string) {
  const base = `${registry.url}/v2/${repo}`;
  return {
    async digestOf(tag: string): Promise<string> {
      const res = await fetch(`${base}/manifests/${tag}`, { method: 'HEAD', headers: { accept: OCI_MANIFEST } });
      expect(res.status).toBe(200);
      return res.headers.get('docker-content-digest') ?? '';
    },
    async manifest(tag: string): Promise<{ schemaVersion: number; mediaType: string; layers: Descriptor[] }> {
      const res = await fetch(`${base}/manifests/${tag}`, { headers: { accept: OCI_MANIFEST } });
      expect(res.status, `manifest ${tag}`).toBe(200);
      return (await res.json()) as { schemaVersion: number; mediaType: string; layers: Descriptor[] };
    },
    async blob(d: Descriptor): Promise<Buffer> {
      const bytes = Buffer.from(await (await fetch(`${base}/blobs/${d.digest}`)).arrayBuffer());
      expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(d.digest);
      expect(bytes.length).toBe(d.size);
      return bytes;
    },
  };
}

/** DSSE pre-authentication encoding, which the envelope's signature covers (DSSE protocol spec). */
function pae(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);
}

describe('image attachments in cosign layout', () => {
  it('stores .sig, .att and .sbom where cosign looks, in the formats its signature, attestation and SBOM specs give', async () => {
    const client = createRegistryClient({ retries: 1, backoffMs: 5 });
    const path = 'acme/connector-cosign';
    const repo = { registry: registry.host, path };
    const layout = buildImageLayout({ files: { VERSION: 'cosign 1.0.0\n' } });
    await pushImageLayout(client, repo, layout, '1.0.0');
    const signer = keySigner(key);
    await attachImageSignature(client, repo, layout.manifestDigest, signer);
    const statement = provenanceStatement({
      repositoryUrl: 'https://github.com/acme/connector-cosign',
      commit: 'a'.repeat(40),
      tag: 'v1.0.0',
      builderId: 'https://cutter.test/builder',
      subjects: [{ name: `${registry.host}/${path}`, digest: layout.manifestDigest }],
    });
    const att = await signDsse(signer, Buffer.from(JSON.stringify(statement)), INTOTO_PAYLOAD_TYPE);
    await attachAttestation(client, repo, layout.manifestDigest, att, SLSA_PROVENANCE);
    const lock = JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'c', version: '1.0.0' } } });
    await attachSbom(client, repo, layout.manifestDigest, sbomFromLockfile(lock, { name: 'c', version: '1.0.0' }));

    const r = reader(path);
    // Tag-based discovery: resolve the tag, then `sha256:<hex>` → `sha256-<hex>.sig`.
    const digest = await r.digestOf('1.0.0');
    expect(digest).toBe(layout.manifestDigest);
    const tagOf = (suffix: string) => `${digest.replace(':', '-')}.${suffix}`;

    // .sig: an OCI image manifest whose simple-signing layer carries the base64 signature annotation.
    const sig = await r.manifest(tagOf('sig'));
    expect(sig.schemaVersion).toBe(2);
    expect(sig.mediaType).toBe(OCI_MANIFEST);
    const sigLayer = sig.layers.find((l) => l.mediaType === 'application/vnd.dev.cosign.simplesigning.v1+json');
    if (!sigLayer) throw new Error('no simple-signing layer');
    const payload = await r.blob(sigLayer);
    const b64 = sigLayer.annotations?.['dev.cosignproject.cosign/signature'] ?? '';
    // `cosign verify --key`: ECDSA P-256 over SHA-256 of the payload bytes exactly as stored.
    expect(verify('sha256', payload, key.publicKeyPem, Buffer.from(b64, 'base64'))).toBe(true);
    const simple = JSON.parse(payload.toString('utf8'));
    expect(simple.critical.type).toBe('cosign container image signature');
    expect(simple.critical.image['docker-manifest-digest']).toBe(digest);
    expect(simple.critical.identity['docker-reference']).toBe(`${registry.host}/${path}`);
    expect(simple).toHaveProperty('optional');

    // .att: DSSE envelope layers; cosign requires the signature annotation key on every layer, empty here.
    const attManifest = await r.manifest(tagOf('att'));
    expect(attManifest.mediaType).toBe(OCI_MANIFEST);
    const attLayer = attManifest.layers[0];
    if (!attLayer) throw new Error('no attestation layer');
    expect(attLayer.mediaType).toBe('application/vnd.dsse.envelope.v1+json');
    expect(attLayer.annotations?.['dev.cosignproject.cosign/signature']).toBe('');
    expect(attLayer.annotations?.['predicateType']).toBe(SLSA_PROVENANCE);
    const envelope = JSON.parse((await r.blob(attLayer)).toString('utf8')) as {
      payloadType: string;
      payload: string;
      signatures: { keyid?: string; sig: string }[];
    };
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    const body = Buffer.from(envelope.payload, 'base64');
    const dsseSig = Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64');
    expect(verify('sha256', pae(envelope.payloadType, body), key.publicKeyPem, dsseSig)).toBe(true);
    const stmt = JSON.parse(body.toString('utf8'));
    expect(stmt._type).toBe('https://in-toto.io/Statement/v1');
    expect(stmt.predicateType).toBe(SLSA_PROVENANCE);
    // cosign verify-attestation matches the image digest against the statement's subjects.
    expect(stmt.subject.map((s: { digest: { sha256: string } }) => `sha256:${s.digest.sha256}`)).toContain(digest);

    // .sbom: one layer whose media type names the format (cosign SBOM spec: application/vnd.cyclonedx+json).
    const sbomManifest = await r.manifest(tagOf('sbom'));
    const sbomLayer = sbomManifest.layers[0];
    if (!sbomLayer) throw new Error('no SBOM layer');
    expect(sbomLayer.mediaType).toBe('application/vnd.cyclonedx+json');
    expect(JSON.parse((await r.blob(sbomLayer)).toString('utf8')).bomFormat).toBe('CycloneDX');
  });
});
