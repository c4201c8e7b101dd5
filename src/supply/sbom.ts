// CycloneDX SBOMs: from an npm lockfile, or from a configured command for other stacks (validated: sbom-schema.ts).

import { spawn } from 'node:child_process';
import * as CDX from '@cyclonedx/cyclonedx-library';
import { PackageURL } from 'packageurl-js';
import { CutterError } from '../core/errors.js';
import { assertValidSbom } from './sbom-schema.js';

const SPEC = CDX.Spec.Spec1dot6;

interface LockEntry {
  name?: string;
  version?: string;
  integrity?: string;
  license?: string;
  dev?: boolean;
  link?: boolean;
}

function lockPackages(lockText: string): Record<string, LockEntry> {
  let lock: { lockfileVersion?: number; packages?: Record<string, LockEntry> };
  try {
    lock = JSON.parse(lockText);
  } catch (err) {
    throw new CutterError('CUTTER_BAD_INPUT', `package-lock.json is not JSON: ${(err as Error).message}`);
  }
  if (!lock.packages || typeof lock.packages !== 'object') {
    throw new CutterError('CUTTER_BAD_INPUT', 'package-lock.json has no "packages" map (lockfileVersion 2 or 3)', {
      hint: 'regenerate it with npm 7 or later: npm install --package-lock-only',
    });
  }
  return lock.packages;
}

/** `sha512-<base64>` (npm's integrity) → a CycloneDX hash. */
function hashOf(integrity: string | undefined): [CDX.Enums.HashAlgorithm, string] | null {
  const m = /^(sha512|sha384|sha256|sha1)-([A-Za-z0-9+/=]+)$/.exec(integrity?.split(' ')[0] ?? '');
  if (!m?.[1] || !m[2]) return null;
  const algorithm = {
    sha512: CDX.Enums.HashAlgorithm['SHA-512'],
    sha384: CDX.Enums.HashAlgorithm['SHA-384'],
    sha256: CDX.Enums.HashAlgorithm['SHA-256'],
    sha1: CDX.Enums.HashAlgorithm['SHA-1'],
  }[m[1] as 'sha512'];
  return [algorithm, Buffer.from(m[2], 'base64').toString('hex')];
}

/** One component per installed package (production and dev, dev ones marked), with purl and integrity hash. */
export function sbomFromLockfile(
  lockText: string,
  subject: { name: string; version: string; includeDev?: boolean },
): string {
  const packages = lockPackages(lockText);
  const bom = new CDX.Models.Bom();
  bom.metadata.component = new CDX.Models.Component(CDX.Enums.ComponentType.Application, subject.name, {
    version: subject.version,
    bomRef: `${subject.name}@${subject.version}`,
  });
  bom.metadata.tools.components.add(
    new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'cutter', { group: 'cutter' }),
  );
  const seen = new Set<string>();
  for (const [path, entry] of Object.entries(packages)) {
    if (path === '' || entry.link || !entry.version) continue;
    if (entry.dev && !subject.includeDev) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const key = `${name}@${entry.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const [scope, bare] = name.startsWith('@') ? (name.split('/', 2) as [string, string]) : [undefined, name];
    const component = new CDX.Models.Component(CDX.Enums.ComponentType.Library, bare, {
      ...(scope ? { group: scope } : {}),
      version: entry.version,
      bomRef: key,
      purl: new PackageURL('npm', scope ?? null, bare, entry.version, null, null).toString(),
    });
    const hash = hashOf(entry.integrity);
    if (hash) component.hashes.set(hash[0], hash[1]);
    if (entry.license) component.licenses.add(new CDX.Models.NamedLicense(entry.license));
    if (entry.dev) component.scope = CDX.Enums.ComponentScope.Optional;
    bom.components.add(component);
  }
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(SPEC));
  return serializer.serialize(bom, { sortLists: true, space: 2 });
}

/** Run a configured generator (argument array, no shell) and take its stdout as the SBOM. */
export async function sbomFromCommand(
  command: string[],
  options: { cwd: string; timeoutMs?: number },
): Promise<string> {
  const [file, ...args] = command;
  if (!file) throw new CutterError('CUTTER_CONFIG_INVALID', 'supply.sbom.command is empty');
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-500);
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new CutterError('CUTTER_CONFIG_INVALID', `cannot run SBOM command ${file}: ${err.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(chunks).toString('utf8'));
      else
        reject(
          new CutterError(
            'CUTTER_BAD_INPUT',
            `SBOM command ${file} exited ${code}: ${stderr.trim().split('\n').pop()}`,
          ),
        );
    });
  });
  await assertValidSbom(out, `command ${file}`);
  return out;
}
