// Builds ParsedCommit values for the notes and CHANGELOG tests, so they need no commit parser.
import type { ParsedCommit } from '../types.js';

/** A conventional commit `type(scope): subject` by default; override any field. */
export function parsedCommit(fields: Partial<ParsedCommit> & { hash: string; subject: string }): ParsedCommit {
  const type = fields.type === undefined ? 'feat' : fields.type;
  const scope = fields.scope ?? null;
  const conventional = fields.conventional ?? type !== null;
  const header =
    fields.header ??
    (conventional
      ? `${type}${scope ? `(${scope})` : ''}${fields.breaking ? '!' : ''}: ${fields.subject}`
      : fields.subject);
  return {
    header,
    type,
    scope,
    body: '',
    footers: [],
    breaking: false,
    breakingNotes: fields.breaking ? [fields.subject] : [],
    conventional,
    merge: false,
    revert: null,
    pr: null,
    refs: [],
    releaseAs: null,
    skipRelease: false,
    ...fields,
  };
}
