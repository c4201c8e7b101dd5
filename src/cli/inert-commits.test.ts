import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideBump } from '../core/bump.js';
import { DEFAULT_BUMP_RULES, mergeBumpRules } from '../core/bump-rules.js';
import { parseCommit } from '../core/commit-parse.js';
import { DEFAULT_NOTES_SECTIONS, renderNotes } from '../core/notes.js';
import type { BumpRules, ParsedCommit } from '../core/types.js';
import { inertCommitFilter } from './inert-commits.js';

const header = fc.oneof(
  fc
    .constantFrom('feat', 'fix', 'perf', 'docs', 'chore', 'test', 'ci', 'refactor', 'style', 'build', 'revert', 'wip')
    .chain((type) =>
      fc
        .record({
          scope: fc.option(fc.constantFrom('api', 'ui', 'core'), { nil: undefined }),
          bang: fc.boolean(),
          subject: fc.constantFrom('add x', 'fix y (#12)', 'tidy z', 'update deps'),
        })
        .map(({ scope, bang, subject }) => `${type}${scope ? `(${scope})` : ''}${bang ? '!' : ''}: ${subject}`),
    ),
  fc.constantFrom('updated stuff', 'Merge branch x', 'Revert "feat: add x"'),
);
const footer = fc.constantFrom(
  '',
  '\n\nBREAKING CHANGE: gone',
  '\n\nRefs: #7',
  '\n\nRelease-As: 9.0.0',
  ' [skip release]',
);
const author = fc.constantFrom('Ada <ada@x.io>', 'Bob <bob@x.io>', 'Cy <cy@x.io>');
const history = fc.array(fc.tuple(header, footer, author), { maxLength: 30 });

function toCommits(items: [string, string, string][]): ParsedCommit[] {
  return items.map(([h, f, a], i) => {
    const [, name = '', email = ''] = /^(.*) <(.*)>$/.exec(a) ?? [];
    return parseCommit({
      hash: i.toString(16).padStart(40, '0'),
      message: `${h}${f}\n`,
      authorName: name,
      authorEmail: email,
    });
  });
}

function outcome(commits: ParsedCommit[], rules: BumpRules) {
  const d = decideBump(commits, rules, '1.2.0');
  const notes = renderNotes({ version: '2.0.0', tag: 'v2.0.0', previousTag: 'v1.2.0', date: '2026-11-25', commits });
  return {
    bump: d.bump,
    causes: d.causes.map((c) => [c.hash, c.why]),
    releaseAs: d.releaseAs,
    skipped: d.skipped.length,
    nonConventional: d.nonConventional.length,
    notes,
  };
}

describe('inertCommitFilter', () => {
  it('never changes the bump, its causes or the notes when the range has no reverts (property)', () => {
    for (const rules of [DEFAULT_BUMP_RULES, mergeBumpRules({ types: { refactor: 'patch', build: 'patch' } })]) {
      fc.assert(
        fc.property(history, (items) => {
          const all = toCommits(items);
          const inert = inertCommitFilter(rules, DEFAULT_NOTES_SECTIONS);
          const kept = inert ? all.filter((c) => !inert(c)) : all;
          fc.pre(!(kept.length < all.length && all.some((c) => c.revert !== null)));
          expect(outcome(kept, rules)).toEqual(outcome(all, rules));
        }),
        { numRuns: 300 },
      );
    }
  });

  it('drops docs and chores by a known author but keeps every releasing or visible commit', () => {
    const [first, docs, feat, breaking] = toCommits([
      ['docs: a', '', 'Ada <ada@x.io>'],
      ['docs: b', '', 'Ada <ada@x.io>'],
      ['feat: c', '', 'Ada <ada@x.io>'],
      ['chore: d', '\n\nBREAKING CHANGE: e', 'Ada <ada@x.io>'],
    ]);
    const inert = inertCommitFilter(DEFAULT_BUMP_RULES, DEFAULT_NOTES_SECTIONS);
    expect([first, docs, feat, breaking].map((c) => inert?.(c as ParsedCommit))).toEqual([false, true, false, false]);
  });

  it('keeps everything when defaultPatch is on', () => {
    expect(inertCommitFilter({ ...DEFAULT_BUMP_RULES, defaultPatch: true }, DEFAULT_NOTES_SECTIONS)).toBeNull();
  });

  it('keeps a type the notes show even when it releases nothing', () => {
    const [a, b] = toCommits([
      ['docs: a', '', 'Ada <ada@x.io>'],
      ['docs: b', '', 'Ada <ada@x.io>'],
    ]);
    const inert = inertCommitFilter(DEFAULT_BUMP_RULES, [{ type: 'docs', title: 'Documentation' }]);
    expect([a, b].map((c) => inert?.(c as ParsedCommit))).toEqual([false, false]);
  });
});
