import fc from 'fast-check';
import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { parsedCommit } from './__fixtures__/parsed-commit.js';
import { updateChangelog } from './changelog.js';
import { parseCommit } from './commit-parse.js';
import { renderNotes } from './notes.js';

// Rendered by a real markdown engine (marked, GFM, raw HTML passed through as GitHub's parser would see it):
// whatever a commit says, the notes keep their structure and hold no HTML or link Cutter did not write.
const repoUrl = 'https://github.com/acme/cutter';
const ALLOWED_TAGS = new Set(['h1', 'h2', 'h3', 'ul', 'li', 'a', 'strong', 'em', 'code', 'p', 'del', 'br']);

const hostile = fc.string({
  unit: fc.constantFrom(
    ...'<>[]()\\`*_#&!:/-+=|~ 1.)ajvscript"\'é'.split(''),
    '<script>',
    '](',
    'javascript:',
    '&lt;',
    '\t',
  ),
  maxLength: 40,
});

// Breaking-change footers span lines; subjects, scopes and names never do.
const hostileNote = fc.string({
  unit: fc.constantFrom(
    ...'<>[]()\\`*-#1. '.split(''),
    '\n',
    '\n\n',
    '\n- ',
    '\n    code',
    '<img src=x onerror=alert(1)>',
  ),
  maxLength: 40,
});

function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  for (const m of html.matchAll(/<\/?([a-zA-Z][\w-]*)/g))
    if (!ALLOWED_TAGS.has(m[1] ?? '')) problems.push(`tag <${m[1]}>`);
  for (const m of html.matchAll(/href="([^"]*)"/g)) if (!/^https?:\/\//.test(m[1] ?? '')) problems.push(`href ${m[1]}`);
  return problems;
}

describe('release notes and CHANGELOG under hostile commit text', () => {
  it('never let a subject, scope, note or author name inject HTML, a script link or extra list items', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(hostile, hostile, hostileNote, hostile), { minLength: 1, maxLength: 5 }),
        (rows) => {
          const commits = rows.map(([subject, scope, note, author], i) =>
            parsedCommit({
              hash: `${i}`.padStart(40, 'a'),
              type: 'fix',
              scope: scope.trim() === '' ? null : scope,
              subject: subject.trim() === '' ? 'x' : subject,
              breaking: i % 2 === 0,
              breakingNotes: [note.trim() === '' ? 'n' : note],
              authorName: author.trim() === '' ? undefined : author,
              authorEmail: `${i}@example.com`,
            }),
          );
          const notes = renderNotes({
            version: '1.3.0',
            tag: 'v1.3.0',
            previousTag: 'v1.2.0',
            date: '2026-11-25',
            commits,
            repoUrl,
          });
          const html = marked.parse(notes, { async: false, gfm: true });
          expect(htmlProblems(html)).toEqual([]);
          const contributors = commits.filter((c) => c.authorName).length;
          const breaking = commits.filter((c) => c.breaking).length;
          expect(html.match(/<li>/g)?.length).toBe(commits.length + breaking + contributors);

          const changelog = updateChangelog(null, {
            version: '1.3.0',
            tag: 'v1.3.0',
            previousTag: 'v1.2.0',
            date: '2026-11-25',
            commits,
            repoUrl,
          });
          expect(htmlProblems(marked.parse(changelog, { async: false, gfm: true }))).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes notes from raw commit messages as parseCommit understands them', () => {
    const commits = [
      {
        hash: 'a'.repeat(40),
        message: 'feat(api)!: add x (#123)\n\nbody\n\nBREAKING CHANGE: old y removed\nRefs: #12',
        authorName: 'Ada',
      },
      { hash: 'b'.repeat(40), message: 'fix: <b>bold</b> claim\n\nCloses #14', authorName: 'Grace' },
      { hash: 'c'.repeat(40), message: 'not conventional at all', authorName: 'Ada' },
    ].map(parseCommit);
    const notes = renderNotes({
      version: '2.0.0',
      tag: 'v2.0.0',
      previousTag: 'v1.3.0',
      date: '2026-11-25',
      commits,
      repoUrl,
    });
    const commitLink = `([aaaaaaa](${repoUrl}/commit/${'a'.repeat(40)}))`;
    expect(notes).toContain(
      `- **api:** old y removed ([#123](${repoUrl}/pull/123)) ${commitLink}, closes [#12](${repoUrl}/issues/12)`,
    );
    expect(notes).toContain(`- **api:** add x ([#123](${repoUrl}/pull/123)) ([aaaaaaa]`);
    expect(notes).toContain('- &lt;b&gt;bold&lt;/b&gt; claim ([bbbbbbb]');
    expect(notes).not.toContain('not conventional');
  });

  it('never mention anyone: @handles and @org/teams in subjects, scopes and notes render as code', () => {
    const notes = renderNotes({
      version: '1.3.0',
      tag: 'v1.3.0',
      previousTag: 'v1.2.0',
      date: '2026-11-25',
      commits: [
        parsedCommit({ hash: 'a'.repeat(40), type: 'fix', subject: 'thanks @octocat and @acme/core-team' }),
        parsedCommit({ hash: 'b'.repeat(40), type: 'feat', scope: '@acme/cli', subject: 'mail ada@example.com' }),
        parsedCommit({ hash: 'c'.repeat(40), type: 'fix', subject: 'keep `@already` quoted, (@paren)' }),
      ],
      repoUrl,
    });
    expect(notes).toContain('- thanks `@octocat` and `@acme/core-team` ([aaaaaaa]');
    expect(notes).toContain('- **`@acme/cli`:** mail ada@example.com ([bbbbbbb]');
    expect(notes).toContain('- keep `@already` quoted, (`@paren`) ([ccccccc]');
  });

  it('leave no @mention outside code whatever the commit text (rendered with marked)', () => {
    // No '.': marked autolinks `a@b.c` as an e-mail address, splitting the text GitHub would read as one.
    const withAt = fc.string({ unit: fc.constantFrom(...'@a-/ `\\x_(*'.split(''), '@@', 'a@b'), maxLength: 30 });
    fc.assert(
      fc.property(fc.array(withAt, { minLength: 1, maxLength: 4 }), (subjects) => {
        const notes = renderNotes({
          version: '1.3.0',
          tag: 'v1.3.0',
          previousTag: null,
          date: '2026-11-25',
          commits: subjects.map((subject, i) =>
            parsedCommit({ hash: `${i}`.padStart(40, 'a'), type: 'fix', subject: subject.trim() || 'x' }),
          ),
        });
        const html = marked.parse(notes, { async: false, gfm: true });
        const outsideCode = html.replace(/<code>[^<]*<\/code>/g, ' ');
        // GitHub's rule: @ not after a letter or digit, followed by a letter or digit (emphasis marks vanish).
        expect(outsideCode.replace(/<[^>]*>/g, ' ')).not.toMatch(/(?<![A-Za-z0-9])@[A-Za-z0-9]/);
      }),
      { numRuns: 300 },
    );
  });
});
