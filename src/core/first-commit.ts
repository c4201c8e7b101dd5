// When a release's work began: the earliest author date among its commits (lead time starts there, seed 003).

import type { RawCommit } from './types.js';

/** ISO timestamp of the earliest dated commit, or null when none carries a parsable date. */
export function firstCommitAt(commits: readonly Pick<RawCommit, 'date'>[]): string | null {
  let first = Number.POSITIVE_INFINITY;
  for (const c of commits) {
    const t = c.date === undefined ? Number.NaN : Date.parse(c.date);
    if (t < first) first = t;
  }
  return Number.isFinite(first) ? new Date(first).toISOString() : null;
}
