import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommit, parseCommits } from './commit-parse.js';

const HASH = '0123456789abcdef0123456789abcdef01234567';
const parse = (message: string, extra: { parents?: string[] } = {}) =>
  parseCommit({ hash: 'c0ffee1', message, ...extra });

describe('parseCommit: headers', () => {
  it('reads type, scope and subject of a Conventional Commit, lower-casing the type', () => {
    const c = parse('Feat(API): add pagination');
    expect(c).toMatchObject({
      type: 'feat',
      scope: 'API',
      subject: 'add pagination',
      conventional: true,
      breaking: false,
    });
    expect(c.header).toBe('Feat(API): add pagination');
  });

  it('reads a header without scope', () => {
    expect(parse('fix: handle empty tags')).toMatchObject({ type: 'fix', scope: null, subject: 'handle empty tags' });
  });

  it('treats an empty scope as no scope', () => {
    expect(parse('fix(): x')).toMatchObject({ type: 'fix', scope: null });
  });

  it('marks `!` in the header as breaking and uses the subject as the note', () => {
    const c = parse('feat(api)!: drop v1 endpoints');
    expect(c.breaking).toBe(true);
    expect(c.breakingNotes).toEqual(['drop v1 endpoints']);
  });

  it('keeps a non-conventional message as the subject, with no type, and never throws', () => {
    const c = parse('Update README');
    expect(c).toMatchObject({ type: null, scope: null, subject: 'Update README', conventional: false });
  });

  it('does not accept a header without the space after the colon', () => {
    expect(parse('feat:no space').conventional).toBe(false);
  });

  it('does not accept nested parentheses in the scope', () => {
    expect(parse('feat(a(b)): x').conventional).toBe(false);
  });

  it('parses an empty message as non-conventional', () => {
    expect(parse('')).toMatchObject({ header: '', type: null, conventional: false, body: '', footers: [] });
  });

  it('skips leading blank lines and strips CRLF line endings', () => {
    const c = parse('\r\n\r\nfix: windows\r\n\r\nbody line\r\n\r\nRefs: #4\r\n');
    expect(c).toMatchObject({ type: 'fix', subject: 'windows', body: 'body line', refs: [4] });
  });
});

describe('parseCommit: body and footers', () => {
  it('separates body from footers, including multi-line footer values', () => {
    const c = parse(
      'feat: x\n\nFirst paragraph.\n\nSecond paragraph.\n\nReviewed-by: Ada\nSee-also: a long value\n  that continues\nRefs: #12',
    );
    expect(c.body).toBe('First paragraph.\n\nSecond paragraph.');
    expect(c.footers).toEqual([
      { token: 'Reviewed-by', value: 'Ada' },
      { token: 'See-also', value: 'a long value\n  that continues' },
      { token: 'Refs', value: '#12' },
    ]);
  });

  it('reads `Token #value` footers such as `Closes #3`', () => {
    const c = parse('fix: y\n\nCloses #3\nFixes #4');
    expect(c.footers).toEqual([
      { token: 'Closes', value: '#3' },
      { token: 'Fixes', value: '#4' },
    ]);
    expect(c.refs).toEqual([3, 4]);
  });

  it('reads only #N, GH-N and owner/repo#N as issue references, never a sha or a bare number', () => {
    expect(parse('fix: y\n\nRefs: 1234567').refs).toEqual([]);
    expect(parse('fix: y\n\nRefs: 4fa3c1b2e9d0').refs).toEqual([]);
    expect(parse('fix: y\n\nRefs: 9c36a62e4cb3b30f2366ca9d1d63a76c9816c465').refs).toEqual([]);
    expect(parse('fix: y\n\nCloses: 12').refs).toEqual([]);
    expect(parse('fix: y\n\nRefs: abc#12, x-#13').refs).toEqual([]);
    expect(parse('fix: y\n\nRefs: #12, GH-13, gh-14\nCloses #15').refs).toEqual([12, 13, 14, 15]);
    // Another repository's issue is recognised and not misread as this repository's #7.
    expect(parse('fix: y\n\nRefs: acme/other-repo#7, #8').refs).toEqual([8]);
  });

  it('collects issue numbers from Refs, Closes and Fixes footers without duplicates', () => {
    expect(parse('fix: y\n\nRefs: #12, #13\nCloses #12\nReviewed-by: #99').refs).toEqual([12, 13]);
  });

  it('lets a BREAKING CHANGE footer explain the migration over several paragraphs', () => {
    const c = parse('feat: new config\n\nBREAKING CHANGE: the key `foo` is gone.\n\nUse `bar` instead.\nRefs: #7');
    expect(c.breaking).toBe(true);
    expect(c.breakingNotes).toEqual(['the key `foo` is gone.\n\nUse `bar` instead.']);
    expect(c.refs).toEqual([7]);
    expect(c.body).toBe('');
  });

  it('accepts the BREAKING-CHANGE synonym', () => {
    expect(parse('fix: z\n\nBREAKING-CHANGE: renamed').breakingNotes).toEqual(['renamed']);
  });

  it('finds a BREAKING CHANGE written in the body, not only in the footer block', () => {
    const c = parse('refactor: split\n\nSome context.\nBREAKING CHANGE: exports moved\nto lib/\n\nRefs: #1');
    expect(c.breaking).toBe(true);
    expect(c.breakingNotes).toEqual(['exports moved\nto lib/']);
    expect(c.refs).toEqual([1]);
  });

  it('does not treat lower-case "breaking change:" as breaking (the spec says upper case)', () => {
    expect(parse('fix: z\n\nbreaking change: maybe').breaking).toBe(false);
  });

  it('keeps a body paragraph that starts like a footer in the body when prose follows it', () => {
    const c = parse('docs: guide\n\nNote: this matters.\n\nAnd this is prose that follows.');
    expect(c.body).toBe('Note: this matters.\n\nAnd this is prose that follows.');
    expect(c.footers).toEqual([]);
  });

  it('reads Release-As case-insensitively', () => {
    expect(parse('chore: release\n\nrelease-as: 2.0.0').releaseAs).toBe('2.0.0');
    expect(parse('chore: release\n\nRelease-As: 3.1.0').releaseAs).toBe('3.1.0');
  });
});

describe('parseCommit: skip markers, merges, squashes and reverts', () => {
  it('marks [skip release] and [release skip] anywhere in the message, in any case', () => {
    expect(parse('feat: x [skip release]').skipRelease).toBe(true);
    expect(parse('fix: y\n\nsome body [Release Skip] here').skipRelease).toBe(true);
    expect(parse('fix: y\n\n[skip ci]').skipRelease).toBe(false);
  });

  it('recognises GitHub merge commits and their pull request number', () => {
    const c = parse('Merge pull request #12 from acme/feature-x\n\nfeat: add x');
    expect(c).toMatchObject({ merge: true, pr: 12, conventional: false });
  });

  it('recognises `Merge branch` subjects and commits with two parents', () => {
    expect(parse("Merge branch 'main' into feature").merge).toBe(true);
    expect(parse('feat: x', { parents: ['a', 'b'] })).toMatchObject({ merge: true, type: 'feat' });
    expect(parse('feat: x', { parents: ['a'] }).merge).toBe(false);
  });

  it('takes the PR number from a squash-merge subject and keeps it out of the subject', () => {
    const c = parse('feat(ui): dark mode (#123)');
    expect(c).toMatchObject({ type: 'feat', scope: 'ui', subject: 'dark mode', pr: 123 });
    expect(c.header).toBe('feat(ui): dark mode (#123)');
  });

  it('leaves a parenthesis that is not a PR reference alone', () => {
    expect(parse('fix: handle (#abc)')).toMatchObject({ pr: null, subject: 'handle (#abc)' });
  });

  it('reads a conventional revert with the reverted hash', () => {
    const c = parse(`revert: feat: x\n\nThis reverts commit ${HASH}.`);
    expect(c).toMatchObject({ type: 'revert', subject: 'feat: x', revert: { header: 'feat: x', hash: HASH } });
  });

  it("reads git's own revert message", () => {
    const c = parse(`Revert "feat(api): x (#10)"\n\nThis reverts commit ${HASH.toUpperCase()}.`);
    expect(c).toMatchObject({
      type: 'revert',
      conventional: true,
      revert: { header: 'feat(api): x (#10)', hash: HASH },
    });
  });

  it('reads a revert without a hash', () => {
    expect(parse('revert: fix: y').revert).toEqual({ header: 'fix: y', hash: null });
  });

  it('copies author and date through', () => {
    const c = parseCommit({ hash: 'h', message: 'fix: a', authorName: 'Ada', authorEmail: 'a@x', date: '2026-01-01' });
    expect(c).toMatchObject({ authorName: 'Ada', authorEmail: 'a@x', date: '2026-01-01' });
  });
});

describe('parseCommit: hostile input stays fast', () => {
  it('parses a 1 MB message in well under a second', () => {
    const body = 'lorem ipsum dolor sit amet '.repeat(40_000);
    const message = `feat: big\n\n${body}\n\n${'line\n'.repeat(20_000)}BREAKING CHANGE: huge`;
    expect(message.length).toBeGreaterThan(1_000_000);
    const start = performance.now();
    const c = parse(message);
    // Linear parsing takes milliseconds; backtracking would take minutes. The bound leaves room for a busy machine.
    expect(performance.now() - start).toBeLessThan(2_000);
    expect(c).toMatchObject({ type: 'feat', breaking: true, breakingNotes: ['huge'] });
  });

  it('parses 100k `(` characters without catastrophic backtracking', () => {
    const start = performance.now();
    const a = parse('('.repeat(100_000));
    const b = parse(`feat${'('.repeat(100_000)}: x`);
    const c = parse(`feat(${'('.repeat(100_000)}): x\n\n${'('.repeat(100_000)}`);
    const d = parse(`fix: ${' '.repeat(100_000)}x (#`);
    // Linear parsing takes milliseconds; backtracking would take minutes. The bound leaves room for a busy machine.
    expect(performance.now() - start).toBeLessThan(2_000);
    expect([a.conventional, b.conventional, c.conventional, d.type]).toEqual([false, false, false, 'fix']);
  });

  it('parses a whole range in order, one result per commit', () => {
    const parsed = parseCommits([
      { hash: 'a', message: 'feat: one' },
      { hash: 'b', message: 'not conventional' },
      { hash: 'c', message: 'fix!: three' },
    ]);
    expect(parsed.map((c) => [c.hash, c.type, c.breaking])).toEqual([
      ['a', 'feat', false],
      ['b', null, false],
      ['c', 'fix', true],
    ]);
  });

  it('survives messages with NUL, lone surrogates and other odd characters', () => {
    const c = parse('fix: \u0000 \ud800 odd\n\n\u0007bell\n\nRefs: #1');
    expect(c).toMatchObject({ type: 'fix', refs: [1] });
  });
});

describe('parseCommit: properties', () => {
  it('never throws, whatever the message', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (message) => {
        const c = parse(message);
        expect(c.conventional || c.type === null).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('reads back the type, scope, breaking marker and subject it was given', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/),
        fc.option(fc.stringMatching(/^[a-z0-9 ._-]{1,12}$/), { nil: null }),
        fc.boolean(),
        fc.stringMatching(/^[^\r\n]{1,40}$/).filter((s) => s.trim() === s && s.length > 0),
        (type, scope, bang, subject) => {
          const header = `${type}${scope === null ? '' : `(${scope})`}${bang ? '!' : ''}: ${subject}`;
          const c = parse(header);
          expect(c.type).toBe(type);
          expect(c.scope).toBe(scope === null || scope.trim() === '' ? null : scope.trim());
          expect(c.breaking).toBe(bang);
          if (c.pr === null) expect(c.subject).toBe(subject);
        },
      ),
      { numRuns: 300 },
    );
  });
});
