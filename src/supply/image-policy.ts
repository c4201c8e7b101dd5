// The roll-out gate: an image lacking a required signature, SBOM or provenance (or carrying invalid ones) is refused.

import { CutterError } from '../core/errors.js';
import { imageRepository } from '../core/image-ref.js';
import { readImageAttachments, simpleSigningPayload } from './image-attachments.js';
import { INTOTO_PAYLOAD_TYPE, provenanceSubject, type Statement } from './provenance.js';
import { type RegistryClient, repositoryOf } from './registry-client.js';
import { validateSbom } from './sbom-schema.js';
import type { Requirement } from './supply-config.js';
import { bundleProblem, dssePayload, type TrustedKeys } from './verify-bundle.js';

/** What is missing or invalid for each requirement; empty when the image may roll out. */
export async function imagePolicyProblems(
  client: RegistryClient,
  pinned: string,
  require: readonly Requirement[],
  keys: TrustedKeys,
): Promise<string[]> {
  if (require.length === 0) return [];
  const repo = repositoryOf(pinned);
  const digest = repo.ref.digest;
  if (!digest) throw new CutterError('CUTTER_BAD_INPUT', `the policy gate checks pinned images only, not ${pinned}`);
  const name = imageRepository(repo.ref);
  const held = await readImageAttachments(client, repo, digest);
  const problems: string[] = [];
  if (require.includes('signature')) {
    if (!held.signature) problems.push('signature (none stored)');
    else {
      const why = bundleProblem(held.signature.bundle, keys, simpleSigningPayload(name, digest));
      if (why) problems.push(`signature (${why})`);
    }
  }
  if (require.includes('provenance')) {
    if (!held.attestation) problems.push('provenance (none stored)');
    else {
      const why = bundleProblem(held.attestation, keys);
      const envelope = dssePayload(held.attestation);
      let subject: string | null = null;
      if (!why && envelope?.payloadType === INTOTO_PAYLOAD_TYPE) {
        try {
          subject = provenanceSubject(JSON.parse(envelope.payload.toString('utf8')) as Statement, name);
        } catch {
          subject = null;
        }
      }
      if (why) problems.push(`provenance (${why})`);
      else if (subject !== digest) problems.push(`provenance (not for ${digest})`);
    }
  }
  if (require.includes('sbom')) {
    if (!held.sbom) problems.push('sbom (none stored)');
    else {
      const errors = await validateSbom(held.sbom);
      if (errors.length) problems.push(`sbom (invalid: ${errors[0]})`);
    }
  }
  return problems;
}

/** Throws `CUTTER_REFUSED` naming every missing proof; the roll-out step fails and can be retried once they exist. */
export async function enforceImagePolicy(
  client: RegistryClient,
  pinned: string,
  require: readonly Requirement[],
  keys: TrustedKeys,
): Promise<void> {
  const problems = await imagePolicyProblems(client, pinned, require, keys);
  if (problems.length > 0) {
    throw new CutterError('CUTTER_REFUSED', `image ${pinned} lacks ${problems.join(', ')}`, {
      hint: 'supply.require in .cutter.yml demands them; publish them for this digest, then retry the roll-out',
      details: { missing: problems },
    });
  }
}
