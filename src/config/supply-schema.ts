// The `supply:` section of .cutter.yml: the roll-out policy, where the signing key is, the trusted keys, the SBOM source.
import * as z from 'zod';

export const REQUIREMENTS = ['signature', 'sbom', 'provenance'] as const;
export type Requirement = (typeof REQUIREMENTS)[number];

export const supplySectionSchema = z.strictObject({
  /** Roll-out refuses an image lacking any of these. */
  require: z.array(z.enum(REQUIREMENTS)).default([]),
  /** Files holding the trusted PEM public keys: repository-relative (read at the released commit) or absolute. */
  publicKeys: z.array(z.string().min(1)).default([]),
  /** Where the signing key is: an environment variable name or a file on the Cutter host; never the key itself. */
  signingKey: z
    .union([
      z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'an environment variable name') }),
      z.strictObject({ file: z.string().min(1) }),
    ])
    .optional(),
  /**
   * Keyless Sigstore signing and its trust: Fulcio issues a certificate for the CI's OIDC identity, Rekor logs each
   * signature; verify accepts certificates chaining to `trustedRoot` (a trusted_root.json) whose identity and issuer
   * are exactly these (cosign's --certificate-identity / --certificate-oidc-issuer).
   */
  keyless: z
    .strictObject({
      fulcioURL: z.url({ protocol: /^https?$/ }),
      rekorURL: z.url({ protocol: /^https?$/ }),
      identity: z.string().min(1),
      issuer: z.url({ protocol: /^https?$/ }),
      /** trusted_root.json of that Sigstore instance: absolute, or repository-relative (read at the released commit). */
      trustedRoot: z.string().min(1),
      /** The variable holding the OIDC token when not in GitHub Actions. */
      tokenEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'an environment variable name')
        .default('SIGSTORE_ID_TOKEN'),
    })
    .optional(),
  /** Seconds a roll-out waits for the image tag to appear in the registry. */
  waitForImageSeconds: z.number().int().min(0).max(3_600).default(300),
  /**
   * Seconds the verify step of a release signed elsewhere (`publicKeys` only) waits for that pipeline to attach the
   * checksums, their signature and the provenance; unset, `waitForImageSeconds` (the same pipeline pushes the image).
   */
  waitForSignaturesSeconds: z.number().int().min(0).max(3_600).optional(),
  /** Registry hosts reached without TLS besides loopback ones. */
  plainHttpHosts: z.array(z.string().min(1)).default([]),
  /** Where the SBOM comes from: `package-lock.json` at the released commit by default, or a command's stdout. */
  sbom: z
    .strictObject({
      /** Run in a checkout of the tag, as an argument list (no shell); prints CycloneDX JSON. */
      command: z.array(z.string().min(1)).min(1).optional(),
      /** The lockfile read when there is no command (repository-relative). */
      lockfile: z.string().min(1).default('package-lock.json'),
      includeDev: z.boolean().default(false),
    })
    .optional(),
});

export type SupplySection = z.output<typeof supplySectionSchema>;
