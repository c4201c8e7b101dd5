// Reads what CI reported on a commit: the combined commit status (newest per context) and its check runs.

import type { CheckRunView, StatusView } from '../core/required-checks.js';
import type { GitHubClient } from './client.js';
import type { RepoRef } from './repo-api.js';

/** Pages read at most per list; a commit with more than 500 statuses or check runs is not a release candidate. */
const MAX_PAGES = 5;

export async function readCommitChecks(
  gh: GitHubClient,
  repo: RepoRef,
  sha: string,
): Promise<{ statuses: StatusView[]; checkRuns: CheckRunView[] }> {
  const statuses: StatusView[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await gh.rest.repos.getCombinedStatusForRef({
      owner: repo.owner,
      repo: repo.name,
      ref: sha,
      per_page: 100,
      page,
    });
    for (const s of data.statuses) statuses.push({ context: s.context, state: s.state as StatusView['state'] });
    if (data.statuses.length < 100) break;
  }
  const checkRuns: CheckRunView[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await gh.rest.checks.listForRef({
      owner: repo.owner,
      repo: repo.name,
      ref: sha,
      per_page: 100,
      page,
    });
    for (const r of data.check_runs) {
      checkRuns.push({ id: r.id, name: r.name, status: r.status, conclusion: r.conclusion ?? null });
    }
    if (data.check_runs.length < 100) break;
  }
  return { statuses, checkRuns };
}
