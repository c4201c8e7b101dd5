// Decides whether a commit's author is one whose commits do not count toward a release (bots, usually).
import { namePattern } from './name-pattern.js';

export type AuthorFilter = (name: string | undefined, email: string | undefined) => boolean;

/** A predicate, compiled once, true when the author name or e-mail matches an `ignoreAuthors` pattern (any case). */
export function ignoredAuthorFilter(patterns: readonly string[]): AuthorFilter {
  const compiled = patterns.map((p) => namePattern(p, { ignoreCase: true }));
  if (compiled.length === 0) return () => false;
  return (name, email) =>
    compiled.some((re) => (name !== undefined && re.test(name)) || (email !== undefined && re.test(email)));
}
