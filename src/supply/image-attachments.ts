// Signatures, attestations and SBOMs stored next to an image the way cosign stores them: tags `sha256-<hex>.sig|.att|.sbom`.

import type { Bundle } from '@sigstore/bundle';
import { envelopeToJSON } from '@sigstore/bundle';
import { pushArtifact } from './oci-image.js';
import type { RegistryClient, Repository } from './registry-client.js';
import { SBOM_MEDIA_TYPE } from './sbom-schema.js';
import { bundleText, parseBundle, type SignWith, signBlob } from './signing-key.js';

export const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const DSSE_ENVELOPE = 'application/vnd.dsse.envelope.v1+json';
/** Annotation keys cosign reads on a signature or attestation layer (cosign specs/SIGNATURE_SPEC.md). */
export const COSIGN_SIGNATURE = 'dev.cosignproject.cosign/signature';
export const COSIGN_CERTIFICATE = 'dev.sigstore.cosign/certificate';
export const COSIGN_CHAIN = 'dev.sigstore.cosign/chain';
/** cosign's Rekor bundle: the signed entry timestamp and what it signs, for offline transparency-log checks. */
export const COSIGN_REKOR_BUNDLE = 'dev.sigstore.cosign/bundle';
/** The whole Sigstore bundle rides along, so a verifier needs nothing but the registry. */
export const BUNDLE_ANNOTATION = 'dev.sigstore.bundle.v0.3+json';

export type AttachmentKind = 'sig' | 'att' | 'sbom';

/** cosign's tag for what is attached to `digest`: `sha256:ab…` → `sha256-ab….sig`. */
export function cosignTag(digest: string, kind: AttachmentKind): string {
  return `${digest.replace(':', '-')}.${kind}`;
}

/** cosign's "simple signing" payload: what an image signature actually signs (repository + manifest digest). */
export function simpleSigningPayload(repository: string, digest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': repository },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
}

function pem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * The annotations cosign reads next to a signature: the base64 signature (cosign requires the key even when empty,
 * as on attestation layers whose signature lives in the DSSE envelope), and for keyless bundles the Fulcio
 * certificate, its chain and the Rekor entry in cosign's own bundle shape.
 */
export function cosignAnnotations(bundle: Bundle): Record<string, string> {
  const out: Record<string, string> = {
    [COSIGN_SIGNATURE]:
      bundle.content.$case === 'messageSignature' ? bundle.content.messageSignature.signature.toString('base64') : '',
  };
  const material = bundle.verificationMaterial.content;
  const certs =
    material.$case === 'certificate'
      ? [material.certificate.rawBytes]
      : material.$case === 'x509CertificateChain'
        ? material.x509CertificateChain.certificates.map((c) => c.rawBytes)
        : [];
  const [leaf, ...chain] = certs;
  if (leaf) out[COSIGN_CERTIFICATE] = pem(leaf);
  if (chain.length) out[COSIGN_CHAIN] = chain.map(pem).join('');
  const entry = bundle.verificationMaterial.tlogEntries[0];
  if (entry?.inclusionPromise) {
    out[COSIGN_REKOR_BUNDLE] = JSON.stringify({
      SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp.toString('base64'),
      Payload: {
        body: entry.canonicalizedBody.toString('base64'),
        integratedTime: Number(entry.integratedTime),
        logIndex: Number(entry.logIndex),
        logID: entry.logId.keyId.toString('hex'),
      },
    });
  }
  return out;
}

/** Sign the image digest and store it at `.sig`; returns the bundle (also a release asset). */
export async function attachImageSignature(
  client: RegistryClient,
  repo: Repository,
  digest: string,
  signer: SignWith,
): Promise<Bundle> {
  const payload = simpleSigningPayload(`${repo.registry}/${repo.path}`, digest);
  const bundle = await signBlob(signer, payload);
  await pushArtifact(client, repo, cosignTag(digest, 'sig'), [
    {
      mediaType: SIMPLE_SIGNING,
      bytes: payload,
      annotations: { ...cosignAnnotations(bundle), [BUNDLE_ANNOTATION]: bundleText(bundle) },
    },
  ]);
  return bundle;
}

/** Store a DSSE-enveloped attestation (the provenance) at `.att`, as `cosign attest` does. */
export async function attachAttestation(
  client: RegistryClient,
  repo: Repository,
  digest: string,
  bundle: Bundle,
  predicateType: string,
): Promise<void> {
  if (bundle.content.$case !== 'dsseEnvelope') throw new Error('an attestation is a DSSE bundle');
  const envelope = Buffer.from(JSON.stringify(envelopeToJSON(bundle.content.dsseEnvelope)));
  await pushArtifact(client, repo, cosignTag(digest, 'att'), [
    {
      mediaType: DSSE_ENVELOPE,
      bytes: envelope,
      annotations: { ...cosignAnnotations(bundle), predicateType, [BUNDLE_ANNOTATION]: bundleText(bundle) },
    },
  ]);
}

/** Store the SBOM at `.sbom`, as `cosign attach sbom` does. */
export async function attachSbom(
  client: RegistryClient,
  repo: Repository,
  digest: string,
  sbom: string,
): Promise<void> {
  await pushArtifact(client, repo, cosignTag(digest, 'sbom'), [
    { mediaType: SBOM_MEDIA_TYPE, bytes: Buffer.from(sbom) },
  ]);
}

export interface ImageAttachments {
  signature: { payload: Buffer; bundle: Bundle } | null;
  attestation: Bundle | null;
  sbom: string | null;
}

interface ManifestLayers {
  layers?: { mediaType: string; digest: string; annotations?: Record<string, string> }[];
}

/** What the registry holds next to `digest`; a missing tag is null, an unreadable one throws. */
export async function readImageAttachments(
  client: RegistryClient,
  repo: Repository,
  digest: string,
): Promise<ImageAttachments> {
  const firstLayer = async (kind: AttachmentKind) => {
    const manifest = await client.getManifest(repo, cosignTag(digest, kind));
    if (!manifest) return null;
    const layer = (JSON.parse(manifest.body.toString('utf8')) as ManifestLayers).layers?.[0];
    if (!layer) return null;
    return { layer, bytes: await client.getBlob(repo, layer.digest) };
  };
  const [sig, att, sbom] = await Promise.all([firstLayer('sig'), firstLayer('att'), firstLayer('sbom')]);
  const bundleOf = (l: { layer: { annotations?: Record<string, string> } } | null) => {
    const text = l?.layer.annotations?.[BUNDLE_ANNOTATION];
    return text ? parseBundle(text) : null;
  };
  const sigBundle = bundleOf(sig);
  return {
    signature: sig && sigBundle ? { payload: sig.bytes, bundle: sigBundle } : null,
    attestation: bundleOf(att),
    sbom: sbom ? sbom.bytes.toString('utf8') : null,
  };
}
