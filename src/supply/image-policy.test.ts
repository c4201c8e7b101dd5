import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCutterError } from '../core/errors.js';
import { attachAttestation, attachImageSignature, attachSbom } from './image-attachments.js';
import { enforceImagePolicy, imagePolicyProblems } from './image-policy.js';
import { type LocalRegistry, startLocalRegistry } from './local-registry.js';
import { buildImageLayout, pushImageLayout } from './oci-image.js';
import { INTOTO_PAYLOAD_TYPE, provenanceStatement, SLSA_PROVENANCE } from './provenance.js';
import { createRegistryClient } from './registry-client.js';
import { keySigner, signDsse, signingKeyFromPem } from './signing-key.js';
import { parseSupplySection } from './supply-config.js';
import { trustedKeys } from './verify-bundle.js';

const pem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const key = signingKeyFromPem(pem());
const keys = trustedKeys([key.publicKeyPem]);
const SBOM = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [] });
let registry: LocalRegistry;
const client = createRegistryClient({ retries: 1, backoffMs: 5 });

beforeAll(async () => {
  registry = await startLocalRegistry();
});
afterAll(async () => {
  await registry?.stop();
});

async function image(name: string) {
  const repo = { registry: registry.host, path: `acme/${name}` };
  const layout = buildImageLayout({ files: { VERSION: name } });
  await pushImageLayout(client, repo, layout, '1.0.0');
  return { repo, digest: layout.manifestDigest, pinned: `${registry.host}/acme/${name}@${layout.manifestDigest}` };
}

describe('supply policy gate before roll-out', () => {
  it('refuses an unsigned image, naming everything it lacks', async () => {
    const { pinned } = await image('bare');
    const err = await enforceImagePolicy(client, pinned, ['signature', 'sbom', 'provenance'], keys).catch((e) => e);
    expect(isCutterError(err, 'CUTTER_REFUSED')).toBe(true);
    expect(err.message).toContain(pinned);
    expect(err.message).toMatch(/signature \(none stored\), provenance \(none stored\), sbom \(none stored\)/);
  });

  it('lets an image through that carries a valid signature, provenance and SBOM for its digest', async () => {
    const { repo, digest, pinned } = await image('complete');
    const signer = keySigner(key);
    await attachImageSignature(client, repo, digest, signer);
    const statement = provenanceStatement({
      repositoryUrl: 'https://github.com/acme/complete',
      commit: 'a'.repeat(40),
      tag: 'v1.0.0',
      builderId: 'https://cutter.test',
      subjects: [{ name: `${repo.registry}/${repo.path}`, digest }],
    });
    const att = await signDsse(signer, Buffer.from(JSON.stringify(statement)), INTOTO_PAYLOAD_TYPE);
    await attachAttestation(client, repo, digest, att, SLSA_PROVENANCE);
    await attachSbom(client, repo, digest, SBOM);
    await expect(
      enforceImagePolicy(client, pinned, ['signature', 'sbom', 'provenance'], keys),
    ).resolves.toBeUndefined();
    // the same image signed by a key nobody trusts is refused
    const other = trustedKeys([signingKeyFromPem(pem()).publicKeyPem]);
    const problems = await imagePolicyProblems(client, pinned, ['signature', 'provenance'], other);
    expect(problems.join()).toMatch(/signature \(.*not a trusted key\).*provenance/);
  });

  it('only checks what config requires, and rejects unknown requirements in config', async () => {
    const { pinned } = await image('partial');
    expect(await imagePolicyProblems(client, pinned, [], keys)).toEqual([]);
    expect(parseSupplySection({ require: ['signature', 'sbom'] }, '.cutter.yml').require).toEqual([
      'signature',
      'sbom',
    ]);
    expect(() => parseSupplySection({ require: ['vibes'] }, '.cutter.yml')).toThrow(/supply.require/);
  });
});
