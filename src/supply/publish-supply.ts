// After a release: pin the image, write checksums, sign them and the image, attest provenance, attach SBOM and bundles.

import { CutterError } from '../core/errors.js';
import { imageRepository } from '../core/image-ref.js';
import type { GitHubClient } from '../github/client.js';
import type { RepoRef } from '../github/repo-api.js';
import { coveredByChecksums, SUPPLY_ASSETS } from './asset-names.js';
import { checksumsText, sha256Hex } from './checksums.js';
import { attachAttestation, attachImageSignature, attachSbom } from './image-attachments.js';
import { type PinnedImage, pinImage } from './pin-image.js';
import { INTOTO_PAYLOAD_TYPE, provenanceStatement, SLSA_PROVENANCE } from './provenance.js';
import { type RegistryClient, repositoryOf } from './registry-client.js';
import { ensureAsset, listAssets } from './release-assets.js';
import { assertValidSbom } from './sbom-schema.js';
import { bundleText, type SignWith, signBlob, signDsse } from './signing-key.js';

export interface PublishSupplyInput {
  gh: GitHubClient;
  repo: RepoRef;
  tag: string;
  commit: string;
  /** `https://github.com/acme/connector-x`: what the provenance names as the source. */
  repositoryUrl: string;
  builderId: string;
  /** The image tag the build pushed, e.g. `ghcr.io/acme/connector-x:1.4.2`; without one only release assets are made. */
  image?: string;
  registry: RegistryClient;
  /** A key (offline) or a keyless Fulcio + Rekor setup (keyless.ts). */
  signer: SignWith;
  sbom: string;
  /** Release artifacts besides the SBOM (binaries, tarballs). */
  artifacts?: { name: string; bytes: Buffer; contentType?: string }[];
  waitForImageMs?: number;
  log?: (line: string) => void;
}

export interface PublishedSupply {
  image: PinnedImage | null;
  assets: { name: string; outcome: 'uploaded' | 'adopted' }[];
}

export async function publishSupplyChain(input: PublishSupplyInput): Promise<PublishedSupply> {
  const log = input.log ?? (() => {});
  await assertValidSbom(input.sbom, `${input.repo.owner}/${input.repo.name} ${input.tag}`);
  const image = input.image
    ? await pinImage(input.registry, input.image, { timeoutMs: input.waitForImageMs ?? 300_000, log })
    : null;
  if (image) log(`image ${image.requested} is ${image.digest}`);

  const files = [
    ...(input.artifacts ?? []).map((a) => ({ ...a, contentType: a.contentType ?? 'application/octet-stream' })),
    { name: SUPPLY_ASSETS.sbom, bytes: Buffer.from(input.sbom), contentType: 'application/vnd.cyclonedx+json' },
  ];
  for (const f of files) {
    if (!coveredByChecksums(f.name) || !/^[A-Za-z0-9._+-]{1,200}$/.test(f.name)) {
      throw new CutterError('CUTTER_BAD_INPUT', `release artifact name ${JSON.stringify(f.name)} is not allowed`);
    }
  }
  const checksums = Buffer.from(checksumsText(files.map((f) => ({ name: f.name, sha256: sha256Hex(f.bytes) }))));
  const checksumsBundle = await signBlob(input.signer, checksums);

  const repository = image ? repositoryOf(image.pinned) : null;
  const imageBundle =
    image && repository ? await attachImageSignature(input.registry, repository, image.digest, input.signer) : null;
  const statement = provenanceStatement({
    repositoryUrl: input.repositoryUrl,
    commit: input.commit,
    tag: input.tag,
    builderId: input.builderId,
    subjects: [
      ...(image && repository ? [{ name: imageRepository(repository.ref), digest: image.digest }] : []),
      { name: SUPPLY_ASSETS.checksums, digest: `sha256:${sha256Hex(checksums)}` },
    ],
  });
  const provenance = await signDsse(input.signer, Buffer.from(JSON.stringify(statement)), INTOTO_PAYLOAD_TYPE);
  if (image && repository) {
    await attachAttestation(input.registry, repository, image.digest, provenance, SLSA_PROVENANCE);
    await attachSbom(input.registry, repository, image.digest, input.sbom);
    log(`signature, provenance and SBOM stored with ${image.pinned}`);
  }

  const { data: release } = await input.gh.rest.repos.getReleaseByTag({
    owner: input.repo.owner,
    repo: input.repo.name,
    tag: input.tag,
  });
  const existing = await listAssets(input.gh, input.repo, release.id);
  const json = 'application/json';
  const all = [
    ...files,
    { name: SUPPLY_ASSETS.checksums, bytes: checksums, contentType: 'text/plain' },
    {
      adoptAny: true,
      name: SUPPLY_ASSETS.checksumsBundle,
      bytes: Buffer.from(bundleText(checksumsBundle)),
      contentType: json,
    },
    ...(imageBundle
      ? [
          {
            adoptAny: true,
            name: SUPPLY_ASSETS.imageBundle,
            bytes: Buffer.from(bundleText(imageBundle)),
            contentType: json,
          },
        ]
      : []),
    { adoptAny: true, name: SUPPLY_ASSETS.provenance, bytes: Buffer.from(bundleText(provenance)), contentType: json },
  ];
  const assets: PublishedSupply['assets'] = [];
  for (const asset of all) {
    const outcome = await ensureAsset(
      input.gh,
      input.repo,
      { id: release.id, uploadUrl: release.upload_url },
      existing,
      asset,
    );
    assets.push({ name: asset.name, outcome });
  }
  return { image, assets };
}
