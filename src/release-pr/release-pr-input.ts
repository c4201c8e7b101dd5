// What a release PR is drafted from, read from the config: the repository's or one monorepo package's tag format,
// version files, changelog and commits. PR mode on push and `cutter draft-release [--package]` both use it.
import type { CutterConfig } from '../config/schema.js';
import { CutterError } from '../core/errors.js';
import {
  commitsForPackage,
  DEFAULT_PACKAGE_TAG_FORMAT,
  normalizeRepoPath,
  type PackageSpec,
  packageVersionFiles,
} from '../core/package-paths.js';
import type { RawCommit } from '../core/types.js';
import type { GitHubClient } from '../github/client.js';
import { withCommitFiles } from '../github/commit-files.js';
import type { RepoRef } from '../github/repo-api.js';
import { CHANGELOG_PATH, type DraftReleaseInput } from './draft-release.js';

export type ReleasePrInput = Pick<
  DraftReleaseInput,
  'tagFormat' | 'package' | 'firstRelease' | 'versionFiles' | 'changelogPath' | 'selectCommits' | 'notes'
>;

/**
 * The config's part of a draft-release input. For a package: its `{package}@{version}` tags, its version files
 * (paths under its directory), its own CHANGELOG.md in its directory, and only the commits that touched it.
 */
export function releasePrInput(
  gh: GitHubClient,
  repo: RepoRef,
  config: CutterConfig,
  pkg: PackageSpec | null,
): ReleasePrInput {
  const common = {
    firstRelease: config.firstRelease,
    notes: { ...(config.notes.sections ? { sections: config.notes.sections } : {}) },
  };
  if (!pkg) {
    return {
      ...common,
      tagFormat: config.tagFormat,
      ...(config.package ? { package: config.package } : {}),
      versionFiles: config.versionFiles,
    };
  }
  const root = normalizeRepoPath(pkg.path);
  return {
    ...common,
    tagFormat: pkg.tagFormat ?? DEFAULT_PACKAGE_TAG_FORMAT,
    package: pkg.name,
    versionFiles: packageVersionFiles(pkg),
    changelogPath: root === '' ? CHANGELOG_PATH : `${root}/${CHANGELOG_PATH}`,
    selectCommits: async (commits: RawCommit[]) => commitsForPackage(await withCommitFiles(gh, repo, commits), pkg),
  };
}

/** The configured package named `name` (`--package`); refused, naming the configured ones, when there is none. */
export function configuredPackage(config: CutterConfig, name: string, repo: RepoRef): PackageSpec {
  const where = `${repo.owner}/${repo.name}`;
  if (config.packages.length === 0) {
    throw new CutterError('CUTTER_BAD_INPUT', `--package ${JSON.stringify(name)}: ${where} configures no packages`, {
      hint: 'leave --package out to draft the repository release, or list the packages under packages: in .cutter.yml',
    });
  }
  const pkg = config.packages.find((p) => p.name === name);
  if (!pkg) {
    throw new CutterError('CUTTER_BAD_INPUT', `--package ${JSON.stringify(name)} is not a package of ${where}`, {
      hint: `configured packages: ${config.packages.map((p) => p.name).join(', ')}`,
    });
  }
  return pkg;
}
