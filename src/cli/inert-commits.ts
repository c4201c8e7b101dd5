// Spots commits that cannot change the release decision or the notes, so 100k-commit ranges need not keep them.
import type { BumpRules, NotesSectionConfig, ParsedCommit } from '../core/types.js';

/**
 * A predicate over commits in stream order (newest first). A commit is inert when its type releases nothing
 * (`none` in the rules), it is not breaking, not a revert, not skipped, asks for no `Release-As`, its type is
 * hidden from the notes, and its author was already seen (so the contributor list keeps its order).
 * The caller must still count inert commits, and must put back any dropped commit a revert in the range may
 * name (a revert cancels its target, which must then be present).
 * With `defaultPatch` every commit matters ("new commits but none typed"), so nothing is inert.
 */
export function inertCommitFilter(
  rules: BumpRules,
  sections: readonly NotesSectionConfig[],
): ((commit: ParsedCommit) => boolean) | null {
  if (rules.defaultPatch) return null;
  const shown = new Set(sections.filter((s) => !s.hidden).map((s) => s.type));
  const authors = new Set<string>();
  return (c) => {
    const name = c.authorName?.trim();
    const author = c.authorEmail ? c.authorEmail.trim().toLowerCase() : `name:${name ?? ''}`;
    const newAuthor = name ? !authors.has(author) : false;
    if (newAuthor) authors.add(author);
    if (newAuthor || !c.conventional || c.type === null || c.merge) return false;
    if (c.breaking || c.revert !== null || c.skipRelease || c.releaseAs !== null) return false;
    return rules.types[c.type] === 'none' && !shown.has(c.type);
  };
}
