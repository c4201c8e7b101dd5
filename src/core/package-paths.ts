// Monorepo packages: which package a path belongs to, which commits count toward a package, and its tag name.
import { CutterError } from './errors.js';
import { formatTag, parseTag } from './tag-format.js';
import type { VersionFileSpec } from './version-files/index.js';

export const DEFAULT_PACKAGE_TAG_FORMAT = '{package}@{version}';

/** A version file of a package; `path` is relative to the package directory. */
export interface PackageVersionFile extends VersionFileSpec {
  path: string;
}

export interface PackageSpec {
  name: string;
  /** The package directory relative to the repository root (`packages/api`); `.` is the whole repository. */
  path: string;
  /** Paths under `path` whose changes never bump the package (`docs`, `README.md`). */
  exclude?: readonly string[];
  tagFormat?: string;
  versionFiles?: readonly PackageVersionFile[];
}

/** `./packages//api/` → `packages/api`; the repository root is the empty string. */
export function normalizeRepoPath(path: string): string {
  const parts = path
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new CutterError('CUTTER_CONFIG_INVALID', `package path "${path}" leaves the repository`, {
      hint: 'package paths are relative to the repository root, without ..',
    });
  }
  return parts.join('/');
}

/** True when `dir` is `file` itself or one of its parent directories (`packages/a` holds `packages/a/x`, not `packages/ab`). */
function under(file: string, dir: string): boolean {
  return dir === '' || file === dir || file.startsWith(`${dir}/`);
}

/** Does a change to `file` (repository-relative) belong to `pkg`? */
export function pathInPackage(file: string, pkg: PackageSpec): boolean {
  const root = normalizeRepoPath(pkg.path);
  const f = normalizeRepoPath(file);
  if (!under(f, root)) return false;
  return !(pkg.exclude ?? []).some((ex) => under(f, normalizeRepoPath(root === '' ? ex : `${root}/${ex}`)));
}

/**
 * The commits that count toward `pkg`: those that changed at least one of its paths. A commit outside the package
 * does not bump it, whatever its type; a commit with no file list (an empty commit) counts for none.
 */
export function commitsForPackage<T extends { files: readonly string[] }>(
  commits: readonly T[],
  pkg: PackageSpec,
): T[] {
  return commits.filter((c) => c.files.some((f) => pathInPackage(f, pkg)));
}

/** The names of the packages a set of changed paths touches, in configuration order. */
export function packagesTouched(files: readonly string[], packages: readonly PackageSpec[]): string[] {
  return packages.filter((p) => files.some((f) => pathInPackage(f, p))).map((p) => p.name);
}

/** The package's tag for `version` (`api@1.4.0` by default). */
export function packageTag(pkg: PackageSpec, version: string): string {
  return formatTag(pkg.tagFormat ?? DEFAULT_PACKAGE_TAG_FORMAT, { version, package: pkg.name });
}

/** The version a tag names for this package, or null when the tag belongs to another package or none. */
export function packageTagVersion(pkg: PackageSpec, tag: string): string | null {
  return parseTag(pkg.tagFormat ?? DEFAULT_PACKAGE_TAG_FORMAT, tag, pkg.name);
}

/** The package's version files with repository-relative paths, ready for `editorFor`. */
export function packageVersionFiles(pkg: PackageSpec): PackageVersionFile[] {
  const root = normalizeRepoPath(pkg.path);
  return (pkg.versionFiles ?? []).map((f) => {
    const rel = normalizeRepoPath(f.path);
    return { ...f, path: root === '' ? rel : `${root}/${rel}` };
  });
}

/**
 * Refuse package lists that would make tags collide: duplicate names, or two packages sharing one tag template
 * without `{package}` in it.
 */
export function checkPackages(packages: readonly PackageSpec[]): void {
  const seen = new Set<string>();
  for (const p of packages) {
    normalizeRepoPath(p.path);
    if (seen.has(p.name)) {
      throw new CutterError('CUTTER_CONFIG_INVALID', `package "${p.name}" is listed twice`, {
        hint: 'each package needs its own name: it is part of its tags',
      });
    }
    seen.add(p.name);
    const format = p.tagFormat ?? DEFAULT_PACKAGE_TAG_FORMAT;
    if (packages.length > 1 && !format.includes('{package}')) {
      throw new CutterError(
        'CUTTER_CONFIG_INVALID',
        `package "${p.name}" has tag format "${format}" without {package}`,
        {
          hint: 'with several packages each tag must name its package, e.g. {package}@{version} or {package}-v{version}',
        },
      );
    }
    // Fails early with CUTTER_INVALID_TAG when the name cannot be part of a git ref.
    packageTag(p, '0.0.0');
  }
}
