import { describe, expect, it } from 'vitest';
import { isCutterError } from './errors.js';
import {
  checkPackages,
  commitsForPackage,
  normalizeRepoPath,
  type PackageSpec,
  packagesTouched,
  packageTag,
  packageTagVersion,
  packageVersionFiles,
  pathInPackage,
} from './package-paths.js';

const api: PackageSpec = { name: 'api', path: 'packages/api', exclude: ['docs', 'README.md'] };
const web: PackageSpec = { name: 'web', path: './packages/web/' };

describe('monorepo package paths', () => {
  it('counts only commits that touched the package, whatever their type', () => {
    const commits = [
      { hash: 'a', message: 'feat(web): new page', files: ['packages/web/src/page.tsx'] },
      { hash: 'b', message: 'fix(api): null check', files: ['packages/api/src/handler.ts'] },
      { hash: 'c', message: 'feat: both', files: ['packages/api/x.ts', 'packages/web/y.ts'] },
      { hash: 'd', message: 'chore: empty', files: [] },
    ];
    expect(commitsForPackage(commits, api).map((c) => c.hash)).toEqual(['b', 'c']);
    expect(commitsForPackage(commits, web).map((c) => c.hash)).toEqual(['a', 'c']);
  });

  it('matches whole directory names, not prefixes of them', () => {
    expect(pathInPackage('packages/api/index.ts', api)).toBe(true);
    expect(pathInPackage('packages/apis/index.ts', api)).toBe(false);
    expect(pathInPackage('packages/api', api)).toBe(true);
  });

  it('ignores changes to excluded paths inside the package', () => {
    expect(pathInPackage('packages/api/docs/guide.md', api)).toBe(false);
    expect(pathInPackage('packages/api/README.md', api)).toBe(false);
    expect(pathInPackage('packages/api/README.md.bak', api)).toBe(true);
  });

  it('treats "." as the whole repository', () => {
    expect(pathInPackage('anything/at/all', { name: 'root', path: '.' })).toBe(true);
  });

  it('lists the packages a change touches in configuration order', () => {
    expect(packagesTouched(['packages/web/a', 'packages/api/b'], [api, web])).toEqual(['api', 'web']);
    expect(packagesTouched(['tools/lint.sh'], [api, web])).toEqual([]);
  });

  it('tags each package on its own: api@1.4.0, and reads only its own tags back', () => {
    expect(packageTag(api, '1.4.0')).toBe('api@1.4.0');
    expect(packageTag({ ...web, tagFormat: '{package}-v{version}' }, '2.0.0-rc.1')).toBe('web-v2.0.0-rc.1');
    expect(packageTagVersion(api, 'api@1.4.0')).toBe('1.4.0');
    expect(packageTagVersion(api, 'web@1.4.0')).toBeNull();
  });

  it('places version files inside the package directory', () => {
    const files = packageVersionFiles({
      ...api,
      versionFiles: [{ path: 'package.json' }, { path: './chart/Chart.yaml', appVersion: true }],
    });
    expect(files).toEqual([
      { path: 'packages/api/package.json' },
      { path: 'packages/api/chart/Chart.yaml', appVersion: true },
    ]);
  });

  it('normalizes paths written in different ways', () => {
    expect(normalizeRepoPath('./a//b/')).toBe('a/b');
    expect(normalizeRepoPath('a\\b')).toBe('a/b');
  });
});

describe('bad package lists', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (isCutterError(err)) return `${err.code}: ${err.message}`;
      throw err;
    }
    throw new Error('expected a refusal');
  };

  it('refuses a path that leaves the repository', () => {
    expect(code(() => pathInPackage('x', { name: 'x', path: '../elsewhere' }))).toMatch(
      /CUTTER_CONFIG_INVALID: .*leaves the repository/,
    );
  });
  it('refuses the same package name twice', () => {
    expect(code(() => checkPackages([api, { ...web, name: 'api' }]))).toMatch(/"api" is listed twice/);
  });
  it('refuses several packages sharing a tag format without {package}', () => {
    expect(code(() => checkPackages([api, { ...web, tagFormat: 'v{version}' }]))).toMatch(/without \{package\}/);
  });
  it('refuses a package name that cannot be part of a git tag', () => {
    expect(code(() => checkPackages([{ name: 'bad name..', path: 'x' }]))).toMatch(/CUTTER_INVALID_TAG/);
  });
  it('accepts a valid list', () => {
    expect(() => checkPackages([api, web])).not.toThrow();
  });
});
