// Finds the latest release tag reachable from HEAD, and creates and pushes annotated tags without ever moving one.
import { CutterError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { parseTag, pickLatestTag } from '../core/tag-format.js';
import { assertSafeRemote, assertValidTagName } from './ref-name.js';
import { headSha } from './repo-info.js';
import { runGit } from './run-git.js';

export interface LatestTagOptions {
  /** For `{package}@{version}` templates: the package whose tags count. */
  package?: string;
  /** The revision tags must be reachable from (default HEAD). Must come from us, not raw user input. */
  from?: string;
  /** Count prerelease tags too (a `beta` channel continues `1.3.0-beta.1`); stable lines skip them. */
  includePrerelease?: boolean;
  /** A maintenance line (`1.x`): only tags inside this semver range count. */
  range?: string;
}

export interface LatestTag {
  tag: string;
  version: string;
  /** Full sha of the commit the tag points at (peeled through annotated tags). */
  commit: string;
}

export interface LatestTagResult {
  /** The highest release tag by SemVer order reachable from HEAD, or null when there is none. */
  latest: LatestTag | null;
  /** Reachable tags that do not follow the template (`latest`, `release-2020`…): reported, ignored. */
  foreign: string[];
  /** How many tags are reachable from HEAD in total. */
  reachable: number;
}

/**
 * The latest release tag reachable from HEAD by SemVer order (not by date). One `git for-each-ref --merged`
 * process lists every reachable tag and its commit, so thousands of tags stay fast; side branches are ignored.
 * Deciding reachability walks the history from `from` (as long as `git log` of it, without a commit-graph):
 * callers with a long range may start on `likelyReleaseTag` meanwhile and check the guess against this answer.
 */
export async function latestReleaseTag(
  cwd: string,
  template: string,
  opts: LatestTagOptions = {},
): Promise<LatestTagResult> {
  const from = opts.from ?? (await headSha(cwd));
  return pickFrom(await listTags(cwd, from), template, opts);
}

/**
 * What `latestReleaseTag` answers when the best-ranked tag is reachable, which is the usual case: the same pick
 * among all tags, from one `for-each-ref` that walks no history. A guess, never an answer on its own.
 */
export async function likelyReleaseTag(
  cwd: string,
  template: string,
  opts: LatestTagOptions = {},
): Promise<LatestTag | null> {
  return (await releaseTagsAnywhere(cwd, template, opts)).latest;
}

/**
 * `latestReleaseTag` as if HEAD reached every tag: `latest` is `likelyReleaseTag`, `foreign` lists every foreign
 * tag of the repository and `reachable` counts all tags. What it proves: when HEAD reaches `latest`, that is the
 * answer (a subset of the tags holding the best one picks it), and when `foreign` is empty no reachable tag is
 * foreign. One `for-each-ref` that walks no history.
 */
export async function releaseTagsAnywhere(
  cwd: string,
  template: string,
  opts: LatestTagOptions = {},
): Promise<LatestTagResult> {
  return pickReleaseTag(await tagCommits(cwd), template, opts);
}

/** Every tag of the repository with its commit (peeled): what `releaseTagsAnywhere` picks from. */
export function tagCommits(cwd: string): Promise<Map<string, string>> {
  return listTags(cwd, null);
}

/** `releaseTagsAnywhere` over tags already listed by `tagCommits`. */
export function pickReleaseTag(
  tags: Map<string, string>,
  template: string,
  opts: LatestTagOptions = {},
): LatestTagResult {
  return pickFrom(tags, template, opts);
}

/** Tag name → commit (peeled for annotated tags), of the tags reachable from `merged`, or of all tags. */
async function listTags(cwd: string, merged: string | null): Promise<Map<string, string>> {
  const res = await runGit(cwd, [
    'for-each-ref',
    ...(merged === null ? [] : [`--merged=${merged}`]),
    '--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)',
    'refs/tags',
  ]);
  const commits = new Map<string, string>();
  for (const line of res.stdout.split('\n')) {
    if (line.length === 0) continue;
    const [name = '', object = '', peeled = ''] = line.split('\0');
    commits.set(name, peeled || object);
  }
  return commits;
}

function pickFrom(commits: Map<string, string>, template: string, opts: LatestTagOptions): LatestTagResult {
  const names = [...commits.keys()];
  const picked = pickLatestTag(names, template, {
    ...(opts.package !== undefined ? { pkg: opts.package } : {}),
    ...(opts.includePrerelease !== undefined ? { includePrerelease: opts.includePrerelease } : {}),
    ...(opts.range !== undefined ? { range: opts.range } : {}),
  });
  const foreign = picked?.foreign ?? names.filter((n) => parseTag(template, n, opts.package) === null);
  if (!picked) return { latest: null, foreign, reachable: names.length };
  const commit = commits.get(picked.tag) ?? null;
  if (commit === null) throw new CutterError('CUTTER_GIT_FAILED', `tag ${picked.tag} vanished while reading it`);
  return { latest: { tag: picked.tag, version: picked.version, commit }, foreign, reachable: names.length };
}

/** The commit a tag points at (peeled), or null when the tag does not exist. */
export async function tagCommit(cwd: string, name: string): Promise<string | null> {
  assertValidTagName(name);
  const res = await runGit(cwd, ['rev-parse', '-q', '--verify', `refs/tags/${name}^{commit}`], { allowFailure: true });
  return res.code === 0 ? res.stdout.trim() : null;
}

export interface CreatedTag {
  name: string;
  commit: string;
  /** True when the tag already existed on the same commit and was adopted instead of created. */
  adopted: boolean;
}

/**
 * Create annotated tag `name` on `sha`. An existing tag on the same commit is adopted (re-runs converge);
 * an existing tag on another commit is CUTTER_TAG_CONFLICT. A tag is never moved or deleted.
 */
export async function createAnnotatedTag(cwd: string, name: string, sha: string, message: string): Promise<CreatedTag> {
  assertValidTagName(name);
  const commit = await resolveCommit(cwd, sha);
  const existing = await tagCommit(cwd, name);
  if (existing !== null) return adoptOrConflict(name, existing, commit);
  const res = await runGit(cwd, ['tag', '--annotate', '--cleanup=verbatim', '--file=-', name, commit], {
    input: message,
    allowFailure: true,
  });
  if (res.code !== 0) {
    // Someone else created it between our check and our write: decide again on what is there now.
    const raced = await tagCommit(cwd, name);
    if (raced !== null) return adoptOrConflict(name, raced, commit);
    await runGit(cwd, ['tag', '--annotate', '--cleanup=verbatim', '--file=-', name, commit], { input: message });
  }
  return { name, commit, adopted: false };
}

function adoptOrConflict(name: string, existing: string, wanted: string): CreatedTag {
  if (existing === wanted) return { name, commit: existing, adopted: true };
  throw new CutterError(
    'CUTTER_TAG_CONFLICT',
    `tag ${name} already points at ${existing.slice(0, 7)}, not at ${wanted.slice(0, 7)}`,
    {
      hint: 'tags are never moved: fix forward with a new patch release',
      details: { tag: name, existing, wanted },
    },
  );
}

async function resolveCommit(cwd: string, rev: string): Promise<string> {
  if (!/^[0-9a-f]{4,64}$/i.test(rev) && rev !== 'HEAD') {
    throw new CutterError('CUTTER_BAD_INPUT', `${JSON.stringify(rev)} is not a commit sha`, {
      hint: 'pass a full or abbreviated sha',
    });
  }
  const res = await runGit(cwd, ['rev-parse', '-q', '--verify', `${rev}^{commit}`], { allowFailure: true });
  if (res.code !== 0) {
    if (rev === 'HEAD') return headSha(cwd);
    throw new CutterError('CUTTER_NOT_FOUND', `commit ${rev} does not exist in ${cwd}`);
  }
  return res.stdout.trim();
}

/** Push one tag to `remote`; pushing a tag the remote already has on the same commit is a no-op. */
export async function pushTag(cwd: string, remote: string, name: string): Promise<void> {
  assertValidTagName(name);
  assertSafeRemote(remote);
  const ref = `refs/tags/${name}`;
  const res = await runGit(cwd, ['push', '--porcelain', '--', remote, `${ref}:${ref}`], { allowFailure: true });
  if (res.code === 0) return;
  if (/\[rejected\]|already exists|non-fast-forward/i.test(res.stdout + res.stderr)) {
    throw new CutterError('CUTTER_TAG_CONFLICT', `the remote ${remote} already has tag ${name} on another commit`, {
      hint: 'tags are never moved: fix forward with a new patch release',
    });
  }
  throw new CutterError(
    'CUTTER_GIT_FAILED',
    `git push of ${name} to ${remote} failed: ${redact(res.stderr.trim().slice(0, 400))}`,
    {
      hint: 'check the remote URL and your credentials (git push by hand shows the full error)',
      transient: /timed out|could not resolve|connection|temporarily/i.test(res.stderr),
    },
  );
}
