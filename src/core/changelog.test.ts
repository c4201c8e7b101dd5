import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsedCommit } from './__fixtures__/parsed-commit.js';
import { type ChangelogEntry, renderChangelogSection, updateChangelog } from './changelog.js';
import { isCutterError } from './errors.js';

const repoUrl = 'https://github.com/acme/cutter';
const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/changelog/${name}`, import.meta.url), 'utf8');
const h = (pair: string) => pair.repeat(20);
const crlf = (text: string) => text.replace(/\n/g, '\r\n');

const entry: ChangelogEntry = {
  version: '1.3.0',
  tag: 'v1.3.0',
  previousTag: 'v1.2.0',
  date: '2026-11-25',
  repoUrl,
  commits: [
    parsedCommit({ hash: h('a1'), type: 'feat', scope: 'api', subject: 'add pagination to list endpoints', pr: 123 }),
    parsedCommit({ hash: h('b2'), type: 'fix', subject: 'handle an empty tag list', refs: [45] }),
    parsedCommit({
      hash: h('c3'),
      type: 'refactor',
      scope: 'core',
      subject: 'rename config keys',
      breaking: true,
      breakingNotes: ['`tagFormat` is now `tag.template`'],
    }),
    parsedCommit({ hash: h('9a'), type: 'docs', subject: 'fix a typo' }),
    parsedCommit({ hash: h('8b'), type: null, conventional: false, subject: 'Update README.md' }),
    parsedCommit({ hash: h('d4'), type: 'fix', scope: 'security', subject: 'redact tokens in error messages' }),
    parsedCommit({ hash: h('e5'), type: 'remove', subject: 'drop the legacy `--ci` flag' }),
    parsedCommit({ hash: h('f6'), type: 'perf', scope: 'git', subject: 'stream git log' }),
  ],
};

function expectError(fn: () => unknown, code: 'CUTTER_BAD_INPUT' | 'CUTTER_INVALID_VERSION', text: RegExp) {
  try {
    fn();
  } catch (err) {
    expect(isCutterError(err, code)).toBe(true);
    expect((err as Error).message).toMatch(text);
    return;
  }
  expect.fail('expected a CutterError');
}

describe('updateChangelog', () => {
  it('creates a Keep a Changelog file with header, Unreleased, the version and its compare links', () => {
    expect(updateChangelog(null, entry)).toBe(fixture('new-file.expected.md'));
    expect(updateChangelog('', entry)).toBe(fixture('new-file.expected.md'));
  });

  it('inserts the version below Unreleased, updates the compare links and keeps every other byte', () => {
    expect(updateChangelog(fixture('existing.md'), entry)).toBe(fixture('existing.expected.md'));
  });

  it('keeps a CRLF file CRLF', () => {
    const out = updateChangelog(crlf(fixture('existing.md')), entry);
    expect(out).toBe(crlf(fixture('existing.expected.md')));
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('keeps a file without a final newline without one', () => {
    const input = fixture('existing.md').replace(/\n$/, '');
    expect(updateChangelog(input, entry)).toBe(fixture('existing.expected.md').replace(/\n$/, ''));
  });

  it('returns the input unchanged when the version is already there, so running twice changes nothing', () => {
    const once = updateChangelog(fixture('existing.md'), entry);
    expect(updateChangelog(once, entry)).toBe(once);
    expect(updateChangelog(once, { ...entry, date: '2027-01-01', commits: [] })).toBe(once);
    const crlfOnce = crlf(once).replace(/\r\n$/, '');
    expect(updateChangelog(crlfOnce, entry)).toBe(crlfOnce);
  });

  it('recognises an existing version written without brackets or with a v', () => {
    for (const heading of ['## 1.3.0 (2026-11-25)', '## [v1.3.0] - 2026-11-25', '##  1.3.0']) {
      const text = `# Changelog\n\n${heading}\n\n- thing\n`;
      expect(updateChangelog(text, entry)).toBe(text);
    }
    // 1.3.0-rc.1 is another version: the stable release still gets its section.
    expect(updateChangelog('## [1.3.0-rc.1] - 2026-11-01\n', entry)).toContain('## [1.3.0] - 2026-11-25');
  });

  it('does not take a heading inside a code block for an existing version', () => {
    const out = updateChangelog(fixture('existing.md'), entry);
    expect(out.match(/^## \[1\.3\.0\] - /gm)).toHaveLength(1);
    expect(out).toContain(
      '```sh\n## [1.3.0] is not a heading inside a code block\n[unreleased]: not a link definition either\n```',
    );
  });

  it('adds to a conventional-changelog style file: above the newest version, link definitions at the end', () => {
    const input = '# Changelog\n\n## 1.2.0 (2026-10-01)\n\n* old fix\n';
    const section = renderChangelogSection(entry);
    expect(updateChangelog(input, entry)).toBe(
      `# Changelog\n\n${section}\n\n## 1.2.0 (2026-10-01)\n\n* old fix\n\n[1.3.0]: ${repoUrl}/compare/v1.2.0...v1.3.0\n`,
    );
  });

  it('adds the missing [Unreleased] link and puts the new one before older version links', () => {
    const input = `## [Unreleased]\n\n## [1.2.0] - 2026-10-01\n\n[1.2.0]: ${repoUrl}/releases/tag/v1.2.0\n`;
    const out = updateChangelog(input, { ...entry, commits: [] });
    expect(out).toBe(
      `## [Unreleased]\n\n## [1.3.0] - 2026-11-25\n\n## [1.2.0] - 2026-10-01\n\n` +
        `[Unreleased]: ${repoUrl}/compare/v1.3.0...HEAD\n[1.3.0]: ${repoUrl}/compare/v1.2.0...v1.3.0\n[1.2.0]: ${repoUrl}/releases/tag/v1.2.0\n`,
    );
  });

  it('files a maintenance release between the newer and older lines, leaving Unreleased on the newest', () => {
    const input = [
      '## [Unreleased]',
      '',
      '## [2.0.0] - 2026-11-01',
      '',
      '## [1.2.3] - 2026-10-01',
      '',
      `[unreleased]: ${repoUrl}/compare/v2.0.0...HEAD`,
      `[2.0.0]: ${repoUrl}/compare/v1.2.3...v2.0.0`,
      `[1.2.3]: ${repoUrl}/releases/tag/v1.2.3`,
      '',
    ].join('\n');
    const out = updateChangelog(input, {
      ...entry,
      version: '1.2.4',
      tag: 'v1.2.4',
      previousTag: 'v1.2.3',
      commits: [],
    });
    expect(out).toBe(
      [
        '## [Unreleased]',
        '',
        '## [2.0.0] - 2026-11-01',
        '',
        '## [1.2.4] - 2026-11-25',
        '',
        '## [1.2.3] - 2026-10-01',
        '',
        `[unreleased]: ${repoUrl}/compare/v2.0.0...HEAD`,
        `[2.0.0]: ${repoUrl}/compare/v1.2.3...v2.0.0`,
        `[1.2.4]: ${repoUrl}/compare/v1.2.3...v1.2.4`,
        `[1.2.3]: ${repoUrl}/releases/tag/v1.2.3`,
        '',
      ].join('\n'),
    );
  });

  it('files the oldest version last, after every newer section and link', () => {
    const input = `## [Unreleased]\n\n## [2.0.0] - 2026-11-01\n\n- big\n\n[2.0.0]: ${repoUrl}/releases/tag/v2.0.0\n`;
    const out = updateChangelog(input, {
      ...entry,
      version: '1.0.1',
      tag: 'v1.0.1',
      previousTag: 'v1.0.0',
      commits: [],
    });
    expect(out).toBe(
      `## [Unreleased]\n\n## [2.0.0] - 2026-11-01\n\n- big\n\n## [1.0.1] - 2026-11-25\n\n` +
        `[2.0.0]: ${repoUrl}/releases/tag/v2.0.0\n[1.0.1]: ${repoUrl}/compare/v1.0.0...v1.0.1\n`,
    );
  });

  it('links the first release to its tag, since there is nothing to compare with', () => {
    const out = updateChangelog(null, { ...entry, version: '1.0.0', tag: 'v1.0.0', previousTag: null });
    expect(out).toContain(`[1.0.0]: ${repoUrl}/releases/tag/v1.0.0\n`);
    expect(out).toContain(`[Unreleased]: ${repoUrl}/compare/v1.0.0...HEAD\n`);
  });

  it('writes no link definitions when the repository URL is unknown', () => {
    const out = updateChangelog(null, { ...entry, repoUrl: undefined });
    expect(out).not.toMatch(/^\[.*\]: /m);
    expect(out).toContain('- **api:** add pagination to list endpoints (#123) (a1a1a1a)\n');
  });

  it('builds the tag from the tag template when none is given', () => {
    const out = updateChangelog(null, {
      ...entry,
      tag: '',
      tagTemplate: 'cutter@{version}',
      previousTag: 'cutter@1.2.0',
    });
    expect(out).toContain(`[1.3.0]: ${repoUrl}/compare/cutter@1.2.0...cutter@1.3.0\n`);
  });

  it('sorts commits into Added / Changed / Removed / Fixed / Security and leaves docs and chores out', () => {
    const section = renderChangelogSection(entry);
    const titles = [...section.matchAll(/^### (.*)$/gm)].map((m) => m[1]);
    expect(titles).toEqual(['Added', 'Changed', 'Removed', 'Fixed', 'Security']);
    expect(section).not.toContain('fix a typo');
    expect(section).not.toContain('Update README.md');
  });

  it('marks a breaking feature as BREAKING under Changed, with its footer note', () => {
    const section = renderChangelogSection({
      ...entry,
      commits: [
        parsedCommit({
          hash: h('12'),
          type: 'feat',
          subject: 'new config format',
          breaking: true,
          breakingNotes: ['run <cutter migrate> first'],
        }),
      ],
    });
    expect(section).toContain('### Changed\n\n- **BREAKING:** new config format (');
    expect(section).toContain('\n  - run &lt;cutter migrate&gt; first');
    expect(section).not.toContain('### Added');
  });

  it('says "Revert" for a revert listed under Changed', () => {
    const section = renderChangelogSection({
      ...entry,
      repoUrl: undefined,
      commits: [
        parsedCommit({
          hash: h('34'),
          type: 'revert',
          subject: 'feat: add x',
          revert: { header: 'feat: add x', hash: null },
        }),
      ],
    });
    expect(section).toBe('## [1.3.0] - 2026-11-25\n\n### Changed\n\n- Revert "feat: add x" (3434343)');
  });

  it('refuses a changelog whose code block is never closed, naming the line', () => {
    expectError(
      () => updateChangelog('# Changelog\n\n```sh\nnpm i\n', entry),
      'CUTTER_BAD_INPUT',
      /line 3 and never closes/,
    );
  });

  it('rejects a version that is not SemVer', () => {
    expectError(() => updateChangelog(null, { ...entry, version: 'v1.3' }), 'CUTTER_INVALID_VERSION', /not a SemVer/);
  });

  it('rejects a date that is not YYYY-MM-DD', () => {
    expectError(() => updateChangelog(null, { ...entry, date: 'Nov 25' }), 'CUTTER_BAD_INPUT', /YYYY-MM-DD/);
  });

  it('rejects a repository URL that is not http(s)', () => {
    expectError(() => updateChangelog(null, { ...entry, repoUrl: 'javascript:alert(1)' }), 'CUTTER_BAD_INPUT', /http/);
  });

  it('on any changelog: keeps every existing line in order, adds the version once, and is idempotent', () => {
    const line = fc.constantFrom(
      ...['# Changelog', '## [Unreleased]', '## [unreleased]', '## [1.2.0] - 2026-10-01', '## 1.4.0 (2026-11-01)'],
      ...['## [0.9.0]', '## Old history', '### Added', '- item', '* item', '', '   ', '```', '## [1.3.0] in code?'],
      ...[`[unreleased]: ${repoUrl}/compare/v1.2.0...HEAD`, `[1.2.0]: ${repoUrl}/releases/tag/v1.2.0`, '[x]: y'],
    );
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 14 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        (lines, eol, finalEol) => {
          const input = lines.join(eol) + (finalEol && lines.length > 0 ? eol : '');
          let out: string;
          try {
            out = updateChangelog(input, entry);
          } catch (err) {
            // The one refusal: an unclosed code block (an odd number of fence lines).
            expect(isCutterError(err, 'CUTTER_BAD_INPUT'), String(err)).toBe(true);
            expect(lines.filter((l) => l === '```').length % 2).toBe(1);
            return;
          }
          expect(updateChangelog(out, entry)).toBe(out);
          if (input.trim() === '') return;
          if (out === input) return; // the version was already there (outside a code block)
          // A one-line file without a line break says nothing about its line ends: Cutter writes LF.
          if (!input.includes(eol)) eol = '\n';
          const outLines = out.split(eol);
          // Every input line is still there, in order (only the [Unreleased] link's URL may change).
          let at = 0;
          for (const l of input.split(eol)) {
            const wanted = /^\[unreleased\]:/.test(l) ? '[unreleased]: ' : l;
            while (at < outLines.length && !(outLines[at] ?? '').startsWith(wanted)) at++;
            expect(at, `line ${JSON.stringify(l)} lost`).toBeLessThan(outLines.length);
            at++;
          }
          expect(out.endsWith(eol)).toBe(input.endsWith(eol));
          if (eol === '\r\n') expect(out.replace(/\r\n/g, '')).not.toContain('\n');
        },
      ),
      { numRuns: 500 },
    );
  });
});
