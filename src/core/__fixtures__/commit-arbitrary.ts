// Generates the fields of parsed commits for property tests of the notes: types, scopes, texts that need escaping.
import fc from 'fast-check';
import type { ParsedCommit } from '../types.js';

const text = fc.string({
  unit: fc.constantFrom('a', 'Z', ' ', '\n', '#', '1', '*', '<', '[', ']', '`', '\\', 'é', '🚀', '[skip release]'),
  maxLength: 10,
});

/** The fields `parsedCommit` takes, besides the hash. */
export const commitParts: fc.Arbitrary<Partial<ParsedCommit> & { subject: string }> = fc.record({
  type: fc.constantFrom('feat', 'fix', 'perf', 'docs', 'revert', 'other', null),
  scope: fc.option(text),
  subject: text,
  breaking: fc.boolean(),
  breakingNotes: fc.array(text, { maxLength: 2 }),
  pr: fc.option(fc.integer({ min: 1, max: 30 })),
  refs: fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 3 }),
  authorName: fc.option(text, { nil: undefined }),
  authorEmail: fc.option(fc.constantFrom('a@x.org', 'A@X.org', 'b@x.org'), { nil: undefined }),
}).map((p) => ({ ...p, conventional: p.type !== null }));
