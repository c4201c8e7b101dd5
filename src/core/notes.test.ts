import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsedCommit } from './__fixtures__/parsed-commit.js';
import { isCutterError } from './errors.js';
import { buildNotesView, DEFAULT_NOTES_SECTIONS, renderNotes } from './notes.js';
import type { NotesInput, ParsedCommit } from './types.js';

const repoUrl = 'https://github.com/acme/cutter';
const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/notes/${name}`, import.meta.url), 'utf8');
const h = (pair: string) => pair.repeat(20);

const ada = { authorName: 'Ada Lovelace', authorEmail: 'ada@example.com' };
const grace = { authorName: 'Grace Hopper', authorEmail: 'grace@example.com' };

// The history of a typical minor release: features, fixes, a breaking change, chores that stay hidden.
const minorCommits: ParsedCommit[] = [
  parsedCommit({
    hash: h('a1'),
    type: 'feat',
    scope: 'api',
    subject: 'add pagination to list endpoints',
    pr: 123,
    ...ada,
  }),
  parsedCommit({ hash: h('b2'), type: 'fix', subject: 'handle an empty tag list', refs: [45, 46, 45], ...grace }),
  parsedCommit({
    hash: h('c3'),
    type: 'feat',
    scope: 'node',
    subject: 'require Node 20',
    breaking: true,
    breakingNotes: ['Node 18 is no longer supported; use Node 20 or later.'],
    authorName: 'Ada L.',
    authorEmail: 'ADA@example.com',
  }),
  parsedCommit({ hash: h('9a'), type: 'docs', subject: 'fix a typo', ...grace }),
  parsedCommit({ hash: h('8b'), type: null, conventional: false, subject: 'Update README.md', ...grace }),
  parsedCommit({
    hash: h('e5'),
    type: 'fix',
    scope: 'parser',
    subject: 'escape <script> and ](javascript:alert(1)) in `<b>subjects</b>`',
    ...grace,
  }),
  parsedCommit({ hash: h('7c'), type: 'chore', subject: 'bump deps', authorName: 'Linus [bot]' }),
  parsedCommit({
    hash: h('d4'),
    type: 'perf',
    scope: 'git',
    subject: 'stream git log with NUL separators, see #77',
    refs: [77],
  }),
];

const minorInput: NotesInput = {
  version: '1.3.0',
  tag: 'v1.3.0',
  previousTag: 'v1.2.0',
  date: '2026-11-25',
  commits: minorCommits,
  repoUrl,
};

function expectBadInput(fn: () => unknown, code: 'CUTTER_BAD_INPUT' | 'CUTTER_INVALID_VERSION', text: RegExp) {
  try {
    fn();
  } catch (err) {
    expect(isCutterError(err, code)).toBe(true);
    expect((err as Error).message).toMatch(text);
    return;
  }
  expect.fail('expected a CutterError');
}

describe('renderNotes', () => {
  it('writes the notes of a minor release: compare heading, sections in order, links, contributors', () => {
    expect(renderNotes(minorInput)).toBe(fixture('minor-release.md'));
  });

  it('writes a first release without compare link, and without any link when the repository URL is unknown', () => {
    const out = renderNotes(
      {
        version: '1.0.0',
        tag: 'v1.0.0',
        previousTag: null,
        date: '2026-11-25',
        commits: [
          parsedCommit({
            hash: h('f6'),
            type: 'feat',
            scope: 'cli',
            subject: 'release --dry-run prints the plan',
            pr: 9,
          }),
          parsedCommit({ hash: h('0a'), type: null, conventional: false, subject: 'Update README.md' }),
          parsedCommit({ hash: h('1b'), type: 'wip', subject: 'half a thought' }),
          parsedCommit({ hash: h('2c'), type: null, conventional: false, subject: "Merge branch 'x'", merge: true }),
        ],
      },
      { listNonConventional: true },
    );
    expect(out).toBe(fixture('first-release-no-links.md'));
  });

  it('leaves non-conventional commits out unless asked to list them under "Other"', () => {
    expect(renderNotes(minorInput)).not.toContain('Update README.md');
    const listed = renderNotes(minorInput, { listNonConventional: true, otherTitle: 'Everything else' });
    expect(listed).toContain('### Everything else\n\n- Update README.md');
    // Other comes after every configured section, Contributors last.
    expect(listed.indexOf('### Everything else')).toBeGreaterThan(listed.indexOf('### Performance Improvements'));
    expect(listed.indexOf('### Contributors')).toBeGreaterThan(listed.indexOf('### Everything else'));
  });

  it('follows a configured section table: its order, its titles, and shows types the default hides', () => {
    const out = renderNotes(minorInput, {
      sections: [
        { type: 'fix', title: 'Fixes' },
        { type: 'docs', title: 'Docs' },
        { type: 'feat', title: 'New', hidden: true },
        { type: 'breaking', title: 'BREAKING' },
      ],
      contributors: false,
    });
    const titles = [...out.matchAll(/^### (.*)$/gm)].map((m) => m[1]);
    expect(titles).toEqual(['Fixes', 'Docs', 'BREAKING']);
    expect(out).toContain('- fix a typo (');
    expect(out).not.toContain('add pagination');
  });

  it('omits the sections the default table hides (docs, chore…) and empty sections', () => {
    const out = renderNotes(minorInput);
    expect(out).not.toContain('fix a typo');
    expect(out).not.toContain('bump deps');
    expect(out).not.toContain('### Reverts');
    expect(DEFAULT_NOTES_SECTIONS.map((s) => s.type).slice(0, 4)).toEqual(['breaking', 'feat', 'fix', 'perf']);
  });

  it('is deterministic and keeps the input order inside a section', () => {
    const fixes = ['one', 'two', 'three'].map((s, i) => parsedCommit({ hash: h(`${i}f`), type: 'fix', subject: s }));
    const input = { ...minorInput, commits: fixes };
    const out = renderNotes(input);
    expect(renderNotes(input)).toBe(out);
    expect(out.indexOf('- one')).toBeLessThan(out.indexOf('- two'));
    expect(out.indexOf('- two')).toBeLessThan(out.indexOf('- three'));
  });

  it('cannot be broken by HTML or link syntax in a subject, a scope or an author name', () => {
    const out = renderNotes({
      ...minorInput,
      commits: [
        parsedCommit({
          hash: h('ab'),
          type: 'fix',
          scope: '<img src=x onerror=alert(1)>',
          subject: 'close [x](javascript:alert(1)) and \\](evil) <script>alert(1)</script>',
          authorName: '<b>Mallory</b>',
        }),
      ],
    });
    const bodyWithoutCode = out.replace(/`[^`]*`/g, '');
    expect(bodyWithoutCode).not.toMatch(/<[a-z/]/i);
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // The only markdown links are the ones Cutter made.
    // (a `]` counts when preceded by an even number of backslashes, i.e. not escaped)
    const linkTargets = [...out.matchAll(/(?<!\\)(?:\\\\)*\]\(([^)]*)\)/g)].map((m) => m[1] ?? '');
    expect(linkTargets.length).toBeGreaterThan(0);
    for (const target of linkTargets) expect(target.startsWith(repoUrl)).toBe(true);
    expect(out).toContain('\\\\\\](evil)');
  });

  it('keeps code spans as written, since markdown shows them literally', () => {
    const out = renderNotes({
      ...minorInput,
      commits: [
        parsedCommit({ hash: h('cd'), type: 'fix', subject: 'accept `--tag-format` and `*.yml` in `cutter.yml`' }),
      ],
    });
    expect(out).toContain('- accept `--tag-format` and `*.yml` in `cutter.yml` (');
  });

  it('escapes code spans holding angle brackets or brackets, whose end renderers disagree on', () => {
    const out = renderNotes({
      ...minorInput,
      commits: [parsedCommit({ hash: h('cd'), type: 'fix', subject: 'accept `a<b` and ~`[x](y)`' })],
    });
    expect(out).toContain('- accept \\`a&lt;b\\` and ~\\`\\[x\\](y)\\` (');
  });

  it('links #N in a subject to the pull request when it is the PR, without repeating the PR link', () => {
    const out = renderNotes({
      ...minorInput,
      commits: [parsedCommit({ hash: h('ef'), type: 'feat', subject: 'add retries (#88)', pr: 88, refs: [88, 12] })],
    });
    expect(out).toContain(
      `- add retries ([#88](${repoUrl}/pull/88)) ([efefefe](${repoUrl}/commit/${h('ef')})), closes [#12](${repoUrl}/issues/12)`,
    );
  });

  it('gives each breaking-change footer of a commit its own bullet, multi-line notes stay inside it', () => {
    const out = renderNotes({
      ...minorInput,
      commits: [
        parsedCommit({
          hash: h('aa'),
          type: 'refactor',
          subject: 'rename config keys',
          breaking: true,
          breakingNotes: ['`tagFormat` is now `tag.template`', 'the `--ci` flag is gone.\nUse `--no-ci` instead.'],
        }),
      ],
    });
    expect(out).toContain('### ⚠ Breaking Changes\n\n- `tagFormat` is now `tag.template` (');
    expect(out).toContain('- the `--ci` flag is gone.\n  Use `--no-ci` instead. (');
    // refactor is hidden by default: the change shows up only as a breaking note.
    expect(out).not.toContain('rename config keys');
  });

  it('lists each contributor once, in order of first commit, and can leave them out', () => {
    const view = buildNotesView(minorInput);
    expect(view.contributors.map((c) => c.name)).toEqual(['Ada Lovelace', 'Grace Hopper', 'Linus \\[bot\\]']);
    expect(renderNotes(minorInput, { contributors: false })).not.toContain('Contributors');
  });

  it('puts package tags and unusual characters into the compare URL without breaking the link', () => {
    const view = buildNotesView({ ...minorInput, tag: 'core@1.3.0', previousTag: 'core@1.2.0(old)' });
    expect(view.compareUrl).toBe(`${repoUrl}/compare/core@1.2.0%28old%29...core@1.3.0`);
  });

  it('lists reverts with a link to the reverted commit, and hides the [skip release] marker', () => {
    const out = renderNotes({
      ...minorInput,
      commits: [
        parsedCommit({
          hash: h('ab'),
          type: 'revert',
          subject: 'feat: add x',
          revert: { header: 'feat: add x', hash: 'abc1234def' },
        }),
        parsedCommit({ hash: h('cd'), type: 'fix', subject: 'typo in help [skip release] text', skipRelease: true }),
      ],
      repoUrl: undefined,
    });
    expect(out).toContain('### Reverts\n\n- feat: add x (abababa), reverts abc1234\n');
    expect(out).toContain('- typo in help text (cdcdcdc)\n');
  });

  it('renders a user template with the same data', () => {
    const template =
      '# <%= it.tag %> on <%= it.date %>\n<% for (const s of it.sections) { -%>\n<%= s.title %>: <%= s.items.map((i) => i.shortHash).join(",") %>\n<% } -%>\n';
    expect(renderNotes({ ...minorInput, commits: minorCommits.slice(0, 2) }, { template, contributors: false })).toBe(
      '# v1.3.0 on 2026-11-25\nFeatures: a1a1a1a\nBug Fixes: b2b2b2b\n',
    );
  });

  it('renders a release with no listable commit as the heading alone', () => {
    const out = renderNotes(
      { ...minorInput, commits: [parsedCommit({ hash: h('99'), type: 'chore', subject: 'x' })] },
      { contributors: false },
    );
    expect(out).toBe(`## [1.3.0](${repoUrl}/compare/v1.2.0...v1.3.0) (2026-11-25)\n`);
  });

  it('rejects a broken user template with a clear error', () => {
    expectBadInput(
      () => renderNotes(minorInput, { template: '<% for (const x of it.sections) { %>' }),
      'CUTTER_BAD_INPUT',
      /template failed/,
    );
    expectBadInput(
      () => renderNotes(minorInput, { template: '<%= it.nope.deeper %>' }),
      'CUTTER_BAD_INPUT',
      /template failed/,
    );
  });

  it('rejects a version that is not SemVer', () => {
    expectBadInput(() => renderNotes({ ...minorInput, version: '1.3' }), 'CUTTER_INVALID_VERSION', /not a SemVer/);
  });

  it('rejects a date that is not YYYY-MM-DD', () => {
    expectBadInput(() => renderNotes({ ...minorInput, date: '25/11/2026' }), 'CUTTER_BAD_INPUT', /YYYY-MM-DD/);
  });

  it('rejects a repository URL that is not http(s), so it cannot inject script links', () => {
    expectBadInput(() => renderNotes({ ...minorInput, repoUrl: 'javascript:alert(1)' }), 'CUTTER_BAD_INPUT', /http/);
    expectBadInput(() => renderNotes({ ...minorInput, repoUrl: 'not a url' }), 'CUTTER_BAD_INPUT', /not a URL/);
    expectBadInput(() => renderNotes({ ...minorInput, repoUrl: 'https://x.test/a)b' }), 'CUTTER_BAD_INPUT', /brackets/);
  });

  it('accepts a repository URL with a trailing slash', () => {
    expect(buildNotesView({ ...minorInput, repoUrl: `${repoUrl}/` }).compareUrl).toBe(
      `${repoUrl}/compare/v1.2.0...v1.3.0`,
    );
  });
});
