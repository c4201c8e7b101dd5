// The one interface every notification channel implements, and the message they all understand.

export type MessageKind = 'released' | 'rolled-out' | 'rollout-failed' | 'release-failed' | 'fleet-summary';

/** One repository's line in a fleet summary. */
export interface FleetRow {
  repo: string;
  /** `released`, `failed`, `unchanged`, `skipped`… failed rows are listed first. */
  status: string;
  version?: string | null;
  previousVersion?: string | null;
  url?: string;
  /** A short reason, e.g. the error line of a failed release. */
  note?: string;
}

export interface ReleaseMessage {
  kind: MessageKind;
  /** `owner/name` (for fleet summaries: the organization or a label such as `acme connectors`). */
  repo: string;
  /** The repository's web page on the GitHub the release went to (github.com, GHES or a sandbox); unlinked when absent. */
  repoUrl?: string;
  version?: string;
  tag?: string;
  /** The release page. */
  url?: string;
  image?: string;
  /** Free text, e.g. `200`, `healthy`, or the error line of a failure. */
  status?: string;
  /** Who or what triggered it: `push by @octocat`, `cutter fleet`, `schedule`. */
  trigger?: string;
  /** The released commit (needed by the commit-status channel). */
  sha?: string;
  /** For roll-outs: the connector that was updated. */
  connectorId?: string;
  summary?: { rows: FleetRow[] };
  /** Messages sharing a key form one conversation: Slack Web API posts follow-ups as thread replies. */
  threadKey?: string;
}

export interface NotifyResult {
  channel: string;
  ok: boolean;
  /** Sends made (1 = first try). */
  attempts: number;
  /** A channel-specific id: the Slack `ts`, the commit-status id, the JSON webhook delivery id. */
  id?: string;
  /** Why nothing was sent although that is fine (e.g. no commit sha for a fleet summary). */
  skipped?: string;
  /** Redacted reason of the last failure. */
  error?: string;
  code?: string;
  /** Not sent now: the outbox marked it sent at this time, before a crash or an earlier run of the step. */
  alreadySent?: string;
}

export interface SendOptions {
  signal?: AbortSignal;
  /**
   * The same for every attempt at one message to one channel (the outbox key): a channel that can hand it to its
   * receiver does (the JSON webhook's `delivery`), so the receiver can drop a copy sent again after a crash.
   */
  idempotencyKey?: string;
}

export interface Notifier {
  readonly channel: string;
  /**
   * Deliver one message. Resolves with `ok: true` (or `skipped`); a failure throws
   * `CutterError('CUTTER_NOTIFY_FAILED')` with a redacted message and `transient` set when a retry may help.
   * Use `notifyAll` to fan out, retry and never throw.
   */
  send(message: ReleaseMessage, opts?: SendOptions): Promise<NotifyResult>;
}
