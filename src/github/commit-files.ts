// The paths a commit changed, read through the GitHub API (`GET /repos/{o}/{r}/commits/{sha}`), for monorepo packages.

import type { GitHubClient } from './client.js';

export interface RepoRef {
  owner: string;
  name: string;
}

/** Commits read at once: a first release of a package walks the whole history, one request per commit. */
const CONCURRENCY = 4;

/** GitHub pages a commit's files 300 at a time, up to 3000. */
const FILES_PER_PAGE = 300;
const MAX_FILE_PAGES = 10;

/**
 * The repository-relative paths `sha` changed against its first parent; a rename counts for both its old and new
 * path (moving a file out of a package changes that package).
 */
export async function commitFiles(gh: GitHubClient, repo: RepoRef, sha: string): Promise<string[]> {
  const paths = new Set<string>();
  for (let page = 1; page <= MAX_FILE_PAGES; page++) {
    const { data } = await gh.rest.repos.getCommit({
      owner: repo.owner,
      repo: repo.name,
      ref: sha,
      per_page: FILES_PER_PAGE,
      page,
    });
    const files = data.files ?? [];
    const before = paths.size;
    for (const f of files) {
      paths.add(f.filename);
      if (f.previous_filename) paths.add(f.previous_filename);
    }
    // A short page is the last; a page with nothing new means the server does not page files.
    if (files.length < FILES_PER_PAGE || paths.size === before) break;
  }
  return [...paths];
}

/** `commits` with the paths each one changed, in the same order. */
export async function withCommitFiles<T extends { hash: string }>(
  gh: GitHubClient,
  repo: RepoRef,
  commits: readonly T[],
): Promise<Array<T & { files: string[] }>> {
  const out = new Array<T & { files: string[] }>(commits.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < commits.length; i = next++) {
      const c = commits[i]!;
      out[i] = { ...c, files: await commitFiles(gh, repo, c.hash) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, commits.length) }, worker));
  return out;
}
