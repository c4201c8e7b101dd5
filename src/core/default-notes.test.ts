import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commitParts } from './__fixtures__/commit-arbitrary.js';
import { parsedCommit } from './__fixtures__/parsed-commit.js';
import { NotesFold, type NotesOptions, renderNotes } from './notes.js';
import { DEFAULT_NOTES_TEMPLATE } from './notes-template.js';
import type { NotesInput, ParsedCommit } from './types.js';

const repoUrl = 'https://github.com/acme/cutter';

/** The default notes written directly must equal the default template rendered by Eta from the full view. */
function expectSameAsTemplate(input: NotesInput, opts: Parameters<typeof renderNotes>[1] = {}): void {
  expect(renderNotes(input, opts)).toBe(renderNotes(input, { ...opts, template: DEFAULT_NOTES_TEMPLATE }));
}

describe('the default notes without a template engine', () => {
  it('write what the default template renders: sections, bullets, links and contributors', () => {
    const commits = [
      parsedCommit({ hash: 'a'.repeat(40), type: 'feat', scope: 'api', subject: 'add `x` <b>', pr: 12, refs: [3, 12] }),
      parsedCommit({ hash: 'b'.repeat(40), type: 'fix', subject: 'fix #7 [skip release]', authorName: 'Ada' }),
      parsedCommit({
        hash: 'c'.repeat(40),
        type: 'perf',
        subject: 'faster',
        breaking: true,
        breakingNotes: ['first note', '  ', 'second\nline'],
        authorName: 'Grace',
        authorEmail: 'g@example.com',
      }),
      parsedCommit({
        hash: 'd'.repeat(40),
        type: null,
        conventional: false,
        subject: 'Update README',
        authorName: 'x_y',
      }),
      parsedCommit({
        hash: 'e'.repeat(40),
        type: 'revert',
        subject: 'undo',
        revert: { hash: 'f'.repeat(40), header: 'x' },
      }),
    ];
    const input = { version: '2.0.0', tag: 'v2.0.0', previousTag: 'v1.9.0', date: '2026-11-25', commits, repoUrl };
    expectSameAsTemplate(input);
    expectSameAsTemplate({ ...input, repoUrl: undefined, previousTag: null } as unknown as NotesInput);
    expectSameAsTemplate(input, { contributors: false, listNonConventional: true, otherTitle: 'Misc *' });
    expectSameAsTemplate(input, {
      sections: [
        { type: 'fix', title: 'Fixes' },
        { type: 'feat', title: 'Feats', hidden: true },
      ],
    });
    expectSameAsTemplate({ ...input, commits: [] });
  });

  it('agree with the default template on generated commits (property)', () => {
    fc.assert(
      fc.property(fc.array(commitParts, { maxLength: 12 }), fc.boolean(), (parts, others) => {
        const commits = parts.map((p, i) => parsedCommit({ hash: i.toString(16).padStart(40, '0'), ...p }));
        const input = { version: '1.0.0', tag: 'v1.0.0', previousTag: 'v0.9.0', date: '2026-11-25', commits, repoUrl };
        expectSameAsTemplate(input, { listNonConventional: others });
      }),
      { numRuns: 300 },
    );
  });
});

describe('the default notes as UTF-8', () => {
  const frame = { version: '1.0.0', tag: 'v1.0.0', previousTag: 'v0.9.0', date: '2026-11-25' };
  const fold = (commits: ParsedCommit[], opts: NotesOptions = {}): NotesFold => {
    const f = new NotesFold({ ...opts, repoUrl });
    for (const c of commits) f.add(c);
    return f;
  };

  it('are the bytes of the rendered notes (property)', () => {
    fc.assert(
      fc.property(fc.array(commitParts, { maxLength: 12 }), fc.boolean(), (parts, others) => {
        const commits = parts.map((p, i) => parsedCommit({ hash: i.toString(16).padStart(40, '0'), ...p }));
        const utf8 = fold(commits, { listNonConventional: others }).renderUtf8(frame);
        expect(Buffer.from(utf8!).toString('utf8')).toBe(
          renderNotes({ ...frame, commits, repoUrl }, { listNonConventional: others }),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('are not given for a custom template, nor for text UTF-8 cannot carry (a lone surrogate)', () => {
    const odd = parsedCommit({ hash: 'a'.repeat(40), type: 'feat', subject: 'half \ud83d' });
    expect(fold([odd], { template: DEFAULT_NOTES_TEMPLATE }).renderUtf8(frame)).toBeNull();
    expect(fold([odd]).renderUtf8(frame)).toBeNull();
    expect(fold([odd]).render(frame)).toContain('half \ud83d');
  });
});
