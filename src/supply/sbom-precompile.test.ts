// The build's precompiled CycloneDX validator accepts and rejects exactly what the library's own validator does.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as CDX from '@cyclonedx/cyclonedx-library';
import { describe, expect, it } from 'vitest';
import { sbomFromLockfile } from './sbom.js';
import { precompiledValidatorSource } from './sbom-precompile.js';
import { PRECOMPILED_SPEC_VERSIONS } from './sbom-schema.js';

type Validate = ((doc: unknown) => boolean) & { errors?: unknown[] | null };

/** Evaluate the generated module as Node would load it from dist/supply/precompiled/ (its requires resolve alike). */
function load(source: string): Validate {
  const module = { exports: {} as Validate };
  new Function('module', 'exports', 'require', source)(module, module.exports, createRequire(import.meta.url));
  return module.exports;
}

describe('the precompiled CycloneDX validator', () => {
  it('is the one for the spec version Cutter writes', async () => {
    const lock = await readFile('package-lock.json', 'utf8');
    const written = JSON.parse(sbomFromLockfile(lock, { name: 'cutter', version: '0.1.0' }));
    expect(PRECOMPILED_SPEC_VERSIONS).toEqual([written.specVersion]);
  });

  it('gives the same verdict and the same errors as the library for valid and broken BOMs', {
    timeout: 60_000,
  }, async () => {
    const lock = await readFile('package-lock.json', 'utf8');
    const good = JSON.parse(sbomFromLockfile(lock, { name: 'cutter', version: '0.1.0', includeDev: true }));
    const component = good.components[0];
    const docs: unknown[] = [
      good,
      { bomFormat: 'CycloneDX', specVersion: '1.6' },
      { ...good, components: [{ name: 'x' }] },
      { ...good, components: [{ ...component, type: 'vibes' }] },
      { ...good, components: [{ ...component, hashes: [{ alg: 'SHA-512', content: 'not hex' }] }] },
      { ...good, extra: true },
      { ...good, metadata: { ...good.metadata, timestamp: 'yesterday' } },
      { ...good, metadata: { ...good.metadata, authors: [{ name: 'a', email: 'not an email' }] } },
      { ...good, metadata: { ...good.metadata, authors: [{ name: 'a', email: 'dev@acme.example' }] } },
      { ...good, externalReferences: [{ type: 'website', url: 'https://acme.example/x' }] },
      { ...good, serialNumber: 'urn:uuid:nope' },
      { ...good, version: -1 },
      { ...good, components: [{ ...component, licenses: [{ license: { id: 'NOT-A-LICENSE' } }] }] },
      { ...good, components: [{ ...component, licenses: [{ license: { id: 'MIT' } }] }] },
      {
        ...good,
        dependencies: [{ ref: component['bom-ref'], dependsOn: [component['bom-ref'], component['bom-ref']] }],
      },
    ];
    for (const version of PRECOMPILED_SPEC_VERSIONS) {
      const precompiled = load(await precompiledValidatorSource(version));
      const library = new CDX.Validation.JsonStrictValidator(version as CDX.Spec.Version);
      const verdicts: boolean[] = [];
      for (const doc of docs) {
        const ok = precompiled(doc);
        verdicts.push(ok);
        expect(ok ? null : precompiled.errors).toEqual(await library.validate(JSON.stringify(doc)));
      }
      // The list tries both outcomes, not only one.
      expect(verdicts.filter(Boolean).length).toBeGreaterThanOrEqual(3);
      expect(verdicts.filter((v) => !v).length).toBeGreaterThanOrEqual(8);
    }
  });
});
