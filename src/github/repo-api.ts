// The GitHub reads and writes a release needs, each idempotent: existing tags and releases are adopted, never redone.

import { CutterError } from '../core/errors.js';
import { pickLatestTag } from '../core/tag-format.js';
import type { RawCommit } from '../core/types.js';
import type { GitHubClient } from './client.js';
import { githubErrorCodes, githubStatus } from './github-error.js';

export interface RepoRef {
  owner: string;
  name: string;
}

const full = (repo: RepoRef) => `${repo.owner}/${repo.name}`;
const notFound = (err: unknown) => githubStatus(err) === 404;

/** The default branch of a repository and the commit at its head. */
export async function readBranchHead(
  gh: GitHubClient,
  repo: RepoRef,
  branch?: string,
): Promise<{ branch: string; sha: string }> {
  const name = branch ?? (await gh.rest.repos.get({ owner: repo.owner, repo: repo.name })).data.default_branch;
  const { data } = await gh.rest.repos.getCommit({ owner: repo.owner, repo: repo.name, ref: `heads/${name}` });
  return { branch: name, sha: data.sha };
}

/** A file's text at `ref`, or null when it does not exist there. */
export async function readRepoFile(gh: GitHubClient, repo: RepoRef, path: string, ref: string): Promise<string | null> {
  try {
    const { data } = await gh.rest.repos.getContent({ owner: repo.owner, repo: repo.name, path, ref });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return null;
    return Buffer.from(data.content, (data.encoding as BufferEncoding | undefined) ?? 'base64').toString('utf8');
  } catch (err) {
    if (notFound(err)) return null;
    throw err;
  }
}

export interface LatestTagFound {
  tag: string;
  version: string;
  commit: string;
}

export interface LatestTagLookup {
  latest: LatestTagFound | null;
  /** Tags that do not follow the format. */
  foreign: string[];
  /** Higher-versioned tags skipped because the head does not contain them (side branches). */
  unreachable: string[];
  /**
   * The lowest release tag that contains the head (the head is its ancestor): the head was already released
   * there, e.g. a late redelivery of an older push. Null when no higher tag contains the head.
   */
  releasedIn: LatestTagFound | null;
}

/** How many not-reachable candidates are tried before giving up (each costs one compare request). */
const MAX_UNREACHABLE = 25;

/**
 * The highest release tag (SemVer order) whose commit the head contains: list `refs/tags`, pick the highest,
 * confirm with `compare/{tag}...{head}` (`ahead`/`identical`), and try the next candidate when it is not.
 */
export async function findLatestReleaseTag(
  gh: GitHubClient,
  repo: RepoRef,
  head: string,
  tagFormat: string,
  opts: { pkg?: string; includePrerelease?: boolean; range?: string } = {},
): Promise<LatestTagLookup> {
  const refs = await gh.paginate(gh.rest.git.listMatchingRefs, {
    owner: repo.owner,
    repo: repo.name,
    ref: 'tags/',
    per_page: 100,
  });
  let names = refs.map((r) => r.ref.replace(/^refs\/tags\//, ''));
  const unreachable: string[] = [];
  let foreign: string[] = [];
  // Candidates come highest first, so the last tag seen that contains the head is the first release of it.
  let releasedIn: LatestTagFound | null = null;
  for (let tries = 0; tries <= MAX_UNREACHABLE; tries++) {
    const pick = pickLatestTag(names, tagFormat, {
      ...(opts.pkg !== undefined ? { pkg: opts.pkg } : {}),
      ...(opts.includePrerelease !== undefined ? { includePrerelease: opts.includePrerelease } : {}),
      ...(opts.range !== undefined ? { range: opts.range } : {}),
    });
    if (tries === 0) foreign = pick?.foreign ?? [];
    if (pick === null) return { latest: null, foreign, unreachable, releasedIn };
    const { data } = await gh.rest.repos.compareCommitsWithBasehead({
      owner: repo.owner,
      repo: repo.name,
      basehead: `${pick.tag}...${head}`,
      per_page: 1,
    });
    const found = { tag: pick.tag, version: pick.version, commit: data.base_commit.sha };
    if (data.status === 'ahead' || data.status === 'identical') {
      return { latest: found, foreign, unreachable, releasedIn };
    }
    if (data.status === 'behind') releasedIn = found;
    else unreachable.push(pick.tag);
    names = names.filter((n) => n !== pick.tag);
  }
  // Many releases since an old head: it is released all the same, in the lowest of the tags looked at.
  if (releasedIn !== null) return { latest: null, foreign, unreachable, releasedIn };
  throw new CutterError(
    'CUTTER_NO_PROGRESS',
    `${full(repo)}: more than ${MAX_UNREACHABLE} release tags are not on the branch`,
    {
      hint: `tags not contained in ${head.slice(0, 7)}: ${unreachable.slice(0, 5).join(', ')}…`,
    },
  );
}

function rawCommit(c: {
  sha: string;
  commit: { message: string; author: { name?: string; email?: string; date?: string } | null };
  parents: Array<{ sha: string }>;
}): RawCommit {
  return {
    hash: c.sha,
    message: c.commit.message,
    ...(c.commit.author?.name ? { authorName: c.commit.author.name } : {}),
    ...(c.commit.author?.email ? { authorEmail: c.commit.author.email } : {}),
    ...(c.commit.author?.date ? { date: c.commit.author.date } : {}),
    parents: c.parents.map((p) => p.sha),
  };
}

/** Hard stop for one release's range: beyond it the caller should release from a local clone instead. */
const MAX_COMMITS = 20_000;

/**
 * The commits in `base..head` (every one of them, paging the compare API 100 at a time past its 250 cap), or
 * the whole history of `head` for a first release. Oldest first.
 */
export async function listCommitsSince(
  gh: GitHubClient,
  repo: RepoRef,
  base: string | null,
  head: string,
): Promise<RawCommit[]> {
  const out: RawCommit[] = [];
  if (base === null) {
    for await (const page of gh.paginate.iterator(gh.rest.repos.listCommits, {
      owner: repo.owner,
      repo: repo.name,
      sha: head,
      per_page: 100,
    })) {
      for (const c of page.data) out.push(rawCommit(c));
      if (out.length > MAX_COMMITS) throw tooMany(repo);
    }
    return out.reverse();
  }
  let total = Number.POSITIVE_INFINITY;
  for (let page = 1; out.length < total; page++) {
    const { data } = await gh.rest.repos.compareCommitsWithBasehead({
      owner: repo.owner,
      repo: repo.name,
      basehead: `${base}...${head}`,
      per_page: 100,
      page,
    });
    total = data.total_commits;
    if (data.commits.length === 0) break;
    for (const c of data.commits) out.push(rawCommit(c));
    if (out.length > MAX_COMMITS) throw tooMany(repo);
  }
  return out;
}

function tooMany(repo: RepoRef): CutterError {
  return new CutterError('CUTTER_REFUSED', `${full(repo)}: more than ${MAX_COMMITS} commits since the last release`, {
    hint: 'release this one from a clone with `cutter release --cwd DIR`',
  });
}

/** The commit a tag ref points at, following annotated tag objects (tags of tags included). */
async function tagRefCommit(gh: GitHubClient, repo: RepoRef, tag: string): Promise<string | null> {
  let object: { type: string; sha: string };
  try {
    ({ object } = (await gh.rest.git.getRef({ owner: repo.owner, repo: repo.name, ref: `tags/${tag}` })).data);
  } catch (err) {
    if (notFound(err)) return null;
    throw err;
  }
  for (let depth = 0; object.type === 'tag' && depth < 5; depth++) {
    ({ object } = (await gh.rest.git.getTag({ owner: repo.owner, repo: repo.name, tag_sha: object.sha })).data);
  }
  return object.sha;
}

export interface TagResult {
  ref: string;
  tag: string;
  sha: string;
  adopted: boolean;
}

function tagConflict(repo: RepoRef, tag: string, existing: string, wanted: string): CutterError {
  return new CutterError(
    'CUTTER_TAG_CONFLICT',
    `${full(repo)}: tag ${tag} already points at ${existing.slice(0, 7)}, not at ${wanted.slice(0, 7)}`,
    {
      hint: 'tags are never moved or deleted — fix forward with a new patch release',
      details: { tag, existing, wanted },
    },
  );
}

/** How an `ensure…` call finds what an earlier attempt made. */
export interface EnsureOptions {
  /**
   * Look for an existing tag or release before creating (default true): one read, but no write spent on a create
   * that is bound to fail. False creates first and looks only when GitHub answers 422 "already exists", the same
   * outcome for one read less — right for a first attempt, where nothing is expected to exist yet.
   */
  lookFirst?: boolean;
}

/**
 * Create the annotated tag `tag` on `sha` (a tag object, then `refs/tags/<tag>`), adopting it when it already
 * exists on the same commit; on another commit it is a CUTTER_TAG_CONFLICT and the tag is left alone.
 */
export async function ensureAnnotatedTag(
  gh: GitHubClient,
  repo: RepoRef,
  input: { tag: string; sha: string; message: string; tagger?: { name: string; email: string } },
  opts: EnsureOptions = {},
): Promise<TagResult> {
  const ref = `refs/tags/${input.tag}`;
  const adoptOrConflict = (existing: string): TagResult => {
    if (existing !== input.sha) throw tagConflict(repo, input.tag, existing, input.sha);
    return { ref, tag: input.tag, sha: existing, adopted: true };
  };
  if (opts.lookFirst ?? true) {
    const before = await tagRefCommit(gh, repo, input.tag);
    if (before !== null) return adoptOrConflict(before);
  }
  const { data: tagObject } = await gh.rest.git.createTag({
    owner: repo.owner,
    repo: repo.name,
    tag: input.tag,
    message: input.message,
    object: input.sha,
    type: 'commit',
    ...(input.tagger ? { tagger: input.tagger } : {}),
  });
  try {
    await gh.rest.git.createRef({ owner: repo.owner, repo: repo.name, ref, sha: tagObject.sha });
  } catch (err) {
    // A 422 here is an earlier attempt (timed out, or a twin task) that won: read what is there now.
    if (githubStatus(err) !== 422) throw err;
    const now = await tagRefCommit(gh, repo, input.tag);
    if (now === null) throw err;
    return adoptOrConflict(now);
  }
  return { ref, tag: input.tag, sha: input.sha, adopted: false };
}

export interface ReleaseView {
  id: number;
  url: string;
  tag: string;
  draft: boolean;
  prerelease: boolean;
  body: string | null;
  publishedAt: string | null;
}

type ReleaseData = {
  id: number;
  html_url: string;
  tag_name: string;
  draft: boolean;
  prerelease: boolean;
  body?: string | null;
  published_at: string | null;
};

const view = (r: ReleaseData): ReleaseView => ({
  id: r.id,
  url: r.html_url,
  tag: r.tag_name,
  draft: r.draft,
  prerelease: r.prerelease,
  body: r.body ?? null,
  publishedAt: r.published_at,
});

/** The release of a tag, drafts included (GitHub's by-tag lookup does not see drafts), or null. */
export async function findReleaseByTag(gh: GitHubClient, repo: RepoRef, tag: string): Promise<ReleaseView | null> {
  try {
    const { data } = await gh.rest.repos.getReleaseByTag({ owner: repo.owner, repo: repo.name, tag });
    return view(data);
  } catch (err) {
    if (!notFound(err)) throw err;
  }
  // Drafts are listed newest first; a draft Cutter made is recent, so the first pages are enough.
  for (let page = 1; page <= 3; page++) {
    const { data } = await gh.rest.repos.listReleases({ owner: repo.owner, repo: repo.name, per_page: 100, page });
    const found = data.find((r) => r.tag_name === tag);
    if (found) return view(found);
    if (data.length < 100) break;
  }
  return null;
}

/**
 * Create the GitHub release of `tag`, or adopt the one that exists: a tag never gets two releases. A draft is
 * always looked for first, whatever `lookFirst` says: GitHub lets several drafts share a tag name, so only a
 * published release makes the create fail with "already exists".
 */
export async function ensureRelease(
  gh: GitHubClient,
  repo: RepoRef,
  input: {
    tag: string;
    name: string;
    body: string;
    draft: boolean;
    prerelease: boolean;
    targetCommitish: string;
    /** GitHub's `make_latest`; left to GitHub when absent. */
    makeLatest?: boolean;
  },
  opts: EnsureOptions = {},
): Promise<ReleaseView & { adopted: boolean }> {
  if ((opts.lookFirst ?? true) || input.draft) {
    const existing = await findReleaseByTag(gh, repo, input.tag);
    if (existing) return { ...existing, adopted: true };
  }
  try {
    const { data } = await gh.rest.repos.createRelease({
      owner: repo.owner,
      repo: repo.name,
      tag_name: input.tag,
      name: input.name,
      body: input.body,
      draft: input.draft,
      prerelease: input.prerelease,
      target_commitish: input.targetCommitish,
      ...(input.makeLatest !== undefined ? { make_latest: input.makeLatest ? 'true' : 'false' } : {}),
    });
    return { ...view(data), adopted: false };
  } catch (err) {
    if (githubStatus(err) !== 422 || !githubErrorCodes(err).includes('already_exists')) throw err;
    const winner = await findReleaseByTag(gh, repo, input.tag);
    if (!winner) throw err;
    return { ...winner, adopted: true };
  }
}

/** Read a release back by id (to confirm it is published and learn its page). */
export async function readRelease(gh: GitHubClient, repo: RepoRef, id: number): Promise<ReleaseView> {
  const { data } = await gh.rest.repos.getRelease({ owner: repo.owner, repo: repo.name, release_id: id });
  return view(data);
}
