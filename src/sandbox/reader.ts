// The read-only view of sandbox state that the GraphQL endpoint needs; the server implements it over its state and git.

/** Bare repositories live at `${root}/git/${owner}/${name}.git` under the sandbox root. */
export function bareRepoPath(root: string, owner: string, name: string): string {
  return `${root}/git/${owner}/${name}.git`;
}

/** Repository metadata as the sandbox keeps it (GitHub's REST field names). */
export interface SandboxRepoInfo {
  id: number;
  node_id: string;
  owner: string;
  name: string;
  full_name: string;
  private: boolean;
  archived: boolean;
  topics: string[];
  default_branch: string;
  description: string | null;
  created_at: string;
  updated_at: string;
  pushed_at: string;
}

/** One ref under a prefix, read from the bare repo. */
export interface SandboxRef {
  /** Full ref name, e.g. `refs/tags/v1.2.3`. */
  name: string;
  /** The object the ref points at: a commit (lightweight tag, branch) or a tag object (annotated tag). */
  oid: string;
  type: 'commit' | 'tag';
  /** The commit the ref finally resolves to (peeled). Equal to `oid` for lightweight refs. */
  commitOid: string;
  /** ISO-8601 committer date of `commitOid`, when the implementation reads it with the ref (saves a lookup). */
  committedDate?: string;
}

/** Primary rate-limit state of one token, GitHub's `rateLimit` fields. */
export interface SandboxRateLimit {
  limit: number;
  remaining: number;
  used: number;
  resetAt: Date;
}

/** What `Repository.object(expression:)` finds: a commit, a tree or a blob (with its bytes), as git has it. */
export type SandboxGitObject =
  | { type: 'commit'; oid: string }
  | { type: 'tree'; oid: string }
  | { type: 'blob'; oid: string; content: Buffer };

type Awaitable<T> = T | Promise<T>;

export interface SandboxReader {
  /** Repositories of an org (or user), any order; the GraphQL layer sorts and pages. */
  listRepos(owner: string): Promise<SandboxRepoInfo[]>;
  /** One repository, or null when it does not exist. */
  getRepo(owner: string, name: string): Promise<SandboxRepoInfo | null>;
  orgExists(owner: string): Awaitable<boolean>;
  /** Whether this (valid) token may see the owner's repositories; GitHub answers "not found" otherwise. */
  canAccess(token: string, owner: string): Awaitable<boolean>;
  /** The login a token authenticates as, or null for a missing/unknown token (→ 401 "Bad credentials"). */
  viewerLogin(token: string): Awaitable<string | null>;
  /** The commit a branch points at, or null when the branch (or repo) does not exist. */
  headOid(owner: string, name: string, branch: string): Promise<string | null>;
  /** Refs under a prefix such as `refs/tags/`, with annotated tags peeled to their commit. */
  listRefs(owner: string, name: string, prefix: string): Promise<SandboxRef[]>;
  /** ISO-8601 committer date of a commit, or null when the object is unknown. */
  commitDate(owner: string, name: string, oid: string): Promise<string | null>;
  /**
   * The object a git revision expression names (`HEAD:.cutter.yml`, `main`, `<oid>:path`), `HEAD` being the
   * default branch as on GitHub; null when it does not resolve.
   */
  gitObject(owner: string, name: string, expression: string): Promise<SandboxGitObject | null>;
  /** Current primary rate-limit state of a token (GraphQL budget). */
  rateLimit(token: string): SandboxRateLimit;
  /** Spend `cost` points of the token's GraphQL budget; returns the state after charging. */
  chargeGraphQL(token: string, cost: number): SandboxRateLimit;
}
