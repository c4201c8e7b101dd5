// Works out, for a local repository, the last tag, the commits since, the bump, the next version and the notes.
import { Buffer } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type AuthorFilter, ignoredAuthorFilter } from '../config/author-filter.js';
import { matchBranch } from '../config/branch-channel.js';
import { loadConfig } from '../config/load-config.js';
import type { CutterConfig } from '../config/schema.js';
import { CutterError } from '../core/errors.js';
import type { Bump, CauseList, ParsedCommit, RawCommit } from '../core/types.js';
import { forEachLogCommit, type StartedLog, startLog } from '../git/log-stream.js';
import { readRepoInfo } from '../git/repo-info.js';
import { shallowCloneError } from '../git/run-git.js';
import type { LatestTag, LatestTagResult } from '../git/tags.js';

export interface PlanOptions {
  /** Any directory inside the repository. */
  cwd: string;
  /** Release day `YYYY-MM-DD`; today (UTC) by default. */
  date?: string;
  /** Remote whose URL gives the links in the notes (default origin). */
  remote?: string;
  /**
   * Keep every parsed commit (the changelog editor reads types the notes hide). By default the range is folded
   * commit by commit and no commit is kept, which keeps 100k-commit ranges small and fast.
   */
  keepAllCommits?: boolean;
  /**
   * The log of HEAD in `cwd`, `{ dates: false }`, when the caller started it already (the CLI does, before it has
   * loaded); read or cancelled by the plan. The plan starts one itself otherwise.
   */
  headLog?: StartedLog;
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
  causes: CauseList;
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
  /**
   * The same notes as UTF-8 when they were rendered so (`notes` is then decoded on first use): 100k-commit notes
   * are 3 MB of bytes, but 6 MB as a string, which the JSON output need not make.
   */
  notesUtf8: Uint8Array | null;
  date: string;
  /** With `keepAllCommits`, every commit of the range (bodies dropped to stay small); otherwise empty. */
  parsedCommits: ParsedCommit[];
}

/** Read config, tags and history of the repository at `cwd` and decide the next release. No side effects. */
export async function planLocalRelease(opts: PlanOptions): Promise<LocalReleasePlan> {
  // The log of HEAD starts before anything else: in the usual case it is the whole answer (see `foldLine`), and git
  // spools it while the config, the tags and the modules are read. Cancelled where it is not wanted.
  const headLog = opts.headLog ?? startLog(opts.cwd, ['HEAD'], { dates: false });
  try {
    return await plan(opts, headLog);
  } finally {
    headLog.cancel();
  }
}

async function plan(opts: PlanOptions, headLog: StartedLog): Promise<LocalReleasePlan> {
  // Core modules load while git answers the first questions.
  // The tags are listed beside the first questions (any directory of the repository will do), and their module,
  // which loads semver, while git answers.
  const tagsModule = import('../git/tags.js');
  const allTags = tagsModule.then((m) => m.tagCommits(opts.cwd));
  allTags.catch(() => {}); // awaited below, once the repository is known to be one
  const corePromise = Promise.all([
    import('../core/commit-scan.js'),
    import('../core/bump-rules.js'),
    import('../core/range-fold.js'),
    import('../core/next-version.js'),
    import('../core/tag-format.js'),
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
  // Every tag, without walking any history: the best of them is the likely last release.
  const { latestReleaseTag, pickReleaseTag } = await tagsModule;
  const everywhere = pickReleaseTag(await allTags, config.tagFormat, tagOptions);
  const guess = everywhere.latest;
  // Which foreign tags HEAD reaches takes git a walk of the whole history (as long as the log itself): only asked
  // when the repository has foreign tags at all. It runs beside the log and also checks the guess.
  let reachableTags: Promise<LatestTagResult> | null = null;
  const walkTags = (): Promise<LatestTagResult> => {
    if (reachableTags === null) {
      reachableTags = latestReleaseTag(info.root, config.tagFormat, tagOptions);
      reachableTags.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"
    }
    return reachableTags;
  };
  if (everywhere.foreign.length > 0) walkTags();
  const [{ scanCommit }, { mergeBumpRules }, { RangeFold }, { nextVersionChecked }, { formatTag }] = await corePromise;

  const rules = mergeBumpRules(config.bump);
  const ignored = ignoredAuthorFilter(config.ignoreAuthors);
  // A template that cannot be read fails the plan only when there are notes to write, as it always did.
  const template = await readNotesTemplate(config, info.root).then(
    (text) => ({ text }),
    (error: unknown) => ({ error }),
  );
  const newFold = (latest: LatestTag | null): RangeFoldType =>
    new RangeFold({
      rules,
      currentVersion: latest?.version ?? null,
      notes: {
        contributors: config.notes.contributors,
        ...(config.notes.sections ? { sections: config.notes.sections } : {}),
        ...('text' in template && template.text !== undefined ? { template: template.text } : {}),
        ...(info.repoUrl ? { repoUrl: info.repoUrl } : {}),
      },
      ...(opts.keepAllCommits ? { keepCommits: true } : {}),
    });
  const read = { root: info.root, head: info.head, scanCommit, ignored };

  let tags: { latest: LatestTag | null; foreign: string[] };
  let fold: RangeFoldType;
  // The usual case, a tag on a line of single-parent commits behind HEAD: the log of HEAD streams from its first
  // commit, where the log of `tag..HEAD` first walks the whole range, and stopping at the tag is that range.
  const speculated = guess ? await foldLine(read, headLog, guess.commit, newFold(guess)) : null;
  if (speculated && reachableTags === null) {
    // HEAD reaches the best tag of all, so it is the latest release tag; no tag is foreign.
    tags = { latest: guess, foreign: [] };
    fold = speculated;
  } else if (guess === null && reachableTags === null) {
    // No release tag and no foreign tag anywhere: the whole history, and nothing to walk for.
    tags = { latest: null, foreign: [] };
    fold = (await foldHistory(read, headLog, newFold(null))) ?? (await foldRange(read, null, newFold(null)));
  } else {
    // Foreign tags, merges between HEAD and the tag, or a tag HEAD does not reach: the walk says which tags HEAD
    // reaches. The log of the guessed range streams meanwhile, and is redone only when the walk picks another tag.
    const walk = walkTags();
    const guessed = new AbortController();
    const early = speculated ? Promise.resolve(speculated) : foldRange(read, guess, newFold(guess), guessed.signal);
    early.catch(() => {}); // awaited (or abandoned) below
    try {
      tags = await walk;
    } catch (err) {
      guessed.abort();
      await early.catch(() => {});
      throw err;
    }
    if ((tags.latest?.commit ?? null) === (guess?.commit ?? null)) {
      fold = await early;
    } else {
      guessed.abort();
      await early.catch(() => {});
      fold = await foldRange(read, tags.latest, newFold(tags.latest));
    }
  }

  const counts = fold.rangeCounts();
  const currentVersion = tags.latest?.version ?? null;
  const decision = fold.bump();
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
  const frame =
    nextVersion === null || nextTag === null
      ? null
      : { version: nextVersion, tag: nextTag, previousTag: tags.latest?.tag ?? null, date };
  if (frame !== null && 'error' in template) throw template.error;
  const notesUtf8 = frame === null ? null : fold.notesUtf8(frame);
  let notes: string | null | undefined = frame === null ? null : notesUtf8 === null ? fold.notes(frame) : undefined;

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
      total: counts.total,
      byType: counts.byType,
      nonConventional: decision.nonConventional,
      skipped: decision.skipped,
      ignoredAuthors: counts.ignoredAuthors,
    },
    bump: decision.bump,
    causes: decision.causes,
    releaseAs: decision.releaseAs,
    currentVersion,
    nextVersion,
    nextTag,
    refused: next.refused ?? null,
    ignoredReleaseAs: next.ignoredReleaseAs ?? null,
    get notes() {
      // Decoded once, on first use (undefined until then; null when there are no notes).
      if (notes === undefined) {
        notes = Buffer.from(notesUtf8!.buffer, notesUtf8!.byteOffset, notesUtf8!.byteLength).toString('utf8');
      }
      return notes;
    },
    notesUtf8,
    date,
    parsedCommits: fold.commits,
  };
}

type RangeFoldType = import('../core/range-fold.js').RangeFold;

interface RangeReader {
  root: string;
  head: string;
  scanCommit: (raw: RawCommit) => ParsedCommit;
  ignored: AuthorFilter;
}

function addTo(fold: RangeFoldType, raw: RawCommit, read: RangeReader): void {
  if (read.ignored(raw.authorName, raw.authorEmail)) fold.addIgnored();
  else fold.add(read.scanCommit(raw));
}

/** Fold the commits since `latest` (all of HEAD's history when null), streamed once as `git log` lists them. */
async function foldRange(
  read: RangeReader,
  latest: LatestTag | null,
  fold: RangeFoldType,
  signal?: AbortSignal,
): Promise<RangeFoldType> {
  const revisions = latest ? [`${latest.commit}..${read.head}`] : [read.head];
  // Commit dates are not used by the decision or the notes: git need not print them. Stopping kills git: an
  // abandoned guess costs no more than it has read.
  await forEachLogCommit(read.root, revisions, { dates: false }, (raw) => {
    if (signal?.aborted) return false;
    addTo(fold, raw, read);
    return true;
  });
  return fold;
}

/**
 * Fold the commits from HEAD down to `tag` (a commit) while each has exactly one parent, the next one listed: then
 * they are exactly `tag..HEAD`, in the order `git log tag..HEAD` lists them, and HEAD reaches the tag. The log of
 * HEAD is not limited by a bottom commit, so git prints each commit as it reads it instead of walking the range
 * first, and the folding keeps pace with git. Null (and git stopped) on the first commit that is not so: a merge,
 * a root, HEAD having moved since it was read.
 */
async function foldLine(
  read: RangeReader,
  headLog: StartedLog,
  tag: string,
  fold: RangeFoldType,
): Promise<RangeFoldType | null> {
  let expected = read.head;
  let reached = false;
  // `headLog` is the log of HEAD when the plan started: if HEAD has moved since it was read, its first commit is
  // not the one expected, and the range is read the long way.
  await headLog.forEachCommit((raw) => {
    if (raw.hash !== expected) return false;
    if (raw.hash === tag) {
      reached = true;
      return false;
    }
    if (raw.parents?.length !== 1) return false;
    expected = raw.parents[0]!;
    addTo(fold, raw, read);
    return true;
  });
  // Without the tag the history ended (HEAD does not reach it) or left the line.
  return reached ? fold : null;
}

/** Fold all of HEAD's history from `headLog`; null (nothing folded) when HEAD has moved since it was read. */
async function foldHistory(read: RangeReader, headLog: StartedLog, fold: RangeFoldType): Promise<RangeFoldType | null> {
  let first = true;
  let moved = false;
  await headLog.forEachCommit((raw) => {
    if (first) {
      first = false;
      if (raw.hash !== read.head) {
        moved = true;
        return false;
      }
    }
    addTo(fold, raw, read);
    return true;
  });
  return moved ? null : fold;
}

async function readNotesTemplate(config: CutterConfig, root: string): Promise<string | undefined> {
  if (!config.notes.template) return undefined;
  const file = path.resolve(root, config.notes.template);
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new CutterError('CUTTER_CONFIG_INVALID', `notes.template: cannot read ${file}: ${(err as Error).message}`, {
      hint: 'point notes.template at an Eta template file inside the repository',
    });
  }
}
