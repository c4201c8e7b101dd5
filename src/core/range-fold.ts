// Folds a release range commit by commit into what a release plan reports: counts, the bump and its causes, the notes.
import { BumpFold } from './bump.js';
import { countByKey } from './count-by-key.js';
import { NotesFold, type NotesFrameInput, type NotesOptions } from './notes.js';
import type { BumpRules, BumpSummary, ParsedCommit } from './types.js';

export interface RangeFoldOptions {
  rules: BumpRules;
  /** The version of the last release tag (decides the pre-1.0 rules); null before the first release. */
  currentVersion: string | null;
  notes: NotesOptions & { repoUrl?: string };
  /** Also keep every commit (the changelog editor reads types the notes hide); by default none is kept. */
  keepCommits?: boolean;
}

export interface RangeCounts {
  total: number;
  /** Conventional commits per type, in order of first appearance. */
  byType: Record<string, number>;
  /** Commits by `ignoreAuthors` (bots): counted in `total`, otherwise left out. */
  ignoredAuthors: number;
}

/**
 * One pass over a range, newest commit first as `git log` lists it: `add` each commit (or `addIgnored` for one by
 * an ignored author), then read `counts`, `bump` and, once the version is known, `notes`. Nothing grows with the
 * range but what the answers hold (the causes, the bullets) and, per commit, its hash and header (a revert later in
 * the range may name it). The answers are those of `decideBump` and `renderNotes` over the same commits.
 */
export class RangeFold {
  private readonly counts: RangeCounts = { total: 0, byType: {}, ignoredAuthors: 0 };
  private readonly bumpFold: BumpFold;
  private readonly notesFold: NotesFold;
  /** With `keepCommits`: every commit added, in order. */
  readonly commits: ParsedCommit[] = [];
  private readonly keepCommits: boolean;

  constructor(opts: RangeFoldOptions) {
    this.bumpFold = new BumpFold(opts.rules, opts.currentVersion);
    this.notesFold = new NotesFold(opts.notes);
    this.keepCommits = opts.keepCommits === true;
  }

  add(commit: ParsedCommit): void {
    this.counts.total++;
    if (commit.type !== null) countByKey(this.counts.byType, commit.type);
    this.bumpFold.add(commit);
    this.notesFold.add(commit);
    if (this.keepCommits) this.commits.push(commit);
  }

  /** A commit by an ignored author: it counts toward the total and nothing else. */
  addIgnored(): void {
    this.counts.total++;
    this.counts.ignoredAuthors++;
  }

  rangeCounts(): RangeCounts {
    return this.counts;
  }

  bump(): BumpSummary {
    return this.bumpFold.summary();
  }

  notes(frame: NotesFrameInput): string {
    return this.notesFold.render(frame);
  }

  /** The notes as UTF-8 when they can be written so without a whole string (see `NotesFold.renderUtf8`). */
  notesUtf8(frame: NotesFrameInput): Uint8Array | null {
    return this.notesFold.renderUtf8(frame);
  }
}
