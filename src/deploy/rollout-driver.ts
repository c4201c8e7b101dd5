// The one interface every image roll-out driver (infra API, GitOps pull request) implements.

export interface RolloutRequest {
  /** The connector (or service) whose image changes, e.g. `connector-x`. */
  connectorId: string;
  /** The full image reference to run, e.g. `ghcr.io/acme/connector-x:1.4.2`. */
  image: string;
  /** The repository and version that produced the image, for commit messages and notes. */
  repo?: string;
  version?: string;
}

export interface RolloutOptions {
  /** Read what is deployed and say what would change, without changing anything. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

/**
 * - `updated`: the target accepted the new image (infra 2xx, GitOps PR merged) and, when configured, reported healthy.
 * - `unchanged`: the image was already deployed; nothing was sent (a roll-out to the same image twice is a no-op).
 * - `pending`: a GitOps pull request is open and waits for a human to merge it.
 * - `dry-run`: nothing was sent; `log` says what would have been.
 */
export type RolloutOutcome = 'updated' | 'unchanged' | 'pending' | 'dry-run';

export interface RolloutResult {
  driver: string;
  connectorId: string;
  image: string;
  outcome: RolloutOutcome;
  /** What was deployed before, when the target can tell. */
  previousImage: string | null;
  /** HTTP status of the accepted update (seed 001's `connector.update.status`); absent when nothing was sent. */
  status?: number;
  /** Requests made for the update itself (1 = no retry). */
  attempts: number;
  /** Result of the health poll, when one is configured. */
  healthy?: boolean;
  /** A link for humans: the pull request, or the status URL. */
  url?: string;
  /** Redacted, human-readable lines: retries, waits, decisions. */
  log: string[];
}

export interface RolloutDriver {
  readonly name: string;
  /** Throws `CutterError('CUTTER_DEPLOY_FAILED')` (transient when a later retry may succeed) or `CUTTER_BAD_INPUT`. */
  rollout(req: RolloutRequest, opts?: RolloutOptions): Promise<RolloutResult>;
  /** The image currently deployed for a connector, or null when unknown. */
  current?(connectorId: string, opts?: { signal?: AbortSignal }): Promise<string | null>;
}

/** Connector ids become URL path segments and branch names: keep them boring. */
export const CONNECTOR_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
