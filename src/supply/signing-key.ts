// Key-based Sigstore signing, fully offline: a PEM private key from an environment variable or a file signs blobs and DSSE envelopes.

import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Bundle, bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import type { Signer, Witness } from '@sigstore/sign';
import { CutterError } from '../core/errors.js';

export interface SigningKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  /** Key id: hex SHA-256 of the public key's DER (SPKI); bundles carry it as the key hint. */
  keyId: string;
}

/** `{ env: NAME }` or `{ file: path }`: config names where the key is, never the key itself. */
export type KeySource = { env: string } | { file: string };

export function publicKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export function signingKeyFromPem(pem: string, passphrase?: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(passphrase ? { key: pem, passphrase } : pem);
  } catch {
    // The key text never reaches the message.
    throw new CutterError('CUTTER_CONFIG_INVALID', 'the signing key is not a PEM private key', {
      hint: 'generate one with: openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt',
    });
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: publicKeyId(publicKey),
  };
}

export async function loadSigningKey(source: KeySource, env: NodeJS.ProcessEnv = process.env): Promise<SigningKey> {
  if ('env' in source) {
    const pem = env[source.env];
    if (!pem) {
      throw new CutterError('CUTTER_CONFIG_INVALID', `the signing key variable ${source.env} is not set`, {
        hint: `export ${source.env} with a PEM private key (ECDSA P-256 or Ed25519)`,
      });
    }
    return signingKeyFromPem(pem, env[`${source.env}_PASSWORD`]);
  }
  const pem = await readFile(source.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new CutterError('CUTTER_CONFIG_INVALID', `cannot read the signing key file ${source.file}: ${err.code}`);
  });
  return signingKeyFromPem(pem);
}

/** A @sigstore/sign Signer over a local key: ECDSA with SHA-256 (cosign's default) or Ed25519. */
export function keySigner(key: SigningKey): Signer {
  const algorithm = key.privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  return {
    async sign(data: Buffer) {
      return {
        signature: sign(algorithm, data, key.privateKey),
        key: { $case: 'publicKey', publicKey: key.publicKeyPem, hint: key.keyId },
      };
    },
  };
}

/**
 * Who signs and who witnesses: a local key alone (offline, no log), or a Fulcio certificate whose every signature
 * Rekor records (keyless, see keyless.ts). A bare Signer is a key with no witnesses.
 */
export interface SigningSetup {
  signer: Signer;
  witnesses: Witness[];
}

export type SignWith = Signer | SigningSetup;

function setupOf(signWith: SignWith): SigningSetup {
  return 'witnesses' in signWith ? signWith : { signer: signWith, witnesses: [] };
}

/**
 * @sigstore/sign brings its Fulcio/Rekor HTTP stack (make-fetch-happen, cacache…): loaded when something is signed,
 * so `cutter verify`, which only reads bundles, does not pay for it at start-up.
 */
const builders = () => import('@sigstore/sign');

/** A Sigstore bundle (message signature) over `data`; with a bare key there is no log, so no network. */
export async function signBlob(signWith: SignWith, data: Buffer): Promise<Bundle> {
  const { MessageSignatureBundleBuilder } = await builders();
  return new MessageSignatureBundleBuilder(setupOf(signWith)).create({ data });
}

/** A Sigstore bundle holding a DSSE envelope of `payload` (an in-toto statement for attestations). */
export async function signDsse(signWith: SignWith, payload: Buffer, payloadType: string): Promise<Bundle> {
  const { DSSEBundleBuilder } = await builders();
  return new DSSEBundleBuilder(setupOf(signWith)).create({ data: payload, type: payloadType });
}

export function bundleText(bundle: Bundle): string {
  return `${JSON.stringify(bundleToJSON(bundle), null, 2)}\n`;
}

export function parseBundle(text: string): Bundle {
  try {
    return bundleFromJSON(JSON.parse(text));
  } catch (err) {
    throw new CutterError('CUTTER_BAD_INPUT', `not a Sigstore bundle: ${(err as Error).message}`);
  }
}
