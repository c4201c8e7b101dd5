// Works out, for a local repository, the last tag, the commits since, the bump, the next version and the notes.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ignoredAuthorFilter } from '../config/author-filter.js';
import { matchBranch } from '../config/branch-channel.js';
import { loadConfig } from '../config/load-config.js';
import type { CutterConfig } from '../config/schema.js';
import { CutterError } from '../core/errors.js';
import type { Bump, BumpReason, ParsedCommit, RawCommit } from '../core/types.js';
import { streamLogBatches } from '../git/log-stream.js';
import { readRepoInfo } from '../git/repo-info.js';
import { shallowCloneError } from '../git/run-git.js';
import { type LatestTag, latestReleaseTag, likelyReleaseTag } from '../git/tags.js';
import { inertCommitFilter } from './inert-commits.js';

export interface PlanOptions {
  /** Any directory inside the repository. */
  cwd: string;
  /** Release day `YYYY-MM-DD`; today (UTC) by default. */
  date?: string;
  /** Remote whose URL gives the links in the notes (default origin). */
  remote?: string;
  /**
   * Keep every parsed commit (the changelog editor reads types the notes hide). By default commits that cannot
   * change the decision or the notes are counted and dropped, which keeps 100k-commit ranges small and fast.
   */
  keepAllCommits?: boolean;
}

export interface LocalReleasePlan {
  root: string;
  head: string;
  /** Checked-out branch, null on a detached HEAD. */
  branch: string | null;
  /** False when the branch is not one of the configured release branches. */
  branchReleases: boolean;
  /** Prerelease channel (`beta`, `rc`…), null for stable. */
  channel: string | null;
  repoUrl: string | null;
  configSource: string | null;
  tagFormat: string;
  lastTag: LatestTag | null;
  foreignTags: string[];
  commits: {
    total: number;
    /** Conventional commits per type. */
    byType: Record<string, number>;
    nonConventional: number;
    /** `[skip release]` commits. */
    skipped: number;
    /** Commits by `ignoreAuthors` (bots). */
    ignoredAuthors: number;
  };
  bump: Bump;
  /** The commits that caused the bump (all of them at the chosen level). */
  causes: BumpReason[];
  releaseAs: string | null;
  currentVersion: string | null;
  nextVersion: string | null;
  nextTag: string | null;
  /** Why no version is proposed although commits asked for one (e.g. a channel rule), when so. */
  refused: string | null;
  /** Why a `Release-As` footer was not followed, when so. */
  ignoredReleaseAs: string | null;
  /** Markdown notes of the next version; null when there is nothing to release. */
  notes: string | null;
  date: string;
  /** Bodies dropped to stay small at 100k commits; without `keepAllCommits`, inert commits are left out too. */
  parsedCommits: ParsedCommit[];
}

/** Read config, tags and history of the repository at `cwd` and decide the next release. No side effects. */
export async function planLocalRelease(opts: PlanOptions): Promise<LocalReleasePlan> {
  // Core modules load while git answers the first questions.
  const corePromise = Promise.all([
    import('../core/commit-scan.js'),
    import('../core/bump-rules.js'),
    import('../core/bump.js'),
    import('../core/next-version.js'),
    import('../core/tag-format.js'),
    import('../core/notes.js'),
  ]);
  const info = await readRepoInfo(opts.cwd, opts.remote);
  if (info.shallow) throw shallowCloneError(info.root);
  const { config, source } = await loadConfig(info.root);
  const match = matchBranch(config.branches, info.branch);
  const range = match.branch?.range;
  const tagOptions = {
    from: info.head,
    includePrerelease: match.prerelease !== null,
    ...(config.package ? { package: config.package } : {}),
    ...(range !== undefined ? { range } : {}),
  };
  // Which tags HEAD reaches takes git a walk of the whole history, as long as the log itself: the log of the
  // likely range streams meanwhile, and is redone only when the reachable tags pick another commit.
  const reachableTags = latestReleaseTag(info.root, config.tagFormat, tagOptions);
  reachableTags.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"
  const guess = await likelyReleaseTag(info.root, config.tagFormat, tagOptions);
  const [
    { scanCommit },
    { mergeBumpRules },
    { decideBump },
    { nextVersionChecked },
    { formatTag },
    { DEFAULT_NOTES_SECTIONS },
  ] = await corePromise;

  const rules = mergeBumpRules(config.bump);
  const sections = config.notes.sections ?? DEFAULT_NOTES_SECTIONS;
  const collect = (since: string | null, signal?: AbortSignal): Promise<CollectedCommits> =>
    collectCommits(info.root, since ? [`${since}..${info.head}`] : [info.head], scanCommit, {
      ignoreAuthors: config.ignoreAuthors,
      inert: opts.keepAllCommits ? null : inertCommitFilter(rules, sections),
      ...(signal ? { signal } : {}),
    });
  const guessed = new AbortController();
  const early = collect(guess?.commit ?? null, guessed.signal);
  early.catch(() => {}); // awaited (or abandoned) below
  let tags: Awaited<typeof reachableTags>;
  try {
    tags = await reachableTags;
  } catch (err) {
    guessed.abort();
    await early.catch(() => {});
    throw err;
  }
  let collected: CollectedCommits;
  if ((tags.latest?.commit ?? null) === (guess?.commit ?? null)) {
    collected = await early;
  } else {
    guessed.abort();
    await early.catch(() => {});
    collected = await collect(tags.latest?.commit ?? null);
  }
  const { commits, byType, total, ignoredAuthors } = collected;

  const currentVersion = tags.latest?.version ?? null;
  const decision = decideBump(commits, rules, currentVersion);
  const channel = match.prerelease;
  const next = nextVersionChecked(currentVersion, decision, {
    firstRelease: config.firstRelease,
    channel: { prerelease: channel, ...(range !== undefined ? { range } : {}) },
  });
  const nextVersion = next.version ?? null;
  const nextTag =
    nextVersion === null
      ? null
      : formatTag(config.tagFormat, { version: nextVersion, ...(config.package ? { package: config.package } : {}) });
  const date = opts.date ?? new Date().toISOString().slice(0, 10);
  const notes =
    nextVersion === null || nextTag === null
      ? null
      : await renderPlanNotes(config, info.root, {
          version: nextVersion,
          tag: nextTag,
          previousTag: tags.latest?.tag ?? null,
          date,
          commits,
          ...(info.repoUrl ? { repoUrl: info.repoUrl } : {}),
        });

  return {
    root: info.root,
    head: info.head,
    branch: info.branch,
    branchReleases: match.branch !== null,
    channel,
    repoUrl: info.repoUrl,
    configSource: source,
    tagFormat: config.tagFormat,
    lastTag: tags.latest,
    foreignTags: tags.foreign,
    commits: {
      total,
      byType,
      nonConventional: decision.nonConventional.length,
      skipped: decision.skipped.length,
      ignoredAuthors,
    },
    bump: decision.bump,
    causes: decision.causes,
    releaseAs: decision.releaseAs,
    currentVersion,
    nextVersion,
    nextTag,
    refused: next.refused ?? null,
    ignoredReleaseAs: next.ignoredReleaseAs ?? null,
    notes,
    date,
    parsedCommits: commits,
  };
}

interface CollectedCommits {
  commits: ParsedCommit[];
  byType: Record<string, number>;
  total: number;
  ignoredAuthors: number;
}

/**
 * An inert commit left out of the kept list, and how many kept commits came before it: only what a revert can
 * name it by, and what rebuilds it if one does (an inert commit's facts all follow from its header, see below).
 */
interface DroppedCommit {
  at: number;
  hash: string;
  header: string;
  refs: number[];
  authorName: string | undefined;
  authorEmail: string | undefined;
}

/**
 * Stream the range once, reading each commit as it arrives and keeping only what the decision and notes need.
 * Inert commits are set aside; the few a revert in the range may undo are put back in place at the end, so the
 * revert meets its target exactly as if nothing had been dropped.
 */
async function collectCommits(
  root: string,
  revisions: string[],
  scanCommit: (raw: RawCommit) => ParsedCommit,
  opts: { ignoreAuthors: readonly string[]; inert: ((c: ParsedCommit) => boolean) | null; signal?: AbortSignal },
): Promise<CollectedCommits> {
  const ignored = ignoredAuthorFilter(opts.ignoreAuthors);
  const out: CollectedCommits = { commits: [], byType: {}, total: 0, ignoredAuthors: 0 };
  const dropped: DroppedCommit[] = [];
  const reverts: ParsedCommit[] = [];
  const names = new Map<string, string>();
  const intern = (s: string | undefined): string | undefined => {
    if (s === undefined) return s;
    const known = names.get(s);
    if (known !== undefined) return known;
    names.set(s, s);
    return s;
  };
  // Commit dates are not used by the decision or the notes: git need not print them.
  for await (const batch of streamLogBatches(root, revisions, { dates: false })) {
    // Stopping the loop kills git (see streamGitRecords): an abandoned guess costs no more than it has read.
    if (opts.signal?.aborted) break;
    for (const raw of batch) {
      out.total++;
      if (ignored(raw.authorName, raw.authorEmail)) {
        out.ignoredAuthors++;
        continue;
      }
      const parsed = scanCommit(raw);
      if (parsed.type !== null) out.byType[parsed.type] = (out.byType[parsed.type] ?? 0) + 1;
      parsed.authorName = intern(parsed.authorName);
      parsed.authorEmail = intern(parsed.authorEmail);
      if (parsed.revert !== null) reverts.push(parsed);
      if (opts.inert?.(parsed)) {
        const { hash, header, refs, authorName, authorEmail } = parsed;
        dropped.push({ at: out.commits.length, hash, header, refs, authorName, authorEmail });
      } else out.commits.push(parsed);
    }
  }
  if (dropped.length > 0 && reverts.length > 0) {
    out.commits = restoreRevertTargets(out.commits, dropped, reverts, (d) => rebuildInert(d, scanCommit));
  }
  return out;
}

/**
 * Puts back, in stream order, the dropped commits a revert could name: by full or abbreviated hash (7+ shared
 * leading characters) or, for reverts without a hash, by header. Any other dropped commit can never be a revert's
 * target, so leaving it out cannot change what the reverts cancel.
 */
function restoreRevertTargets(
  kept: ParsedCommit[],
  dropped: readonly DroppedCommit[],
  reverts: readonly ParsedCommit[],
  rebuild: (d: DroppedCommit) => ParsedCommit,
): ParsedCommit[] {
  const prefixes = new Set<string>();
  const headers = new Set<string>();
  for (const r of reverts) {
    const target = r.revert!;
    if (target.hash) prefixes.add(target.hash.slice(0, 7).toLowerCase());
    else headers.add(target.header);
  }
  const back = dropped.filter((c) => {
    if (prefixes.has(c.hash.slice(0, 7).toLowerCase())) return true;
    return headers.size > 0 && (headers.has(c.header) || headers.has(c.header.replace(/ \(#\d{1,9}\)$/, '')));
  });
  if (back.length === 0) return kept;
  const merged: ParsedCommit[] = [];
  let next = 0;
  for (const d of back) {
    while (next < d.at) merged.push(kept[next++]!);
    merged.push(rebuild(d));
  }
  while (next < kept.length) merged.push(kept[next++]!);
  return merged;
}

/**
 * The commit a dropped one was. Inert means conventional, typed, not a merge, a revert or breaking, no skip marker
 * and no `Release-As`: every fact of such a commit comes from its header alone, except the footer refs, kept aside.
 */
function rebuildInert(d: DroppedCommit, scanCommit: (raw: RawCommit) => ParsedCommit): ParsedCommit {
  const commit = scanCommit({
    hash: d.hash,
    parents: [],
    message: d.header,
    ...(d.authorName !== undefined ? { authorName: d.authorName } : {}),
    ...(d.authorEmail !== undefined ? { authorEmail: d.authorEmail } : {}),
  });
  commit.refs = d.refs;
  return commit;
}

async function renderPlanNotes(
  config: CutterConfig,
  root: string,
  input: import('../core/types.js').NotesInput,
): Promise<string> {
  const { renderNotes } = await import('../core/notes.js');
  let template: string | undefined;
  if (config.notes.template) {
    const file = path.resolve(root, config.notes.template);
    try {
      template = await readFile(file, 'utf8');
    } catch (err) {
      throw new CutterError('CUTTER_CONFIG_INVALID', `notes.template: cannot read ${file}: ${(err as Error).message}`, {
        hint: 'point notes.template at an Eta template file inside the repository',
      });
    }
  }
  return renderNotes(input, {
    contributors: config.notes.contributors,
    ...(config.notes.sections ? { sections: config.notes.sections } : {}),
    ...(template !== undefined ? { template } : {}),
  });
}
