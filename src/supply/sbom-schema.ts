// SBOMs checked against the CycloneDX JSON schema of their own specVersion; nothing invalid is ever attached.

import { createRequire } from 'node:module';
import { CutterError } from '../core/errors.js';

export const SBOM_MEDIA_TYPE = 'application/vnd.cyclonedx+json';

/**
 * Spec versions whose validator the build compiles ahead (sbom-precompile.ts): the one Cutter writes (sbom.ts). Other
 * versions, and runs from the sources (tests, tsx), compile the schema with the CycloneDX library on first use.
 */
export const PRECOMPILED_SPEC_VERSIONS = ['1.6'] as const;

export function precompiledValidatorFile(specVersion: string): string {
  return `cyclonedx-${specVersion}.validate.cjs`;
}

/** Errors of one document, or null when it is valid (the CycloneDX library's JsonStrictValidator contract). */
type Validator = (text: string, doc: unknown) => Promise<unknown[] | null>;

const require = createRequire(import.meta.url);

/** The build's validator for `version`, or null when there is none (not precompiled, or not built). */
function precompiled(version: string): Validator | null {
  if (!(PRECOMPILED_SPEC_VERSIONS as readonly string[]).includes(version)) return null;
  let validate: ((doc: unknown) => boolean) & { errors?: unknown[] | null };
  try {
    validate = require(`./precompiled/${precompiledValidatorFile(version)}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return null;
    throw err;
  }
  return async (_text, doc) => (validate(doc) ? null : (validate.errors ?? []));
}

/** The library's validator, compiled here (seconds for the larger schemas); null for a version it does not know. */
async function compiled(version: unknown): Promise<Validator | null> {
  const CDX = await import('@cyclonedx/cyclonedx-library');
  const known = Object.values(CDX.Spec.Version).find((v) => v === version);
  if (!known) return null;
  const validator = new CDX.Validation.JsonStrictValidator(known);
  return async (text) => {
    const errors = await validator.validate(text);
    return errors ? (Array.isArray(errors) ? errors : [errors]) : null;
  };
}

/** One validator per spec version for the process (compiling one takes seconds for the larger schemas). */
const validators = new Map<string, Promise<Validator | null>>();

function validatorFor(version: unknown): Promise<Validator | null> {
  if (typeof version !== 'string') return Promise.resolve(null);
  let validator = validators.get(version);
  if (!validator) {
    validator = (async () => precompiled(version) ?? (await compiled(version)))();
    validators.set(version, validator);
    // Versions the library does not know are not kept, nor a compile that failed: the map stays the library's size.
    const forget = () => validators.delete(version);
    validator.then((found) => found ?? forget(), forget);
  }
  return validator;
}

/** Validation errors against the CycloneDX JSON schema of the document's own specVersion; [] when valid. */
export async function validateSbom(text: string): Promise<string[]> {
  let doc: { bomFormat?: unknown; specVersion?: unknown };
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return [`not JSON: ${(err as Error).message}`];
  }
  if (doc?.bomFormat !== 'CycloneDX') return ['bomFormat is not "CycloneDX"'];
  const validator = validatorFor(doc.specVersion);
  const validate = await validator;
  if (!validate) return [`unsupported specVersion ${JSON.stringify(doc.specVersion)}`];
  const errors = await validate(text, doc);
  if (!errors) return [];
  return errors
    .slice(0, 10)
    .map((e) => e as { instancePath?: string; message?: string })
    .map((e) => `${e.instancePath || '/'} ${e.message ?? JSON.stringify(e)}`.trim());
}

/** Throws `CUTTER_BAD_INPUT` naming the first schema errors; nothing invalid is ever attached. */
export async function assertValidSbom(text: string, source: string): Promise<void> {
  const errors = await validateSbom(text);
  if (errors.length > 0) {
    throw new CutterError('CUTTER_BAD_INPUT', `the SBOM from ${source} is not valid CycloneDX: ${errors.join('; ')}`, {
      hint: 'fix the SBOM generator; an invalid SBOM is never attached to a release or image',
    });
  }
}
