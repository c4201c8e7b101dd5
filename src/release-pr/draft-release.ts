// Opens (or brings up to date) the draft release PR: branch `release-<tag>`, bumped version files and CHANGELOG, notes as body.
import { updateChangelog } from '../core/changelog.js';
import { parseCommits } from '../core/commit-parse.js';
import { CutterError } from '../core/errors.js';
import { repoWebUrl } from '../core/github-web-url.js';
import { renderNotes } from '../core/notes.js';
import { formatTag } from '../core/tag-format.js';
import type { RawCommit } from '../core/types.js';
import { editorFor, type VersionFileSpec } from '../core/version-files/index.js';
import type { GitHubClient } from '../github/client.js';
import { githubStatus } from '../github/github-error.js';
import {
  findLatestReleaseTag,
  listCommitsSince,
  type RepoRef,
  readBranchHead,
  readRepoFile,
} from '../github/repo-api.js';
import { releaseBranchName, requestedVersion } from './release-branch.js';

export const CHANGELOG_PATH = 'CHANGELOG.md';

export interface DraftReleaseInput {
  repo: RepoRef;
  /** `major`, `minor`, `patch` or an explicit version. */
  request: string;
  /** Bump from this version instead of the latest release tag (its tag, when it exists, starts the commit range). */
  from?: string;
  tagFormat: string;
  package?: string;
  firstRelease: string;
  versionFiles: ReadonlyArray<VersionFileSpec & { path: string }>;
  /** Repository-relative changelog (default CHANGELOG.md; a package keeps its own in its directory). */
  changelogPath?: string;
  /** A prerelease channel's PR counts from the latest prerelease too (`2.0.0-beta.1` → `-beta.2`). */
  includePrerelease?: boolean;
  /** The commits that belong to this release (a package's: those touching its path); all of them by default. */
  selectCommits?: (commits: RawCommit[]) => Promise<RawCommit[]>;
  /** The branch the release PR starts from and targets (default: the repository's default branch). */
  baseBranch?: string;
  /** Release date for the CHANGELOG, `YYYY-MM-DD` (the caller owns the clock). */
  date: string;
  notes?: Parameters<typeof renderNotes>[1];
  dryRun?: boolean;
}

export interface FileChange {
  path: string;
  /** False when the branch already held the wanted text (a re-run). */
  changed: boolean;
}

export interface DraftReleaseResult {
  version: string;
  tag: string;
  previousTag: string | null;
  branch: string;
  base: { branch: string; sha: string };
  commits: number;
  title: string;
  body: string;
  files: FileChange[];
  dryRun: boolean;
  pr: { number: number; url: string; created: boolean } | null;
}

/**
 * Compute the version from the request, create `release-<tag>` from the default branch head (or move a stale
 * one there), write each version file and CHANGELOG.md that differs, and open a draft PR — or update its title
 * and body. Running it again with nothing new changes nothing.
 */
export async function draftRelease(gh: GitHubClient, input: DraftReleaseInput): Promise<DraftReleaseResult> {
  const { repo } = input;
  const pkg = input.package ? { package: input.package } : {};
  const base = await readBranchHead(gh, repo, input.baseBranch);
  const { previousTag, current } = await startingPoint(gh, input, base.sha);
  const version = requestedVersion(input.request, current, input.firstRelease);
  const tag = formatTag(input.tagFormat, { version, ...pkg });
  const branch = releaseBranchName(input.tagFormat, version, input.package);

  const listed = await listCommitsSince(gh, repo, previousTag, base.sha);
  const commits = parseCommits(input.selectCommits ? await input.selectCommits(listed) : listed);
  const repoUrl = repoWebUrl(gh.request.endpoint.DEFAULTS.baseUrl, repo);
  const notesInput = { version, tag, previousTag, date: input.date, commits, repoUrl };
  const body = renderNotes(notesInput, input.notes ?? {});
  const title = `chore(release): ${tag}`;

  // Wanted text of every file, computed from the base branch so a re-run converges on the same bytes.
  const wanted: Array<{ path: string; text: string }> = [];
  for (const file of input.versionFiles) {
    const text = await readRepoFile(gh, repo, file.path, base.sha);
    if (text === null) {
      throw new CutterError('CUTTER_NOT_FOUND', `version file ${file.path} does not exist on ${base.branch}`, {
        hint: 'fix the path under versionFiles in .cutter.yml',
      });
    }
    wanted.push({ path: file.path, text: editorFor(file.path, file)(text, version) });
  }
  const changelogPath = input.changelogPath ?? CHANGELOG_PATH;
  const changelog = await readRepoFile(gh, repo, changelogPath, base.sha);
  wanted.push({
    path: changelogPath,
    text: updateChangelog(changelog, { ...notesInput, tagTemplate: input.tagFormat }),
  });

  const plan = { version, tag, previousTag, branch, base, commits: commits.length, title, body };
  if (input.dryRun) {
    return { ...plan, files: wanted.map((w) => ({ path: w.path, changed: true })), dryRun: true, pr: null };
  }

  await ensureBranchAtBase(gh, repo, branch, base.sha);
  const files: FileChange[] = [];
  for (const w of wanted) files.push(await writeFile(gh, repo, branch, w.path, w.text, `${title}: ${w.path}`));
  const pr = await ensureDraftPr(gh, repo, { branch, base: base.branch, title, body });
  return { ...plan, files, dryRun: false, pr };
}

async function startingPoint(
  gh: GitHubClient,
  input: DraftReleaseInput,
  head: string,
): Promise<{ previousTag: string | null; current: string | null }> {
  const pkg = {
    ...(input.package ? { pkg: input.package } : {}),
    ...(input.includePrerelease ? { includePrerelease: true } : {}),
  };
  if (input.from !== undefined) {
    const fromTag = formatTag(input.tagFormat, {
      version: input.from,
      ...(input.package ? { package: input.package } : {}),
    });
    const exists = await tagExists(gh, input.repo, fromTag);
    if (exists) return { previousTag: fromTag, current: input.from };
    const latest = await findLatestReleaseTag(gh, input.repo, head, input.tagFormat, pkg);
    return { previousTag: latest.latest?.tag ?? null, current: input.from };
  }
  const latest = await findLatestReleaseTag(gh, input.repo, head, input.tagFormat, pkg);
  return { previousTag: latest.latest?.tag ?? null, current: latest.latest?.version ?? null };
}

async function tagExists(gh: GitHubClient, repo: RepoRef, tag: string): Promise<boolean> {
  try {
    await gh.rest.git.getRef({ owner: repo.owner, repo: repo.name, ref: `tags/${tag}` });
    return true;
  } catch (err) {
    if (githubStatus(err) === 404) return false;
    throw err;
  }
}

/**
 * Make `branch` start at the base head. A branch the base has moved past is reset there: the release branch is
 * Cutter's own, and its file edits are recomputed from the new base right after.
 */
async function ensureBranchAtBase(gh: GitHubClient, repo: RepoRef, branch: string, baseSha: string): Promise<void> {
  const o = { owner: repo.owner, repo: repo.name };
  let current: string | null = null;
  try {
    current = (await gh.rest.git.getRef({ ...o, ref: `heads/${branch}` })).data.object.sha;
  } catch (err) {
    if (githubStatus(err) !== 404) throw err;
  }
  if (current === null) {
    try {
      await gh.rest.git.createRef({ ...o, ref: `refs/heads/${branch}`, sha: baseSha });
    } catch (err) {
      // A twin run created it first: fine, it starts at the same base.
      if (githubStatus(err) !== 422) throw err;
    }
    return;
  }
  const { data } = await gh.rest.repos.compareCommitsWithBasehead({ ...o, basehead: `${baseSha}...${current}` });
  if (data.behind_by > 0) await gh.rest.git.updateRef({ ...o, ref: `heads/${branch}`, sha: baseSha, force: true });
}

async function writeFile(
  gh: GitHubClient,
  repo: RepoRef,
  branch: string,
  path: string,
  text: string,
  message: string,
): Promise<FileChange> {
  const o = { owner: repo.owner, repo: repo.name };
  for (let attempt = 0; ; attempt++) {
    const onBranch = await readBlob(gh, repo, branch, path);
    if (onBranch?.text === text) return { path, changed: attempt > 0 };
    try {
      await gh.rest.repos.createOrUpdateFileContents({
        ...o,
        path,
        branch,
        message,
        content: Buffer.from(text, 'utf8').toString('base64'),
        ...(onBranch ? { sha: onBranch.sha } : {}),
      });
      return { path, changed: true };
    } catch (err) {
      // 409: the file moved under us, most often our own earlier attempt that timed out but landed. Look again.
      if (githubStatus(err) !== 409 || attempt >= 2) throw err;
    }
  }
}

async function readBlob(
  gh: GitHubClient,
  repo: RepoRef,
  branch: string,
  path: string,
): Promise<{ sha: string; text: string } | null> {
  try {
    const { data } = await gh.rest.repos.getContent({
      owner: repo.owner,
      repo: repo.name,
      path,
      ref: `heads/${branch}`,
    });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return null;
    const encoding = (data.encoding as BufferEncoding | undefined) ?? 'base64';
    return { sha: data.sha, text: Buffer.from(data.content, encoding).toString('utf8') };
  } catch (err) {
    if (githubStatus(err) === 404) return null;
    throw err;
  }
}

async function ensureDraftPr(
  gh: GitHubClient,
  repo: RepoRef,
  pr: { branch: string; base: string; title: string; body: string },
): Promise<{ number: number; url: string; created: boolean }> {
  const o = { owner: repo.owner, repo: repo.name };
  const existing = await openPrOf(gh, repo, pr.branch);
  if (existing) {
    if (existing.title !== pr.title || (existing.body ?? '') !== pr.body) {
      await gh.rest.pulls.update({ ...o, pull_number: existing.number, title: pr.title, body: pr.body });
    }
    return { number: existing.number, url: existing.html_url, created: false };
  }
  try {
    const { data } = await gh.rest.pulls.create({
      ...o,
      head: pr.branch,
      base: pr.base,
      title: pr.title,
      body: pr.body,
      draft: true,
    });
    return { number: data.number, url: data.html_url, created: true };
  } catch (err) {
    // 422 "already exists": an earlier attempt (timed out) or a twin run opened it; that one is ours.
    const twin = githubStatus(err) === 422 ? await openPrOf(gh, repo, pr.branch) : undefined;
    if (!twin) throw err;
    return { number: twin.number, url: twin.html_url, created: false };
  }
}

async function openPrOf(gh: GitHubClient, repo: RepoRef, branch: string) {
  const { data } = await gh.rest.pulls.list({
    owner: repo.owner,
    repo: repo.name,
    state: 'open',
    head: `${repo.owner}:${branch}`,
  });
  return data.find((p) => p.head.ref === branch);
}
