// What the supply steps read besides the task: the parsed section, the trusted keys, the SBOM and the registry client.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { CutterError } from '../core/errors.js';
import type { GitHubClient } from '../github/client.js';
import { readRepoFile } from '../github/repo-api.js';
import { type KeylessTrust, trustMaterialFromJSON } from '../supply/keyless.js';
import { createRegistryClient, type RegistryClient, type RegistryClientOptions } from '../supply/registry-client.js';
import { sbomFromCommand, sbomFromLockfile } from '../supply/sbom.js';
import { loadSigningKey } from '../supply/signing-key.js';
import { parseSupplySection, type SupplySection } from '../supply/supply-config.js';
import { type TrustedKeys, trustedKeys } from '../supply/verify-bundle.js';
import { checkout } from './artifact-build.js';
import type { RepoRef } from './release-data.js';

export function supplySectionOf(raw: unknown, source: string | null | undefined): SupplySection {
  return parseSupplySection(raw, source ?? '.cutter.yml');
}

/** The registry the section allows (plain HTTP only for loopback and the hosts it names); deps may tune retries. */
export function registryFor(section: SupplySection, options: Omit<RegistryClientOptions, 'plainHttpHosts'> = {}) {
  return createRegistryClient({ ...options, plainHttpHosts: section.plainHttpHosts });
}

export type { RegistryClient };

/**
 * The keys signatures must verify against: `supply.publicKeys` (repository files read at `ref`, or absolute paths on
 * this host); without any, the public half of the configured signing key.
 */
export async function trustedKeysFor(
  gh: GitHubClient | undefined,
  repo: RepoRef,
  ref: string,
  section: SupplySection,
  env: Record<string, string | undefined>,
): Promise<TrustedKeys> {
  const pems: { from: string; pem: string }[] = [];
  for (const path of section.publicKeys) {
    const pem = isAbsolute(path)
      ? await readFile(path, 'utf8').catch(() => null)
      : gh && repo.owner
        ? await readRepoFile(gh, repo, path, ref)
        : null;
    if (pem === null) {
      throw new CutterError(
        'CUTTER_CONFIG_INVALID',
        `supply.publicKeys: ${path} is not ${isAbsolute(path) ? 'readable on this host' : `in ${repo.owner}/${repo.name} at ${ref.slice(0, 7)}`}`,
        { hint: 'commit the PEM public key at that path, or fix the path in .cutter.yml' },
      );
    }
    pems.push({ from: path, pem });
  }
  if (pems.length === 0 && section.signingKey) {
    pems.push({ from: 'supply.signingKey', pem: (await loadSigningKey(section.signingKey, env)).publicKeyPem });
  }
  const keyless = section.keyless ? await keylessTrustFor(gh, repo, ref, section.keyless) : undefined;
  if (pems.length === 0 && !keyless) {
    throw new CutterError('CUTTER_CONFIG_INVALID', 'supply.publicKeys is empty: there is no key to verify against', {
      hint: 'list the PEM public keys that sign releases under supply.publicKeys',
    });
  }
  for (const { from, pem } of pems) {
    try {
      trustedKeys([pem]);
    } catch {
      throw new CutterError('CUTTER_CONFIG_INVALID', `supply.publicKeys: ${from} is not a PEM public key`);
    }
  }
  return trustedKeys(
    pems.map((p) => p.pem),
    keyless,
  );
}

/** `supply.keyless`: the trusted root (a file on this host, or in the repository at `ref`) and the identity to accept. */
async function keylessTrustFor(
  gh: GitHubClient | undefined,
  repo: RepoRef,
  ref: string,
  keyless: NonNullable<SupplySection['keyless']>,
): Promise<KeylessTrust> {
  const path = keyless.trustedRoot;
  const text = isAbsolute(path)
    ? await readFile(path, 'utf8').catch(() => null)
    : gh && repo.owner
      ? await readRepoFile(gh, repo, path, ref)
      : null;
  if (text === null) {
    throw new CutterError('CUTTER_CONFIG_INVALID', `supply.keyless.trustedRoot: ${path} is not readable`, {
      hint: "commit the Sigstore instance's trusted_root.json at that path, or give an absolute path on this host",
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CutterError('CUTTER_CONFIG_INVALID', `supply.keyless.trustedRoot: ${path} is not JSON`);
  }
  return {
    material: trustMaterialFromJSON(json, `supply.keyless.trustedRoot ${path}`),
    identity: keyless.identity,
    issuer: keyless.issuer,
  };
}

/** The release's CycloneDX SBOM: the configured command's output in a checkout of the tag, else the npm lockfile. */
export async function releaseSbom(
  gh: GitHubClient,
  repo: RepoRef,
  release: { tag: string; sha: string; name: string; version: string },
  section: SupplySection,
): Promise<string> {
  const command = section.sbom?.command;
  if (command) {
    const dir = await mkdtemp(join(tmpdir(), 'cutter-sbom-'));
    try {
      await checkout(gh, repo, release.tag, dir);
      return await sbomFromCommand(command, { cwd: dir });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const lockfile = section.sbom?.lockfile ?? 'package-lock.json';
  const lock = await readRepoFile(gh, repo, lockfile, release.sha);
  if (lock === null) {
    throw new CutterError(
      'CUTTER_CONFIG_INVALID',
      `no ${lockfile} in ${repo.owner}/${repo.name} at ${release.sha.slice(0, 7)} to build the SBOM from`,
      { hint: 'set supply.sbom.command (a program that prints CycloneDX JSON) or supply.sbom.lockfile in .cutter.yml' },
    );
  }
  return sbomFromLockfile(lock, {
    name: release.name,
    version: release.version,
    includeDev: section.sbom?.includeDev ?? false,
  });
}
