import { describe, expect, it } from 'vitest';
import { DEFAULT_BUMP_RULES, mergeBumpRules } from './bump-rules.js';

describe('bump rules table', () => {
  it('defaults to feat → minor, fix/perf → patch and nothing for housekeeping types', () => {
    expect(DEFAULT_BUMP_RULES.types).toMatchObject({ feat: 'minor', fix: 'patch', perf: 'patch' });
    for (const type of ['docs', 'style', 'test', 'ci', 'chore', 'build', 'refactor', 'revert']) {
      expect(DEFAULT_BUMP_RULES.types[type]).toBe('none');
    }
    expect(DEFAULT_BUMP_RULES).toMatchObject({
      defaultPatch: false,
      preMajorBreaking: 'minor',
      preMajorFeature: 'minor',
    });
  });

  it('cannot be changed by accident at run time', () => {
    expect(Object.isFrozen(DEFAULT_BUMP_RULES)).toBe(true);
    expect(Object.isFrozen(DEFAULT_BUMP_RULES.types)).toBe(true);
  });

  it('merges user types over the defaults (seed 003 adds refactor, build and revert as patches)', () => {
    const rules = mergeBumpRules({ types: { refactor: 'patch', build: 'patch', revert: 'patch', deps: 'patch' } });
    expect(rules.types).toMatchObject({
      feat: 'minor',
      refactor: 'patch',
      build: 'patch',
      revert: 'patch',
      deps: 'patch',
    });
    expect(DEFAULT_BUMP_RULES.types['refactor']).toBe('none');
  });

  it('matches user type names case-insensitively, as commit types are lower-cased', () => {
    expect(mergeBumpRules({ types: { Security: 'patch' } }).types['security']).toBe('patch');
  });

  it('lets a user silence a default type', () => {
    expect(mergeBumpRules({ types: { perf: 'none' } }).types['perf']).toBe('none');
  });

  it('overrides the switches one by one', () => {
    expect(mergeBumpRules({ defaultPatch: true })).toMatchObject({ defaultPatch: true, preMajorBreaking: 'minor' });
    expect(mergeBumpRules({ preMajorBreaking: 'major', preMajorFeature: 'patch' })).toMatchObject({
      defaultPatch: false,
      preMajorBreaking: 'major',
      preMajorFeature: 'patch',
    });
  });

  it('returns the defaults for no overrides, as a fresh object', () => {
    const rules = mergeBumpRules();
    expect(rules).toEqual(DEFAULT_BUMP_RULES);
    expect(rules.types).not.toBe(DEFAULT_BUMP_RULES.types);
  });
});
