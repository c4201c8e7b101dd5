import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { isCutterError } from '../core/errors.js';
import { sbomFromCommand, sbomFromLockfile } from './sbom.js';
import { assertValidSbom, validateSbom } from './sbom-schema.js';

describe('CycloneDX SBOM', () => {
  it('lists every production package of our own lockfile with purl and hash, and validates', async () => {
    const lock = await readFile('package-lock.json', 'utf8');
    const text = sbomFromLockfile(lock, { name: 'cutter', version: '0.1.0' });
    expect(await validateSbom(text)).toEqual([]);
    const bom = JSON.parse(text);
    expect(bom.specVersion).toBe('1.6');
    expect(bom.metadata.component).toMatchObject({ name: 'cutter', version: '0.1.0' });
    const zod = bom.components.find((c: { name: string }) => c.name === 'zod');
    expect(zod.purl).toMatch(/^pkg:npm\/zod@\d/);
    expect(zod.hashes[0]).toMatchObject({ alg: 'SHA-512' });
    const rest = bom.components.find((c: { name: string; group?: string }) => c.name === 'rest');
    expect(rest).toMatchObject({ group: '@octokit' });
    expect(rest.purl).toMatch(/^pkg:npm\/%40octokit\/rest@/);
    // dev-only packages stay out unless asked for
    expect(bom.components.some((c: { name: string }) => c.name === 'vitest')).toBe(false);
  });

  it('reports schema errors for an SBOM that does not validate', async () => {
    const bad = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ name: 'x' }] });
    const errors = await validateSbom(bad);
    expect(errors.join()).toMatch(/type/);
    const err = await assertValidSbom(bad, 'test').catch((e) => e);
    expect(isCutterError(err, 'CUTTER_BAD_INPUT')).toBe(true);
    expect(await validateSbom('{"bomFormat":"SPDX"}')).toEqual(['bomFormat is not "CycloneDX"']);
    expect((await validateSbom('nope'))[0]).toMatch(/not JSON/);
  });

  it('refuses a lockfile without a packages map', () => {
    expect(() => sbomFromLockfile('{"lockfileVersion":1}', { name: 'x', version: '1' })).toThrow(/packages/);
  });

  it('takes another stack SBOM from a configured command and validates it', async () => {
    const good = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] });
    const text = await sbomFromCommand(['node', '-e', `process.stdout.write(${JSON.stringify(good)})`], {
      cwd: process.cwd(),
    });
    expect(JSON.parse(text).specVersion).toBe('1.5');
    const err = await sbomFromCommand(['node', '-e', 'process.stdout.write("{}")'], { cwd: process.cwd() }).catch(
      (e) => e,
    );
    expect(err.message).toMatch(/not valid CycloneDX/);
  });
});
