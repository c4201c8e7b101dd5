// The shared vocabulary of the pure core: commits, bumps, versions and release notes.

/** A commit as read from git or from the GitHub API, before parsing. */
export interface RawCommit {
  hash: string;
  /** Full message: subject, blank line, body, footers. */
  message: string;
  authorName?: string;
  authorEmail?: string;
  /** ISO-8601 author/commit date, when known. */
  date?: string;
  /** Parent hashes, when known (more than one means a merge commit). */
  parents?: string[];
}

export interface Footer {
  token: string;
  value: string;
}

/** A commit understood as a Conventional Commit (or recorded as not being one). */
export interface ParsedCommit {
  hash: string;
  /** The first line of the message, as written. */
  header: string;
  /** `feat`, `fix`… lower-cased; null when the message is not conventional. */
  type: string | null;
  scope: string | null;
  /** The description after `type(scope)!: `, or the whole header when not conventional. */
  subject: string;
  body: string;
  footers: Footer[];
  /** `!` in the header or a `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer. */
  breaking: boolean;
  /** Text of the breaking-change footers (or the subject when only `!` was used). */
  breakingNotes: string[];
  conventional: boolean;
  merge: boolean;
  /** For `revert: …` / `Revert "…"` commits: what was reverted. */
  revert: { header: string; hash: string | null } | null;
  /** Pull request number from a squash-merge subject `(#123)` or a merge subject. */
  pr: number | null;
  /** Issue numbers from `Refs:`, `Closes:`, `Fixes:` footers and `#N` references. */
  refs: number[];
  /** `Release-As: 2.0.0` footer. */
  releaseAs: string | null;
  /** `[skip release]` / `[release skip]` anywhere in the message. */
  skipRelease: boolean;
  authorName?: string;
  authorEmail?: string;
  date?: string;
}

export type BumpLevel = 'major' | 'minor' | 'patch';
export type Bump = BumpLevel | null;

/** Bump rules as one table (configurable). */
export interface BumpRules {
  /** Commit type → bump; types not listed release nothing. */
  types: Record<string, BumpLevel | 'none'>;
  /** Release a patch when there are new commits but none of them is releasable (seed 001's "default patch"). */
  defaultPatch: boolean;
  /** While the major version is 0, a breaking change bumps this instead of major. */
  preMajorBreaking: 'minor' | 'major';
  /** While the major version is 0, a feature bumps this (minor by default; some teams use patch). */
  preMajorFeature: 'minor' | 'patch';
}

/** Why a commit counted (or did not count) toward the bump: every decision is explained. */
export interface BumpReason {
  hash: string;
  header: string;
  bump: Bump;
  why: string;
  /** What in the commit decided its bump: `feat`, `fix!`, `BREAKING CHANGE`, `default patch`… (absent when none). */
  trigger?: string;
}

/**
 * The commits that caused a bump, in range order. An array is one; a fold over a long range gives a list that makes
 * its reasons into objects a slice at a time (17k causes as objects at once weigh 15 MB on a 100k-commit range).
 */
export interface CauseList {
  readonly length: number;
  slice(start?: number, end?: number): BumpReason[];
  /** The distinct truthy triggers, in order of first appearance, when the list can tell without making causes. */
  triggers?(): string[];
}

/** What the next version is computed from: the bump, the commits that caused it, a `Release-As` override. */
export interface BumpOutcome {
  bump: Bump;
  /** The commits that caused the chosen bump (the highest level). */
  causes: CauseList;
  /** A `Release-As` override, when a commit asked for one. */
  releaseAs: string | null;
}

/** The outcome of a range folded commit by commit, with how many commits were left out and why. */
export interface BumpSummary extends BumpOutcome {
  /** Commits that are neither conventional nor merges. */
  nonConventional: number;
  /** `[skip release]` commits. */
  skipped: number;
}

export interface BumpDecision extends BumpOutcome {
  causes: BumpReason[];
  /** Every commit with its individual contribution. */
  reasons: BumpReason[];
  skipped: ParsedCommit[];
  nonConventional: ParsedCommit[];
  /** Commits taken out because a revert in the same range undid them (the reverts themselves included). */
  cancelled?: ParsedCommit[];
}

/** Where a version line lives: stable, a prerelease channel, or a maintenance range. */
export interface Channel {
  /** Prerelease identifier (`beta`, `rc`, `alpha`), or null for stable. */
  prerelease: string | null;
  /** For maintenance branches (`1.x`, `1.2.x`): the semver range releases must stay inside. */
  range?: string;
}

export interface NotesSectionConfig {
  /** Commit type (or the special `breaking`) → section title. */
  type: string;
  title: string;
  hidden?: boolean;
}

export interface NotesInput {
  version: string;
  tag: string;
  previousTag: string | null;
  /** ISO date `YYYY-MM-DD`; the caller supplies it (the core has no clock). */
  date: string;
  commits: ParsedCommit[];
  /** e.g. `https://github.com/acme/connector-x`; links are omitted when absent. */
  repoUrl?: string;
}
