// Finds which configured release branch (and so which channel: stable, beta, rc…) a branch name belongs to.
import { namePatternMatches } from './name-pattern.js';
import type { BranchConfig } from './schema.js';

export interface BranchMatch {
  /** The configured entry that matched, or null when the branch does not release. */
  branch: BranchConfig | null;
  /** Prerelease identifier of the channel, null for stable. */
  prerelease: string | null;
}

/** The first configured branch matching `name`; a detached HEAD (null) releases on the first stable branch. */
export function matchBranch(branches: readonly BranchConfig[], name: string | null): BranchMatch {
  if (name === null) {
    const stable = branches.find((b) => b.prerelease === null) ?? null;
    return { branch: stable, prerelease: null };
  }
  const found = branches.find((b) => namePatternMatches(b.name, name)) ?? null;
  return { branch: found, prerelease: found?.prerelease ?? null };
}
