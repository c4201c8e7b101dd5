// Verifies Sigstore bundles with @sigstore/verify: key-signed ones against the configured public keys (offline: no log,
// no timestamps), keyless ones against a trusted root and the configured certificate identity and issuer.

import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import type { KeylessTrust } from './keyless.js';
import { publicKeyId } from './signing-key.js';

export interface TrustedKeys {
  /** Key id → PEM public key. */
  byId: Map<string, string>;
  /** Whom keyless (certificate) signatures must come from; without it they are refused. */
  keyless?: KeylessTrust;
}

export function trustedKeys(pems: string[], keyless?: KeylessTrust): TrustedKeys {
  const byId = new Map<string, string>();
  for (const pem of pems) byId.set(publicKeyId(createPublicKey(pem)), pem);
  return keyless ? { byId, keyless } : { byId };
}

/** One verifier per set of trusted keys for the process: trust material and parsed keys are not rebuilt per bundle. */
const verifiers = new WeakMap<TrustedKeys, Verifier>();

function verifier(keys: TrustedKeys): Verifier {
  const known = verifiers.get(keys);
  if (known) return known;
  const parsed = new Map<string, KeyObject>();
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
      let key = parsed.get(hint);
      if (!key) {
        key = createPublicKey(pem);
        parsed.set(hint, key);
      }
      return { publicKey: key, validFor: () => true };
    },
  );
  const made = new Verifier(material, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  verifiers.set(keys, made);
  return made;
}

const keylessVerifiers = new WeakMap<KeylessTrust, Verifier>();

function keylessVerifier(trust: KeylessTrust): Verifier {
  let made = keylessVerifiers.get(trust);
  if (!made) {
    made = new Verifier(trust.material);
    keylessVerifiers.set(trust, made);
  }
  return made;
}

/** A certificate must chain to the trusted root, carry an SCT and be logged in Rekor (cosign's defaults). */
function keylessProblem(bundle: Bundle, trust: KeylessTrust | undefined, artifact?: Buffer): string | null {
  if (!trust) return 'signed with a Sigstore certificate, but no keyless identity is trusted';
  const signer = keylessVerifier(trust).verify(toSignedEntity(bundle, artifact));
  const identity = signer.identity?.subjectAlternativeName ?? '(none)';
  const issuer = signer.identity?.extensions?.issuer ?? '(none)';
  if (identity !== trust.identity || issuer !== trust.issuer) {
    return `signed by identity ${identity} (issuer ${issuer}), not the trusted ${trust.identity} (issuer ${trust.issuer})`;
  }
  return null;
}

/** null when the bundle is a valid signature by a trusted key or identity (over `artifact` for message signatures); else why not. */
export function bundleProblem(bundle: Bundle, keys: TrustedKeys, artifact?: Buffer): string | null {
  try {
    if (bundle.verificationMaterial.content.$case !== 'publicKey')
      return keylessProblem(bundle, keys.keyless, artifact);
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
