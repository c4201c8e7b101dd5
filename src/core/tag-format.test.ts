import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { isCutterError } from './errors.js';
import { DEFAULT_TAG_TEMPLATE, formatTag, parseTag, pickLatestTag, tagNameProblem } from './tag-format.js';

const expectCutterError = (fn: () => unknown, code: string, message?: RegExp): void => {
  try {
    fn();
    expect.unreachable();
  } catch (err) {
    expect(isCutterError(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    if (message) expect((err as Error).message).toMatch(message);
  }
};

describe('formatTag', () => {
  it('renders the default, bare, site (t-prefixed) and package templates', () => {
    expect(DEFAULT_TAG_TEMPLATE).toBe('v{version}');
    expect(formatTag('v{version}', { version: '1.2.3' })).toBe('v1.2.3');
    expect(formatTag('{version}', { version: '1.3.0-beta.1' })).toBe('1.3.0-beta.1');
    expect(formatTag('t{version}', { version: '4.0.0' })).toBe('t4.0.0');
    expect(formatTag('{package}@{version}', { version: '2.0.0', package: '@acme/ui' })).toBe('@acme/ui@2.0.0');
  });

  it('keeps build metadata', () => {
    expect(formatTag('v{version}', { version: '1.2.3+build.7' })).toBe('v1.2.3+build.7');
  });

  it('rejects a version that is not SemVer', () => {
    expectCutterError(() => formatTag('v{version}', { version: 'v1.2.3' }), 'CUTTER_INVALID_VERSION');
    expectCutterError(() => formatTag('v{version}', { version: '1.2' }), 'CUTTER_INVALID_VERSION');
  });

  it('rejects templates without exactly one {version} or with unknown placeholders', () => {
    expectCutterError(() => formatTag('release', { version: '1.0.0' }), 'CUTTER_INVALID_TAG');
    expectCutterError(() => formatTag('{version}-{version}', { version: '1.0.0' }), 'CUTTER_INVALID_TAG');
    expectCutterError(() => formatTag('{name}-{version}', { version: '1.0.0' }), 'CUTTER_INVALID_TAG');
  });

  it('asks for a package name when the template has {package}', () => {
    expectCutterError(() => formatTag('{package}@{version}', { version: '1.0.0' }), 'CUTTER_INVALID_TAG', /package/);
  });

  it.each([
    ['a space', 'my pkg', /a space/],
    ['..', 'a..b', /"\.\."/],
    ['~', 'a~b', /"~"/],
    ['^', 'a^b', /"\^"/],
    [':', 'a:b', /":"/],
    ['?', 'a?b', /"\?"/],
    ['*', 'a*b', /"\*"/],
    ['[', 'a[b', /"\["/],
    ['\\', 'a\\b', /"\\"/],
    ['a control character', 'a\u0001b', /control character/],
    ['a leading -', '-rf', /starts with "-"/],
    ['.lock at the end', 'x.lock', /\.lock/],
    ['@{', 'a@{b', /@\{/],
    ['a leading dot', '.hidden', /starts with "\."/],
  ])('refuses a tag name containing %s', (_what, pkg, message) => {
    const template = pkg === 'x.lock' ? '{version}/{package}' : '{package}@{version}';
    expectCutterError(() => formatTag(template, { version: '1.0.0', package: pkg }), 'CUTTER_INVALID_TAG', message);
  });

  it('accepts shell metacharacters git allows, since tags are passed as argument arrays', () => {
    expect(formatTag('{package}@{version}', { version: '1.0.0', package: '$(rm);&|`x`' })).toBe('$(rm);&|`x`@1.0.0');
  });
});

describe('tagNameProblem', () => {
  it('accepts ordinary names and names with slashes', () => {
    expect(tagNameProblem('v1.2.3')).toBeNull();
    expect(tagNameProblem('release/v1.2.3')).toBeNull();
  });

  it('explains empty names, trailing dots and empty components', () => {
    expect(tagNameProblem('')).toBe('it is empty');
    expect(tagNameProblem('v1.')).toBe('it ends with "."');
    expect(tagNameProblem('a//b')).toBe('it has an empty path component');
    expect(tagNameProblem('@')).toBe('it is "@"');
  });
});

describe('parseTag', () => {
  it('reads the version from each template', () => {
    expect(parseTag('v{version}', 'v1.2.3')).toBe('1.2.3');
    expect(parseTag('{version}', '1.2.3-rc.1')).toBe('1.2.3-rc.1');
    expect(parseTag('t{version}', 't0.9.0')).toBe('0.9.0');
    expect(parseTag('{package}@{version}', '@acme/ui@2.0.0', '@acme/ui')).toBe('2.0.0');
    expect(parseTag('{package}@{version}', '@acme/ui@2.0.0')).toBe('2.0.0');
  });

  it('returns null for foreign tags', () => {
    for (const tag of ['latest', 'release-2020', 'v1.2', 'v1.2.3.4', 'v01.2.3', '1.2.3', 'vv1.2.3', 't1.2.3']) {
      expect(parseTag('v{version}', tag)).toBeNull();
    }
    expect(parseTag('{version}', 'v1.2.3')).toBeNull();
  });

  it("returns null for another package's tag", () => {
    expect(parseTag('{package}@{version}', 'core@1.0.0', 'ui')).toBeNull();
  });

  it('treats regex characters in the template literally', () => {
    expect(parseTag('rel.v{version}', 'relXv1.0.0')).toBeNull();
    expect(parseTag('rel.v{version}', 'rel.v1.0.0')).toBe('1.0.0');
  });
});

describe('pickLatestTag', () => {
  it('picks by SemVer order, not by name or position, and reports foreign tags', () => {
    const latest = pickLatestTag(
      ['v1.10.0', 'latest', 'v1.9.0', 'v1.2.3', 'release-2020', 'v2.0.0-beta.1'],
      'v{version}',
    );
    expect(latest).toEqual({ tag: 'v1.10.0', version: '1.10.0', foreign: ['latest', 'release-2020'] });
  });

  it('includes prereleases only when asked', () => {
    const tags = ['v1.2.0', 'v1.3.0-beta.2', 'v1.3.0-beta.10'];
    expect(pickLatestTag(tags, 'v{version}')?.tag).toBe('v1.2.0');
    expect(pickLatestTag(tags, 'v{version}', { includePrerelease: true })?.tag).toBe('v1.3.0-beta.10');
  });

  it('ranks a stable release above its own prereleases', () => {
    expect(pickLatestTag(['v1.3.0-rc.1', 'v1.3.0'], 'v{version}', { includePrerelease: true })?.tag).toBe('v1.3.0');
  });

  it('stays inside a maintenance range', () => {
    expect(pickLatestTag(['v1.2.9', 'v1.3.0', 'v2.0.0'], 'v{version}', { range: '1.2.x' })?.tag).toBe('v1.2.9');
  });

  it("picks one package's tags in a monorepo", () => {
    const tags = ['ui@3.0.0', 'core@1.4.0', 'core@1.10.0'];
    expect(pickLatestTag(tags, '{package}@{version}', { pkg: 'core' })).toEqual({
      tag: 'core@1.10.0',
      version: '1.10.0',
      foreign: ['ui@3.0.0'],
    });
  });

  it('returns null when no tag matches', () => {
    expect(pickLatestTag([], 'v{version}')).toBeNull();
    expect(pickLatestTag(['latest'], 'v{version}')).toBeNull();
  });

  it('is deterministic when two tags have the same precedence', () => {
    expect(pickLatestTag(['v1.0.0+b', 'v1.0.0+a'], 'v{version}')?.tag).toBe('v1.0.0+a');
  });

  it('rejects a range that is not a semver range', () => {
    expectCutterError(() => pickLatestTag(['v1.0.0'], 'v{version}', { range: 'not a range' }), 'CUTTER_BAD_INPUT');
  });

  it('handles 100k tags in one pass', () => {
    const tags: string[] = [];
    for (let i = 0; i < 100_000; i++) tags.push(i % 10 === 0 ? `build-${i}` : `v${i % 97}.${i % 89}.${i}`);
    tags.push('v97.0.0');
    const start = performance.now();
    const latest = pickLatestTag(tags, 'v{version}');
    const elapsed = performance.now() - start;
    expect(latest?.tag).toBe('v97.0.0');
    expect(latest?.foreign).toHaveLength(10_000);
    // ~60 ms in plain Node; the bound only catches an accidental sort or quadratic scan on a busy machine.
    expect(elapsed).toBeLessThan(5_000);
  });
});

describe('pickLatestTag: agrees with a full SemVer sort', () => {
  it('picks the same tag as sorting every version, with prereleases and foreign tags mixed in', () => {
    const version = fc
      .tuple(
        fc.nat(20),
        fc.nat(20),
        fc.nat(20),
        fc.option(fc.tuple(fc.constantFrom('alpha', 'beta', 'rc'), fc.nat(12)), { nil: null }),
      )
      .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre[0]}.${pre[1]}` : ''}`);
    const tag = fc.oneof(
      { arbitrary: version.map((v) => `v${v}`), weight: 5 },
      { arbitrary: fc.constantFrom('latest', 'release-2020', 'v1.2', 'nightly'), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(tag, { maxLength: 40 }), fc.boolean(), (tags, includePrerelease) => {
        const unique = [...new Set(tags)];
        const candidates = unique
          .filter((t) => parseTag('v{version}', t) !== null)
          .map((t) => t.slice(1))
          .filter((v) => includePrerelease || semver.prerelease(v) === null);
        const expected = candidates.length === 0 ? null : `v${semver.rsort(candidates)[0]}`;
        expect(pickLatestTag(unique, 'v{version}', { includePrerelease })?.tag ?? null).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
