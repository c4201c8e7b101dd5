import { describe, expect, it } from 'vitest';
import { ignoredAuthorFilter } from './author-filter.js';
import { matchBranch } from './branch-channel.js';
import { defaultConfig } from './defaults.js';
import { namePatternMatches } from './name-pattern.js';

const branches = defaultConfig().branches;

describe('matchBranch', () => {
  it('releases main as stable and beta on the beta channel', () => {
    expect(matchBranch(branches, 'main')).toEqual({ branch: { name: 'main', prerelease: null }, prerelease: null });
    expect(matchBranch(branches, 'beta').prerelease).toBe('beta');
    expect(matchBranch(branches, 'next').prerelease).toBe('rc');
  });

  it('does not release other branches', () => {
    expect(matchBranch(branches, 'feature/x')).toEqual({ branch: null, prerelease: null });
  });

  it('releases a detached HEAD (a CI checkout) on the first stable branch', () => {
    expect(matchBranch(branches, null).branch?.name).toBe('main');
  });

  it('matches wildcard branch names such as release/*', () => {
    const custom = [{ name: 'release/*', prerelease: null, range: '1.x' }];
    expect(matchBranch(custom, 'release/1.x').branch?.range).toBe('1.x');
    expect(matchBranch(custom, 'main').branch).toBeNull();
  });
});

describe('namePatternMatches', () => {
  it('treats only * as a wildcard; dots and brackets are literal', () => {
    expect(namePatternMatches('connector-*', 'connector-salesforce')).toBe(true);
    expect(namePatternMatches('connector-*', 'my-connector-x')).toBe(false);
    expect(namePatternMatches('v1.x', 'v1ax')).toBe(false);
    expect(namePatternMatches('*[bot]', 'renovate[bot]')).toBe(true);
    expect(namePatternMatches('*[bot]', 'renovateb')).toBe(false);
  });
});

describe('ignoredAuthorFilter', () => {
  it('matches bot names or e-mails, ignoring case', () => {
    const ignored = ignoredAuthorFilter(['*[bot]', 'ci@acme.test']);
    expect(ignored('dependabot[bot]', '49699333+dependabot[bot]@users.noreply.github.com')).toBe(true);
    expect(ignored('CI', 'CI@acme.test')).toBe(true);
    expect(ignored('Ada', 'ada@acme.test')).toBe(false);
  });

  it('ignores nobody by default', () => {
    expect(ignoredAuthorFilter([])('dependabot[bot]', undefined)).toBe(false);
  });
});
