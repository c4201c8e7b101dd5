// The `supply:` section of .cutter.yml: which proofs an image must carry before it is rolled out, and the trusted keys.

import * as z from 'zod';
import { CutterError } from '../core/errors.js';

export const REQUIREMENTS = ['signature', 'sbom', 'provenance'] as const;
export type Requirement = (typeof REQUIREMENTS)[number];

export const supplySectionSchema = z.strictObject({
  /** Roll-out refuses an image lacking any of these. */
  require: z.array(z.enum(REQUIREMENTS)).default([]),
  /** Files holding the trusted PEM public keys (repository-relative or absolute). */
  publicKeys: z.array(z.string().min(1)).default([]),
  /** Where the signing key is: an environment variable name or a file; never the key itself. */
  signingKey: z
    .union([
      z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'an environment variable name') }),
      z.strictObject({ file: z.string().min(1) }),
    ])
    .optional(),
  /** Seconds a roll-out waits for the image tag to appear in the registry. */
  waitForImageSeconds: z.number().int().min(0).max(3_600).default(300),
  /** Registry hosts reached without TLS besides loopback ones. */
  plainHttpHosts: z.array(z.string().min(1)).default([]),
});

export type SupplySection = z.output<typeof supplySectionSchema>;

export function parseSupplySection(raw: unknown, source: string): SupplySection {
  const parsed = supplySectionSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new CutterError(
    'CUTTER_CONFIG_INVALID',
    `${source}: supply.${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}`,
    { hint: `supply.require takes ${REQUIREMENTS.join(', ')}; keys are named by file or environment variable` },
  );
}
