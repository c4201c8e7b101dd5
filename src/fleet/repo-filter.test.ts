// Which repositories a fleet run selects: globs, `!` excludes, topics, and bad pattern lists.

import { describe, expect, it } from 'vitest';
import { planFleet } from './fleet-plan.js';
import { compileRepoFilter, parsePatternList } from './repo-filter.js';

const repo = (name: string, topics: string[] = []) => ({ name, topics });

describe('compileRepoFilter', () => {
  it('selects connector-* and reports the exclude rule that left a legacy connector out', () => {
    const f = compileRepoFilter({ patterns: parsePatternList('connector-*, !connector-legacy-*') });
    expect(f(repo('connector-stripe'))).toEqual({ included: true });
    expect(f(repo('connector-legacy-ftp'))).toEqual({
      included: false,
      reason: 'excluded',
      rule: '!connector-legacy-*',
    });
    expect(f(repo('api-gateway'))).toEqual({ included: false, reason: 'not-selected' });
  });

  it('selects by topic when no pattern is given, and needs both when both are', () => {
    expect(compileRepoFilter({ topics: ['connector'] })(repo('billing', ['Connector']))).toEqual({ included: true });
    const both = compileRepoFilter({ patterns: ['connector-*'], topics: ['connector'] });
    expect(both(repo('connector-x', []))).toMatchObject({ included: false });
    expect(both(repo('connector-x', ['connector']))).toEqual({ included: true });
  });

  it('refuses a run with neither pattern nor topic, and a list with an empty entry', () => {
    expect(() => compileRepoFilter({})).toThrow(/--pattern or a --topic/);
    expect(() => parsePatternList('connector-*,,x')).toThrow(/empty entry/);
    expect(() => parsePatternList('connector-*,!')).toThrow(/empty entry/);
  });
});

describe('planFleet', () => {
  const tag = { tag: 'v1.2.0', version: '1.2.0', commit: 'a'.repeat(40) };
  const base = { branch: 'main', archived: false };

  it('makes a candidate only of a repo whose head moved past its latest tag, and says why for the others', () => {
    const plan = planFleet([
      { ...base, name: 'moved', head: 'b'.repeat(40), latest: tag },
      { ...base, name: 'tagged', head: 'a'.repeat(40), latest: tag },
      { ...base, name: 'old', archived: true, head: 'b'.repeat(40), latest: tag },
      { ...base, name: 'legacy', head: 'b'.repeat(40), latest: tag, excludedBy: '!legacy' },
      { ...base, name: 'empty', head: null, latest: null },
      { ...base, name: 'new', head: 'c'.repeat(40), latest: null },
    ]);
    expect(plan.map((p) => [p.repo, p.action, p.reason ?? null])).toEqual([
      ['moved', 'candidate', null],
      ['tagged', 'skip', 'up-to-date'],
      ['old', 'skip', 'archived'],
      ['legacy', 'skip', 'excluded'],
      ['empty', 'skip', 'empty'],
      ['new', 'candidate', null],
    ]);
  });

  it('skips never-released repos when first releases are off', () => {
    const [entry] = planFleet([{ ...base, name: 'new', head: 'c'.repeat(40), latest: null }], {
      neverReleased: 'skip',
    });
    expect(entry).toMatchObject({ action: 'skip', reason: 'never-released' });
  });
});
