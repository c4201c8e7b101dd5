// What route handlers may use: state, git, URLs, the clock, and the event hook for pushes/releases/merges.

import type { AppInstallations } from './app-installations.js';
import type { SandboxClock } from './clock.js';
import type { GitStore } from './git-store.js';
import type { SandboxRepoInfo } from './reader.js';
import type { RouteContext } from './router.js';
import type { Links } from './shapes.js';
import type { SandboxState } from './state.js';

export interface RefChange {
  ref: string;
  before: string;
  after: string;
}

export type SandboxEvent =
  | { kind: 'refs'; owner: string; repo: string; changes: RefChange[]; pusher: string }
  | {
      kind: 'release';
      owner: string;
      repo: string;
      action: 'published' | 'created' | 'edited';
      releaseId: number;
      sender: string;
    }
  | {
      kind: 'pull_request';
      owner: string;
      repo: string;
      action: 'opened' | 'closed' | 'synchronize' | 'ready_for_review';
      pullId: number;
      sender: string;
      /** `synchronize`: the head before the push. */
      before?: string;
    };

export interface Services {
  state: SandboxState;
  /** GitHub Apps and their installations (JWT → installation token). */
  apps: AppInstallations;
  git: GitStore;
  links: Links;
  clock: SandboxClock;
  /** Directory holding uploaded release asset bytes (under the sandbox root). */
  assetsDir: string;
  /** The short-lived signed URL a download's 302 points at (GitHub's storage host). */
  assetDownloadUrl(id: number): string;
  /** Simulated now as GitHub prints it (ISO-8601 without milliseconds). */
  nowIso(): string;
  /** The repository, or a 404 HttpError (unknown repo, or a token that may not see the owner). */
  repo(ctx: Ctx, owner: string, name: string): SandboxRepoInfo;
  /** A 404 unless the token may see the org and it exists. */
  requireOwner(ctx: Ctx, owner: string): void;
  createRepo(
    owner: string,
    name: string,
    opts: { private?: boolean; description?: string | null; autoInit?: boolean; defaultBranch?: string },
  ): Promise<SandboxRepoInfo>;
  /** The token's primary limits (REST core and GraphQL), as /rate_limit reports them. */
  rateLimits(
    token: string,
  ): Record<'core' | 'graphql', { limit: number; remaining: number; used: number; reset: number }>;
  /** The webhook delivery log, once a dispatcher is attached. */
  webhooks(): WebhookLog | null;
  /** Record that something happened (pushed_at, webhooks); never fails the request. */
  event(e: SandboxEvent): Promise<void>;
}

/** Delivery history and redelivery, provided by the webhook dispatcher. */
export interface WebhookLog {
  deliveries(hookId: number): Promise<unknown[]> | unknown[];
  /** true when redelivered, 'failed' when the receiver failed again, false when the delivery is unknown. */
  redeliver(hookId: number, deliveryId: string): Promise<boolean | 'failed'>;
}

export type Ctx = RouteContext<Services>;
