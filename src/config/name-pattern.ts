// Matches names (branches, repositories, authors) against config patterns where `*` is the only wildcard.

/** Compile a pattern once (`*` matches any run of characters; everything else is literal). */
export function namePattern(pattern: string, opts: { ignoreCase?: boolean } = {}): RegExp {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, opts.ignoreCase ? 'i' : '');
}

export function namePatternMatches(pattern: string, name: string, opts: { ignoreCase?: boolean } = {}): boolean {
  return namePattern(pattern, opts).test(name);
}
