import { describe, expect, it } from 'vitest';
import { isCutterError } from '../core/errors.js';
import {
  packageFromReleaseBranch,
  releaseBranchName,
  requestedVersion,
  tagFromReleaseBranch,
} from './release-branch.js';

const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (isCutterError(err)) return err.toLine();
    throw err;
  }
  throw new Error('expected a refusal');
};

describe('release branch names', () => {
  it('carries the whole tag: release-v1.4.0, release-api@2.0.0-rc.1', () => {
    expect(releaseBranchName('v{version}', '1.4.0')).toBe('release-v1.4.0');
    expect(releaseBranchName('{package}@{version}', '2.0.0-rc.1', 'api')).toBe('release-api@2.0.0-rc.1');
  });

  it('reads the tag back from a merged branch', () => {
    expect(tagFromReleaseBranch('release-v1.4.0', 'v{version}')).toEqual({ tag: 'v1.4.0', version: '1.4.0' });
    expect(tagFromReleaseBranch('release-t2.0.0', 't{version}')).toEqual({ tag: 't2.0.0', version: '2.0.0' });
    expect(tagFromReleaseBranch('release-api@1.0.0', '{package}@{version}', 'api').version).toBe('1.0.0');
  });

  it('refuses a branch that names no valid version, saying how release branches are named', () => {
    expect(refused(() => tagFromReleaseBranch('release-v1.4', 'v{version}'))).toMatch(
      /CUTTER_REFUSED: merged branch "release-v1.4" does not name a valid version.*release-v1.4.0/,
    );
    expect(refused(() => tagFromReleaseBranch('release-next', 'v{version}'))).toMatch(/"release-next"/);
    expect(refused(() => tagFromReleaseBranch('release-web@1.0.0', '{package}@{version}', 'api'))).toMatch(
      /release-api@1.4.0/,
    );
  });

  it('refuses a branch that is not a release branch at all', () => {
    expect(refused(() => tagFromReleaseBranch('feature/x', 'v{version}'))).toMatch(/not a release branch/);
  });
});

describe('package release branches', () => {
  const packages = [
    { name: 'api', path: 'packages/api' },
    { name: 'web', path: 'packages/web', tagFormat: '{package}-v{version}' },
  ];

  it('reads the package, tag and version back from release-<package tag>', () => {
    expect(packageFromReleaseBranch('release-api@1.4.0', packages)).toMatchObject({
      pkg: { name: 'api' },
      tag: 'api@1.4.0',
      version: '1.4.0',
    });
    expect(packageFromReleaseBranch('release-web-v2.0.0-rc.1', packages)).toMatchObject({
      pkg: { name: 'web' },
      version: '2.0.0-rc.1',
    });
  });

  it('refuses a branch naming no configured package, or hostile names, quoting them and naming the pattern', () => {
    expect(refused(() => packageFromReleaseBranch('release-cli@1.0.0', packages))).toMatch(
      /CUTTER_REFUSED: merged branch "release-cli@1.0.0" names no configured package.*release-api@1.4.0/,
    );
    for (const hostile of [
      'release-../api@1.0.0',
      'release-api@1.0.0\nrm -rf /',
      'release-api@1.0',
      'release-@1.0.0',
    ]) {
      expect(refused(() => packageFromReleaseBranch(hostile, packages))).toContain(JSON.stringify(hostile));
    }
    expect(refused(() => packageFromReleaseBranch('feature/api@1.0.0', packages))).toMatch(/not a release branch/);
  });
});

describe('the requested version', () => {
  it('bumps the current version by the requested level', () => {
    expect(requestedVersion('major', '1.2.3', '1.0.0')).toBe('2.0.0');
    expect(requestedVersion('minor', '1.2.3', '1.0.0')).toBe('1.3.0');
    expect(requestedVersion('patch', '1.2.3', '1.0.0')).toBe('1.2.4');
  });
  it('finishes a prerelease line with the bump that contains it', () => {
    expect(requestedVersion('minor', '1.3.0-beta.2', '1.0.0')).toBe('1.3.0');
  });
  it('starts at the first release when nothing was released yet', () => {
    expect(requestedVersion('minor', null, '0.1.0')).toBe('0.1.0');
  });
  it('takes an explicit version above the current one, with or without a v', () => {
    expect(requestedVersion('2.0.0', '1.2.3', '1.0.0')).toBe('2.0.0');
    expect(requestedVersion('v1.2.4', '1.2.3', '1.0.0')).toBe('1.2.4');
  });
  it('refuses an explicit version that does not go up', () => {
    expect(refused(() => requestedVersion('1.2.3', '1.2.3', '1.0.0'))).toMatch(/not above the current version/);
  });
  it('refuses a request that is neither a level nor a version', () => {
    expect(refused(() => requestedVersion('huge', '1.2.3', '1.0.0'))).toMatch(/CUTTER_BAD_INPUT: .*"huge"/);
    expect(refused(() => requestedVersion('1.2', '1.2.3', '1.0.0'))).toMatch(/"1.2"/);
  });
});
