// What the release steps need from the outside world, handed to every step as `ctx.deps`.

import type { CutterConfig } from '../config/schema.js';
import type { GitHubClient } from '../github/client.js';
import type { FanOutOptions } from '../notify/fan-out.js';
import type { Notifier } from '../notify/notifier.js';
import type { OutboxStore } from '../notify/notify-outbox.js';
import type { RegistryClientOptions } from '../supply/registry-client.js';
import type { JsonObject } from '../workflow/types.js';
import type { FreezeOverride, RepoRef } from './release-data.js';

export interface ReleaseDeps {
  /** The GitHub client (one per token or installation). */
  github: GitHubClient;
  /**
   * The channels to tell about a release of `repo`. Default: the repository's `notify:` section, secrets read
   * from `env`. A server can pass org-wide channels here instead.
   */
  notifiers?: (config: CutterConfig, repo: RepoRef) => Notifier[] | Promise<Notifier[]>;
  /** Environment for notification secrets (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Retry settings of notifications (a failed one never fails the release). */
  notifyOptions?: Omit<FanOutOptions, 'signal' | 'onAttemptFailed' | 'outbox'>;
  /** Where each channel's release message is marked sent (the store): sent once per task, across crashes. */
  notifyOutbox?: OutboxStore;
  /** Repositories never released, on top of each repository's own `excludeRepos` (org policy). */
  excludeRepos?: readonly string[];
  /** The manual freeze switch (the server's store); without it only the configured windows freeze releases. */
  readFreezeSwitch?: () => Promise<{ frozen: boolean; reason?: string | null }>;
  /** An override an admin granted to one waiting task after it started (API); whoever grants it writes the audit. */
  readFreezeOverride?: (taskId: string) => Promise<FreezeOverride | null>;
  /** How often a release waiting at a gate looks again (default 60 s); a freeze window's end is used when sooner. */
  gatePollMs?: number;
  /** Where the verify step records its checklist (the store's audit log); without it only the task log has it. */
  audit?: (entry: { actor: string; action: string; target: string; details?: JsonObject }) => Promise<unknown>;
  /** Registry client tuning (timeouts, retries); the hosts come from the repository's `supply:` section. */
  registryOptions?: Omit<RegistryClientOptions, 'plainHttpHosts'>;
  /** How often a release waiting for its image in the registry looks again (default 5 s). */
  imagePollMs?: number;
}
