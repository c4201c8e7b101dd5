// Keyless Sigstore signing and its trust: a short-lived Fulcio certificate for the CI's OIDC identity, each signature
// recorded in Rekor; verification checks the chain against a trusted root and the certificate against the identity.

import { readFile } from 'node:fs/promises';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { CIContextProvider, FulcioSigner, type IdentityProvider, RekorWitness } from '@sigstore/sign';
import { type TrustMaterial, toTrustMaterial } from '@sigstore/verify';
import { CutterError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import type { SigningSetup } from './signing-key.js';

export const DEFAULT_TOKEN_ENV = 'SIGSTORE_ID_TOKEN';

export interface KeylessSigningOptions {
  fulcioURL: string;
  rekorURL: string;
  /** The variable holding the OIDC identity token; without it, GitHub Actions' token (`id-token: write`). */
  tokenEnv?: string;
  /** Per request to Fulcio and Rekor (default 10 s). */
  timeoutMs?: number;
}

/** Whom a keyless signature must come from: cosign's --certificate-identity and --certificate-oidc-issuer. */
export interface KeylessTrust {
  material: TrustMaterial;
  /** The certificate's subject alternative name, exactly (a workflow URI or an e-mail address). */
  identity: string;
  /** The OIDC issuer recorded in the certificate, exactly. */
  issuer: string;
}

function identityProvider(tokenEnv: string, env: NodeJS.ProcessEnv): IdentityProvider {
  const inActions = Boolean(env['ACTIONS_ID_TOKEN_REQUEST_URL'] && env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']);
  if (!env[tokenEnv] && !inActions) {
    throw new CutterError(
      'CUTTER_CONFIG_INVALID',
      `keyless signing needs an OIDC identity token: ${tokenEnv} is not set`,
      {
        hint: `export ${tokenEnv}, or run in GitHub Actions with permissions: id-token: write`,
      },
    );
  }
  // The token goes nowhere but Fulcio: registered so that no log line or error can carry it.
  registerSecret(env[tokenEnv]);
  return {
    getToken: async () => {
      const token = env[tokenEnv] ?? (await new CIContextProvider('sigstore').getToken());
      registerSecret(token);
      return token;
    },
  };
}

function httpURL(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CutterError('CUTTER_CONFIG_INVALID', `supply.keyless.${what} is not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new CutterError(
      'CUTTER_CONFIG_INVALID',
      `supply.keyless.${what} must be an http(s) URL, got ${parsed.protocol}`,
    );
  }
  return parsed.toString().replace(/\/$/, '');
}

/** A Fulcio signer witnessed by Rekor, for signBlob/signDsse and the image attachments. */
export function keylessSigning(options: KeylessSigningOptions, env: NodeJS.ProcessEnv = process.env): SigningSetup {
  const fetchOptions = { timeout: options.timeoutMs ?? 10_000, retry: 2 };
  return {
    signer: new FulcioSigner({
      fulcioBaseURL: httpURL(options.fulcioURL, 'fulcioURL'),
      identityProvider: identityProvider(options.tokenEnv ?? DEFAULT_TOKEN_ENV, env),
      ...fetchOptions,
    }),
    // Attestations go in as `intoto` entries, the kind `cosign attest` writes and its verifiers look up.
    witnesses: [
      new RekorWitness({ rekorBaseURL: httpURL(options.rekorURL, 'rekorURL'), entryType: 'intoto', ...fetchOptions }),
    ],
  };
}

/** The CAs, transparency logs and CT logs of a Sigstore instance, from its `trusted_root.json`. */
export function trustMaterialFromJSON(json: unknown, source = 'trusted root'): TrustMaterial {
  try {
    const root = TrustedRoot.fromJSON(json);
    if (root.certificateAuthorities.length === 0) throw new Error('it names no certificate authority');
    return toTrustMaterial(root);
  } catch (err) {
    throw new CutterError(
      'CUTTER_CONFIG_INVALID',
      `${source} is not a Sigstore trusted root: ${(err as Error).message}`,
      {
        hint: 'use the trusted_root.json of the Sigstore instance whose Fulcio and Rekor sign your releases',
      },
    );
  }
}

export async function loadKeylessTrust(input: {
  trustedRoot: string;
  identity: string;
  issuer: string;
}): Promise<KeylessTrust> {
  const text = await readFile(input.trustedRoot, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new CutterError('CUTTER_CONFIG_INVALID', `cannot read the trusted root ${input.trustedRoot}: ${err.code}`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CutterError('CUTTER_CONFIG_INVALID', `the trusted root ${input.trustedRoot} is not JSON`);
  }
  return { material: trustMaterialFromJSON(json, input.trustedRoot), identity: input.identity, issuer: input.issuer };
}
