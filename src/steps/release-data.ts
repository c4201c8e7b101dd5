// The JSON a release task carries, step by step: what the webhook server, the CLI and the fleet put in, what steps add.

import type { JsonObject } from '../workflow/types.js';

/** The repository a release task is about (`key` of the task is `owner/name`, which serializes work per repo). */
export interface RepoRef {
  owner: string;
  name: string;
}

/** The part of a GitHub `push` payload the classify step reads (the webhook server copies it in as `push`). */
export interface PushFacts {
  ref: string;
  before?: string;
  after: string;
  deleted?: boolean;
  created?: boolean;
  /** `head_commit.message` / author of the pushed head. */
  headCommit?: { id?: string; message: string; authorName?: string; authorEmail?: string } | null;
  /** `pusher.name` / `sender.login`, used for the `trigger` line of notifications. */
  pusher?: string;
  senderType?: string;
}

/**
 * Latest release tag reachable from the head. A first release is `{ first: true }` (a step patch cannot keep
 * `null` values: they delete keys), so read the fields with `?? null`.
 */
export interface LatestRelease {
  tag?: string | null;
  version?: string | null;
  /** The commit the tag points at (required with `tag`: commits since it are listed from here). */
  commit?: string | null;
  first?: boolean;
  /** Tags that do not follow the tag format (reported, never used). */
  foreign?: string[];
}

export interface TaggedRelease {
  ref: string;
  tag: string;
  sha: string;
  /** The tag already existed on the same commit and was adopted. */
  adopted: boolean;
}

export interface PublishedRelease {
  id: number;
  adopted: boolean;
  /** The release as GitHub answered our create (absent when adopted): what confirm checks without a read. */
  seen?: { tag: string; url: string; draft: boolean; prerelease: boolean };
}

export interface ReleasedRelease {
  url: string;
  id: number;
  draft: boolean;
  prerelease: boolean;
}

/** What the supply step published: the image it pinned (when the repository ships one) and the release assets. */
export interface PublishedSupply {
  /** The image tag of the release (`host/acme/connector-x:1.4.2`) and the digest it was signed at. */
  image?: string;
  pinned?: string;
  digest?: string;
  assets: Array<{ name: string; outcome: 'uploaded' | 'adopted' }>;
}

/** The verify step's checklist, kept once every item is ✔ (a ✖ fails the task and is in the audit log). */
export interface VerifiedRelease {
  ok: boolean;
  at: string;
  checks: Array<{ check: string; ok: boolean; detail: string }>;
}

/** Passed the gates: when, and what they saw. */
export interface ClearedGate {
  at: string;
  /** Required checks that were green (checks gate). */
  passed?: string[];
  /** The freeze this release went through on an override (freeze gate). */
  overridden?: { freeze: string; by: string; reason: string };
}

/** Who let a release through a freeze, why and when (`--override-freeze`, or an admin in the API). */
export interface FreezeOverride {
  by: string;
  reason: string;
  at: string;
}

/**
 * `release` grows as steps run: `{ head }` → `latest` → `next` (+ plan) → `tagged` → `published` → `released`
 * → `notified`. Every step's condition (its ALOMA shape) reads this object, see `release-flow.ts`.
 */
export interface ReleaseState {
  /** The commit to release (pushed head, or the default branch head read by latest-tag). */
  head?: string;
  /** Author date of the earliest commit in the release (ISO): where lead time starts. */
  firstCommitAt?: string;
  branch?: string;
  /** Prerelease channel of the branch, null for stable. */
  channel?: string | null;
  latest?: LatestRelease;
  /** The next version (no prefix), e.g. `1.3.0`. */
  next?: string;
  nextTag?: string;
  bump?: string | null;
  /** Why: the commits that caused the bump (`why` reads `feat → minor`). */
  causes?: Array<{ hash: string; header: string; bump: string | null; why: string }>;
  commitCount?: number;
  /** Commits since the latest tag: per type, non-conventional, `[skip release]`, by ignored authors. */
  commits?: {
    total: number;
    byType: Record<string, number>;
    nonConventional: number;
    skipped: number;
    ignoredAuthors: number;
  };
  releaseAs?: string | null;
  ignoredReleaseAs?: string;
  notes?: string;
  draft?: boolean;
  prerelease?: boolean;
  /** GitHub's `make_latest`: false for maintenance lines and prereleases. */
  makeLatest?: boolean;
  /** First time the required checks were seen pending (the wait times out from here). */
  checksPendingSince?: string;
  checksCleared?: ClearedGate;
  freezeCleared?: ClearedGate;
  tagged?: TaggedRelease;
  published?: PublishedRelease;
  released?: ReleasedRelease;
  notified?: Array<{ channel: string; ok: boolean; error?: string; skipped?: string }>;
  /** First time the supply step looked for the image and it was not in the registry (the wait times out from here). */
  imageWaitingSince?: string;
  supply?: PublishedSupply;
  /** First time verify looked for the signatures of a release signed elsewhere and they were missing. */
  signaturesWaitingSince?: string;
  verified?: VerifiedRelease;
}

/** Data of a task of kind `release` (RELEASE_TASK_KIND). */
export interface ReleaseTaskData {
  repo: RepoRef;
  /** Present for webhook-started tasks: the classify step runs first. CLI and fleet tasks start with `release: {}`. */
  push?: PushFacts;
  /** `push by @octocat`, `cutter release`, `cutter fleet`… shown in notifications. */
  trigger?: string;
  /** Let the release through a freeze (`cutter release --override-freeze REASON`). */
  overrideFreeze?: FreezeOverride;
  /** Stop before the tag step; the task completes with the plan. */
  dryRun?: boolean;
  /** The repository's `.cutter.yml` as read through the contents API (defaults when absent). */
  config?: JsonObject & { source: string | null };
  release?: ReleaseState;
  /**
   * The monorepo package this task releases (a child of the package fan-out): its commits are those touching
   * `path` (minus `exclude`), its tags `config.tagFormat` with `{package}` = `name`.
   */
  package?: { name: string; path: string; exclude?: string[]; tagFormat?: string };
  /** Set when the task completes without releasing: why. */
  skipped?: { reason: string; details?: string[] };
}

export const RELEASE_TASK_KIND = 'release';

/** The task key that serializes work on one repository. */
export function releaseTaskKey(repo: RepoRef): string {
  return `${repo.owner}/${repo.name}`;
}
