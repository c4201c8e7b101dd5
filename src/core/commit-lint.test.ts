import { describe, expect, it } from 'vitest';
import { lintMessage, lintRulesFromConfig } from './commit-lint.js';

const rules = lintRulesFromConfig({});
const rulesOf = (message: string) => lintMessage(message, rules).map((p) => p.rule);

describe('commit lint', () => {
  it('accepts Conventional Commits with scopes, bangs, bodies and breaking footers', () => {
    expect(rulesOf('feat(api): add paging')).toEqual([]);
    expect(rulesOf('fix(api,db)!: drop the v1 endpoint\n\nBREAKING CHANGE: v1 is gone')).toEqual([]);
    expect(rulesOf('chore(deps/dev): bump vitest\n\nBREAKING-CHANGE: node 20 required')).toEqual([]);
  });

  it('leaves git-generated merge and revert headers alone', () => {
    expect(rulesOf('Merge pull request #12 from acme/topic')).toEqual([]);
    expect(rulesOf('Revert "feat: x"\n\nThis reverts commit abc.')).toEqual([]);
  });

  it('knows the types of the bump rules and notes sections from the config', () => {
    expect(rulesOf('deps: bump yaml')).toEqual(['type-unknown']);
    const custom = lintRulesFromConfig({
      bump: { types: { deps: 'patch' } },
      notes: { sections: [{ type: 'security', title: 'Security' }] },
    });
    expect(lintMessage('deps: bump yaml', custom)).toEqual([]);
    expect(lintMessage('security: rotate keys', custom)).toEqual([]);
    expect(custom.types).toContain('feat');
  });

  it('names a header that is not type: subject, with an example', () => {
    const [p] = lintMessage('Add paging to the API', rules);
    expect(p?.rule).toBe('header-format');
    expect(p?.hint).toMatch(/feat\(api\): add paging/);
    expect(rulesOf('feat:add paging')).toEqual(['header-format']);
    expect(rulesOf('feat add paging')).toEqual(['header-format']);
    expect(rulesOf('')).toEqual(['header-format']);
  });

  it('asks for a lower-case type and a valid scope', () => {
    expect(rulesOf('Feat: add paging')).toEqual(['type-case']);
    expect(rulesOf('feat(API Layer): add paging')).toEqual(['scope-format']);
    expect(rulesOf('feat(): add paging')).toEqual(['scope-format']);
  });

  it('refuses an empty subject and a final full stop', () => {
    expect(rulesOf('fix: ')).toEqual(['subject-empty']);
    expect(rulesOf('fix:')).toEqual(['subject-empty']);
    expect(rulesOf('fix: handle nulls.')).toEqual(['subject-full-stop']);
  });

  it('limits the header length', () => {
    const problems = lintMessage(`feat: ${'x'.repeat(120)}`, rules);
    expect(problems.map((p) => p.rule)).toEqual(['header-length']);
    expect(problems[0]?.message).toMatch(/126 characters long \(at most 100\)/);
  });

  it('wants a blank line between header and body', () => {
    expect(rulesOf('fix: nulls\nbody right here')).toEqual(['body-separation']);
  });

  it('flags breaking-change footers that tools would not read', () => {
    expect(rulesOf('feat: x\n\nBreaking change: the API')).toEqual(['breaking-footer']);
    expect(rulesOf('feat: x\n\nBREAKING CHANGES: the API')).toEqual(['breaking-footer']);
    expect(rulesOf('feat: x\n\nBREAKING CHANGE:')).toEqual(['breaking-footer']);
  });

  it('asks to squash fixup commits', () => {
    expect(rulesOf('fixup! feat: add paging')).toEqual(['fixup']);
  });
});
