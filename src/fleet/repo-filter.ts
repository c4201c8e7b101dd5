// Decides which repositories take part in a fleet run: a glob list with `!` excludes, or topics, never archived ones.

import picomatch from 'picomatch';
import { CutterError } from '../core/errors.js';

export interface RepoFilterOptions {
  /** Globs such as `connector-*`; a leading `!` excludes (`connector-*,!connector-legacy-*`). */
  patterns?: readonly string[];
  /** Alternative filter: a repo with any of these topics takes part (combined with patterns: both must hold). */
  topics?: readonly string[];
}

export type FilterVerdict =
  | { included: true }
  | { included: false; reason: 'not-selected' | 'excluded'; rule?: string };

/** Split `a,b , !c` into patterns; empty parts are a usage error, not a silent "match nothing". */
export function parsePatternList(text: string): string[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '' || p === '!')) {
    throw new CutterError('CUTTER_BAD_INPUT', `pattern list "${text}" has an empty entry`, {
      hint: "write globs separated by commas, e.g. 'connector-*,!connector-legacy-*'",
    });
  }
  return parts;
}

/** Compile once; the returned function says whether a repository is in the run and, if not, why. */
export function compileRepoFilter(
  opts: RepoFilterOptions,
): (repo: { name: string; topics: readonly string[] }) => FilterVerdict {
  const patterns = opts.patterns ?? [];
  const topics = (opts.topics ?? []).map((t) => t.toLowerCase());
  if (patterns.length === 0 && topics.length === 0) {
    throw new CutterError('CUTTER_BAD_INPUT', 'a fleet run needs a --pattern or a --topic', {
      hint: "use --pattern 'connector-*' (the default) or --topic connector",
    });
  }
  const includes = patterns.filter((p) => !p.startsWith('!'));
  const excludes = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const matchers = (globs: string[]) =>
    globs.map((g) => ({ glob: g, test: picomatch(g, { nocase: true, dot: true }) }));
  const inc = matchers(includes);
  const exc = matchers(excludes);
  return (repo) => {
    // Excludes only: everything else is in (`!connector-legacy-*` alone means "all but those").
    const selected = inc.length === 0 || inc.some((m) => m.test(repo.name));
    const topicOk = topics.length === 0 || repo.topics.some((t) => topics.includes(t.toLowerCase()));
    if (!selected || !topicOk) return { included: false, reason: 'not-selected' };
    const hit = exc.find((m) => m.test(repo.name));
    if (hit) return { included: false, reason: 'excluded', rule: `!${hit.glob}` };
    return { included: true };
  };
}
