import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommit } from './commit-parse.js';
import { scanCommit } from './commit-scan.js';
import type { ParsedCommit, RawCommit } from './types.js';

/** What `scanCommit` promises: `parseCommit` without the body, and without footers unless breaking. */
function leanParse(raw: RawCommit): ParsedCommit {
  const full = parseCommit(raw);
  return { ...full, body: '', footers: full.breaking ? full.footers : [] };
}

const headers = fc.constantFrom(
  'feat: add x',
  'fix(api): y (#12)',
  'feat(ui)!: drop z',
  'docs: tidy',
  'chore(deps): bump a from 1.0.0 to 1.1.0 (#7)',
  'Revert "fix: y"',
  'revert: feat: add x',
  'Merge pull request #5 from a/b',
  'Merge branch main',
  'updated stuff',
  '  feat: padded  ',
  'Feat: Upper',
  'fix: café 🚀 (#9)',
  'feat: [skip release] now',
  '',
  '   ',
);
const lines = fc.constantFrom(
  'Refs: #7',
  'Refs: #7, #8',
  'Refs: 12',
  'Closes #3',
  'fixes: #4 and #5',
  'Release-As: 2.0.0',
  'release-as:  3.1.0 ',
  'RELEASE-AS: x',
  'Release-As: ',
  'Co-authored-by: Ada <ada@x.io>',
  'Reviewed-by: Bob',
  'BREAKING CHANGE: gone',
  'BREAKING-CHANGE: also gone',
  'Note: this is prose',
  'Some body text.',
  '- a bullet',
  '  indented continuation',
  'This reverts commit 1be4b651e02b2e2fe23eb3c453b6adf3c33f0011.',
  'This reverts commit ABCDEF1.',
  '[release skip]',
  '[Skip Release]',
  '',
  ' ',
  '\t',
  '\u00a0',
  '\u3000x',
  'x\r',
  '#12 starts here',
);
const separators = fc.constantFrom('\n', '\n\n', '\n\n\n', '\r\n', '\n \n');
const messages = fc
  .tuple(
    fc.constantFrom('', '\n', '\n\n'),
    headers,
    fc.array(fc.tuple(separators, fc.array(lines, { minLength: 1, maxLength: 3 })), { maxLength: 4 }),
    fc.constantFrom('', '\n'),
  )
  .map(
    ([lead, header, paragraphs, tail]) =>
      lead + header + paragraphs.map(([sep, ls]) => sep + ls.join('\n')).join('') + tail,
  );
const raws: fc.Arbitrary<RawCommit> = fc.record(
  {
    hash: fc.constantFrom('a'.repeat(40), '1be4b651e02b2e2fe23eb3c453b6adf3c33f0011'),
    message: messages,
    parents: fc.constantFrom(['p1'], ['p1', 'p2']).map((p) => [...p]),
    authorName: fc.constantFrom('Ada', 'Bob'),
    authorEmail: fc.constantFrom('ada@x.io'),
  },
  { requiredKeys: ['hash', 'message'] },
);

describe('scanCommit', () => {
  it('reads every field the decision and the notes use exactly as parseCommit does (property)', () => {
    fc.assert(
      fc.property(raws, (raw) => {
        expect(scanCommit(raw)).toEqual(leanParse(raw));
      }),
      { numRuns: 3000 },
    );
  });

  it('also agrees on arbitrary text, including unicode whitespace and lone separators (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', ':', ' ', '#', '1', '\n', '\t', '\u2028', 'R', '-', 'x') });
    fc.assert(
      fc.property(text, (body) => {
        const raw = { hash: 'b'.repeat(40), message: `fix: z\n${body}` };
        expect(scanCommit(raw)).toEqual(leanParse(raw));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps refs and Release-As from the footer block but no body', () => {
    const c = scanCommit({
      hash: 'c'.repeat(40),
      message: 'fix(api): y (#12)\n\nLong story.\n\nRefs: #7, #8\nRelease-As: 2.0.0\n',
    });
    expect(c).toMatchObject({ type: 'fix', scope: 'api', subject: 'y', pr: 12, refs: [7, 8], releaseAs: '2.0.0' });
    expect(c.body).toBe('');
    expect(c.footers).toEqual([]);
  });

  it('treats a footer-looking paragraph followed by prose as body, like parseCommit', () => {
    const c = scanCommit({ hash: 'd'.repeat(40), message: 'fix: y\n\nRefs: #7\n\nMore prose after it.' });
    expect(c.refs).toEqual([]);
  });

  it('keeps the footers of a breaking commit so the bump can say which footer broke', () => {
    const c = scanCommit({ hash: 'e'.repeat(40), message: 'chore: x\n\nBREAKING CHANGE: gone\nRefs: #3' });
    expect(c.breaking).toBe(true);
    expect(c.footers.map((f) => f.token)).toEqual(['BREAKING CHANGE', 'Refs']);
    expect(c.refs).toEqual([3]);
  });

  it('reads an empty or blank message as a non-conventional commit without crashing', () => {
    expect(scanCommit({ hash: 'f'.repeat(40), message: '' })).toMatchObject({ conventional: false, header: '' });
    expect(scanCommit({ hash: 'f'.repeat(40), message: '\n\n  \n' })).toMatchObject({ conventional: false });
  });
});
