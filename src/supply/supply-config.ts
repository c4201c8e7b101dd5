// The `supply:` section of .cutter.yml: which proofs an image must carry before it is rolled out, and the trusted keys.

import { REQUIREMENTS, type SupplySection, supplySectionSchema } from '../config/supply-schema.js';
import { CutterError } from '../core/errors.js';

export type { Requirement, SupplySection } from '../config/supply-schema.js';
export { REQUIREMENTS, supplySectionSchema };

const KEYS = Object.keys(supplySectionSchema.shape).join(', ');

/** The section as the supply steps use it; every problem names the file, the key and what is allowed. */
export function parseSupplySection(raw: unknown, source: string): SupplySection {
  const parsed = supplySectionSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = ['supply', ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') return `unknown key ${key}.${issue.keys.join(', ')} (allowed: ${KEYS})`;
    return `${key}: ${issue.message}`;
  });
  throw new CutterError('CUTTER_CONFIG_INVALID', `${source}: ${problems.join('; ')}`, {
    hint: `supply.require takes ${REQUIREMENTS.join(', ')}; keys are named by file or environment variable`,
    details: { file: source, problems },
  });
}

/** How long verify waits for the signatures a release signed elsewhere gets attached (see the schema). */
export function waitForSignaturesSeconds(section: SupplySection): number {
  return section.waitForSignaturesSeconds ?? section.waitForImageSeconds;
}
