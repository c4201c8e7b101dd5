// Pure planning of a fleet run: which selected repositories get a release task, and why the others do not.

import type { FleetTag, RepoConfigFile } from '../github/discover-repos.js';

export type SkipReason = 'up-to-date' | 'archived' | 'excluded' | 'never-released' | 'empty';

/** A selected repository as discovery saw it. */
export interface PlanInput {
  name: string;
  archived: boolean;
  head: string | null;
  branch: string | null;
  latest: FleetTag | null;
  /** The `!glob` that excluded it. */
  excludedBy?: string;
  /** Its config file as discovery read it (null: none), handed to its release task; absent when unknown. */
  config?: RepoConfigFile | null;
}

export interface PlanEntry {
  repo: string;
  head: string | null;
  branch: string | null;
  latest: FleetTag | null;
  config?: RepoConfigFile | null;
  /** `candidate`: a child release task decides the bump from the commits since `latest`. */
  action: 'candidate' | 'skip';
  reason?: SkipReason;
  detail?: string;
}

export interface PlanOptions {
  /** A selected repo that was never tagged: release it (first release) or leave it (default: release). */
  neverReleased?: 'release' | 'skip';
}

/** Only repos whose head differs from their latest release tag's commit become candidates; the rest say why not. */
export function planFleet(repos: readonly PlanInput[], opts: PlanOptions = {}): PlanEntry[] {
  return repos.map((repo) => {
    const base = {
      repo: repo.name,
      head: repo.head,
      branch: repo.branch,
      latest: repo.latest,
      ...(repo.config !== undefined ? { config: repo.config } : {}),
    };
    const skip = (reason: SkipReason, detail: string): PlanEntry => ({ ...base, action: 'skip', reason, detail });
    if (repo.excludedBy) return skip('excluded', `excluded by ${repo.excludedBy}`);
    if (repo.archived) return skip('archived', 'archived repositories are never released');
    if (!repo.head) return skip('empty', 'no default branch or no commits');
    if (repo.latest && repo.latest.commit === repo.head) {
      return skip('up-to-date', `${repo.latest.tag} is on the ${repo.branch ?? 'default branch'} head`);
    }
    if (!repo.latest && opts.neverReleased === 'skip') {
      return skip('never-released', 'no release tag yet and first releases are off (--never-released skip)');
    }
    return { ...base, action: 'candidate' };
  });
}
