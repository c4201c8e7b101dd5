import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsedCommit } from './__fixtures__/parsed-commit.js';
import { commitNotesItem, renderBulletText } from './notes.js';
import { escapeMarkdownText, renderInlineText } from './notes-escape.js';

const repoUrl = 'https://github.com/acme/cutter';
const unit = fc.constantFrom(
  ...['a', 'Z', ' ', '\t', '\n', '\r', '#', '1', '9', '.', ')', '-', '+', '*', '=', '|', '~', '>', '<', '['],
  ...[']', '`', '\\', '&', '(', 'é', '🚀', '\u00a0', '\u2028', 'skip release', '[skip release]', ':'],
);

describe('commitNotesItem', () => {
  it('renders any subject exactly as the general escaping and linking path does (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), fc.option(fc.integer({ min: 1, max: 20 })), (text, pr) => {
        const commit = parsedCommit({ hash: 'b'.repeat(40), subject: text, pr, refs: [3, 4] });
        const item = commitNotesItem(commit, text, repoUrl);
        const general = renderBulletText(text, { repoUrl, pr });
        expect(item.subject).toBe(general.subject);
        expect(item.refs.map((r) => r.number)).toEqual([3, 4].filter((n) => n !== pr && !general.mentioned.has(n)));
      }),
      { numRuns: 5000 },
    );
  });

  it('escapes a scope only when it holds something to escape (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit, minLength: 1, maxLength: 8 }), (scope) => {
        const item = commitNotesItem(parsedCommit({ hash: 'a'.repeat(40), subject: 'x', scope }), 'x', null);
        expect(item.scope).toBe(escapeMarkdownText(scope));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('escapeMarkdownText', () => {
  it('gives what the general escaping path gives, also when it returns the text as it is (property)', () => {
    // Without a repository URL, renderInlineText is the general path: code spans split, specials escaped, mentions
    // made code, a block start neutralised.
    const withMentions = fc.oneof(unit, fc.constantFrom('@', 'ada@x', '0', '12.', '3)'));
    fc.assert(
      fc.property(fc.string({ unit: withMentions, maxLength: 10 }), (text) => {
        expect(escapeMarkdownText(text)).toBe(renderInlineText(text));
      }),
      { numRuns: 5000 },
    );
  });
});
