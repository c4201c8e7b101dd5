// Release PR naming and versions: `release-<tag>` branches, the tag read back from a merged branch, the requested version.
import semver from 'semver';
import { CutterError } from '../core/errors.js';
import { type PackageSpec, packageTag, packageTagVersion } from '../core/package-paths.js';
import { formatTag, parseTag } from '../core/tag-format.js';

export const RELEASE_BRANCH_PREFIX = 'release-';
export type BumpRequest = 'major' | 'minor' | 'patch';

/** `v1.4.0` → `release-v1.4.0`: the branch carries the whole tag so a merge needs nothing else to know it. */
export function releaseBranchName(tagFormat: string, version: string, pkg?: string): string {
  return `${RELEASE_BRANCH_PREFIX}${formatTag(tagFormat, { version, ...(pkg ? { package: pkg } : {}) })}`;
}

/** The tag and version a merged `release-*` branch stands for; refused with the reason when it names none. */
export function tagFromReleaseBranch(
  branch: string,
  tagFormat: string,
  pkg?: string,
): { tag: string; version: string } {
  const example = releaseBranchName(tagFormat, '1.4.0', pkg);
  if (!branch.startsWith(RELEASE_BRANCH_PREFIX)) {
    throw new CutterError('CUTTER_REFUSED', `branch "${branch}" is not a release branch`, {
      hint: `release branches are named like ${example}`,
    });
  }
  const tag = branch.slice(RELEASE_BRANCH_PREFIX.length);
  const version = parseTag(tagFormat, tag, pkg);
  if (version === null) {
    throw new CutterError(
      'CUTTER_REFUSED',
      `merged branch "${branch}" does not name a valid version under the tag format "${tagFormat}": nothing was tagged`,
      { hint: `name release branches like ${example} (cutter draft-release does), or tag this release by hand` },
    );
  }
  return { tag, version };
}

/**
 * A monorepo's merged release branch, `release-<package tag>` (`release-api@1.4.0` with the default
 * `{package}@{version}`): the one configured package whose tag it names, with that tag and version. A branch that
 * names no configured package, or no valid version of one, is refused; its name is quoted, never interpreted.
 */
export function packageFromReleaseBranch(
  branch: string,
  packages: readonly PackageSpec[],
): { pkg: PackageSpec; tag: string; version: string } {
  const examples = packages.slice(0, 3).map((p) => `${RELEASE_BRANCH_PREFIX}${packageTag(p, '1.4.0')}`);
  const quoted = JSON.stringify(branch.slice(0, 200));
  if (!branch.startsWith(RELEASE_BRANCH_PREFIX)) {
    throw new CutterError('CUTTER_REFUSED', `branch ${quoted} is not a release branch`, {
      hint: `release branches are named like ${examples.join(' or ')}`,
    });
  }
  const tag = branch.slice(RELEASE_BRANCH_PREFIX.length);
  const named = packages.flatMap((pkg) => {
    const version = packageTagVersion(pkg, tag);
    return version === null ? [] : [{ pkg, tag, version }];
  });
  if (named.length !== 1) {
    const why = named.length === 0 ? 'names no configured package and version' : 'matches several packages';
    throw new CutterError('CUTTER_REFUSED', `merged branch ${quoted} ${why}: nothing was tagged`, {
      hint: `name release branches like ${examples.join(' or ')} (Cutter's release PRs do), or tag this release by hand`,
    });
  }
  return named[0] as { pkg: PackageSpec; tag: string; version: string };
}

/**
 * The version a release PR proposes: `major|minor|patch` bumps `current` (a prerelease `current` is finished by
 * the bump, as `semver.inc` does), an explicit `X.Y.Z` must be above it. No current version: `firstRelease`.
 */
export function requestedVersion(request: string, current: string | null, firstRelease: string): string {
  if (request === 'major' || request === 'minor' || request === 'patch') {
    if (current === null) return firstRelease;
    const next = semver.inc(checkedVersion(current, 'the current version'), request);
    if (next === null) throw new CutterError('CUTTER_INVALID_VERSION', `cannot bump ${current}`);
    return next;
  }
  const wanted = checkedVersion(request.replace(/^v(?=\d)/, ''), 'the requested version');
  if (current !== null && !semver.gt(wanted, checkedVersion(current, 'the current version'))) {
    throw new CutterError('CUTTER_REFUSED', `version ${wanted} is not above the current version ${current}`, {
      hint: 'versions only go up: ask for a higher one, or major|minor|patch',
    });
  }
  return wanted;
}

function checkedVersion(value: string, what: string): string {
  if (!/^\d/.test(value) || semver.valid(value) === null) {
    throw new CutterError('CUTTER_BAD_INPUT', `${what} "${value}" is not major, minor, patch or a SemVer version`, {
      hint: 'e.g. cutter draft-release minor, or cutter draft-release 2.0.0',
    });
  }
  return value;
}
