// Names of the supply-chain assets a release carries; one table so publishing and verifying never disagree.

export const SUPPLY_ASSETS = {
  checksums: 'SHA256SUMS',
  checksumsBundle: 'SHA256SUMS.sigstore.json',
  sbom: 'sbom.cdx.json',
  imageBundle: 'image.sigstore.json',
  provenance: 'provenance.intoto.sigstore.json',
} as const;

/** Assets the checksums file covers: everything but itself and the bundles that sign it or the image. */
export function coveredByChecksums(name: string): boolean {
  return (
    name !== SUPPLY_ASSETS.checksums &&
    name !== SUPPLY_ASSETS.checksumsBundle &&
    name !== SUPPLY_ASSETS.imageBundle &&
    name !== SUPPLY_ASSETS.provenance
  );
}
