// Which pushes become releases: every reason a push is skipped, and the push that is not.

import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/defaults.js';
import type { CutterConfig } from '../config/schema.js';
import { configSkipReason, pushSkipReason } from './classify.js';
import type { PushFacts } from './release-data.js';

const SHA = 'a'.repeat(40);
const repo = { owner: 'acme', name: 'connector-x' };
const push = (over: Partial<PushFacts> = {}): PushFacts => ({
  ref: 'refs/heads/main',
  after: SHA,
  headCommit: { message: 'feat: add paging', authorName: 'Dev', authorEmail: 'dev@acme.example' },
  pusher: 'dev',
  ...over,
});
const config = (over: Partial<CutterConfig> = {}): CutterConfig => ({ ...defaultConfig(), ...over });

describe('pushSkipReason', () => {
  it('lets a push to a branch through', () => {
    expect(pushSkipReason(push())).toBeNull();
  });
  it('skips a deleted branch, by flag or by the zero sha', () => {
    expect(pushSkipReason(push({ deleted: true }))).toBe('refs/heads/main was deleted');
    expect(pushSkipReason(push({ after: '0'.repeat(40) }))).toBe('refs/heads/main was deleted');
  });
  it('ignores tag pushes: tags are what a release makes, not what starts one', () => {
    expect(pushSkipReason(push({ ref: 'refs/tags/v1.2.3' }))).toMatch(/^tag push/);
  });
  it('skips refs that are not branches', () => {
    expect(pushSkipReason(push({ ref: 'refs/notes/commits' }))).toBe('refs/notes/commits is not a branch');
  });
});

describe('configSkipReason', () => {
  it('releases a conventional push to main by a person', () => {
    expect(configSkipReason(push(), repo, config(), [])).toBeNull();
  });
  it('skips branches that are not release branches, listing the ones that are', () => {
    expect(configSkipReason(push({ ref: 'refs/heads/feature/x' }), repo, config(), [])).toBe(
      'branch feature/x is not a release branch (branches: main, master, beta, next)',
    );
  });
  it('follows a configured release branch', () => {
    const trunk = config({ branches: [{ name: 'trunk', prerelease: null }] });
    expect(configSkipReason(push({ ref: 'refs/heads/trunk' }), repo, trunk, [])).toBeNull();
    expect(configSkipReason(push(), repo, trunk, [])).toMatch(/^branch main is not a release branch/);
  });
  it('skips repositories excluded by the repository or by the organization, by name or pattern', () => {
    expect(configSkipReason(push(), repo, config({ excludeRepos: ['connector-x'] }), [])).toBe(
      'repository acme/connector-x is excluded (connector-x)',
    );
    expect(configSkipReason(push(), repo, config(), ['acme/connector-*'])).toBe(
      'repository acme/connector-x is excluded (acme/connector-*)',
    );
  });
  it('skips the merge of a release PR, which its pull_request event releases, but not other merges', () => {
    const merged = (message: string) => push({ headCommit: { message, authorName: 'Dev' } });
    const reason = /merges a release PR/;
    expect(configSkipReason(merged('Merge pull request #7 from acme/release-v1.4.0\n\nx'), repo, config(), [])).toMatch(
      reason,
    );
    expect(configSkipReason(merged('chore(release): v1.4.0 (#7)'), repo, config(), [])).toMatch(reason);
    expect(
      configSkipReason(merged('Merge pull request #8 from acme/feature-x\n\nfeat: x'), repo, config(), []),
    ).toBeNull();
  });
  it('skips pushes whose head commit a bot wrote, or an ignored author', () => {
    const bot = push({ headCommit: { message: 'chore(deps): bump', authorName: 'dependabot[bot]' } });
    expect(configSkipReason(bot, repo, config(), [])).toMatch(
      /^pushed by a bot or ignored author \(dependabot\[bot\]\)/,
    );
    expect(configSkipReason(push({ senderType: 'Bot' }), repo, config(), [])).toMatch(/^pushed by a bot/);
    const ignoring = config({ ignoreAuthors: ['*@ci.acme.example'] });
    const ci = push({ headCommit: { message: 'feat: x', authorName: 'CI', authorEmail: 'runner@ci.acme.example' } });
    expect(configSkipReason(ci, repo, ignoring, [])).toMatch(/ignored author \(CI\)/);
  });
  it('skips a head commit that says [skip release] or [release skip], any case', () => {
    for (const message of ['feat: x [skip release]', 'fix: y\n\n[Release Skip]']) {
      expect(configSkipReason(push({ headCommit: { message } }), repo, config(), [])).toBe(
        'the head commit says [skip release]',
      );
    }
  });
});
