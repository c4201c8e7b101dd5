// Verifies Sigstore bundles with @sigstore/verify against the configured public keys (offline: no log, no timestamps).

import { createPublicKey } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { publicKeyId } from './signing-key.js';

export interface TrustedKeys {
  /** Key id → PEM public key. */
  byId: Map<string, string>;
}

export function trustedKeys(pems: string[]): TrustedKeys {
  const byId = new Map<string, string>();
  for (const pem of pems) byId.set(publicKeyId(createPublicKey(pem)), pem);
  return { byId };
}

function verifier(keys: TrustedKeys): Verifier {
  const material = toTrustMaterial(
    {
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [],
      certificateAuthorities: [],
      ctlogs: [],
      timestampAuthorities: [],
    },
    (hint: string) => {
      const pem = keys.byId.get(hint);
      if (!pem) throw new Error(`signed by key ${hint.slice(0, 12)}…, which is not a trusted key`);
      return { publicKey: createPublicKey(pem), validFor: () => true };
    },
  );
  return new Verifier(material, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
}

/** null when the bundle is a valid signature by a trusted key (over `artifact` for message signatures); else why not. */
export function bundleProblem(bundle: Bundle, keys: TrustedKeys, artifact?: Buffer): string | null {
  try {
    verifier(keys).verify(toSignedEntity(bundle, artifact));
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The payload of a DSSE bundle (already verified by `bundleProblem`). */
export function dssePayload(bundle: Bundle): { payloadType: string; payload: Buffer } | null {
  if (bundle.content.$case !== 'dsseEnvelope') return null;
  return { payloadType: bundle.content.dsseEnvelope.payloadType, payload: bundle.content.dsseEnvelope.payload };
}
