// What the roll-out (build) steps need from the outside world, handed to every step as `ctx.deps`.

import type { BackoffOptions } from '../deploy/backoff.js';
import type { RolloutHistory } from '../deploy/rollout-history.js';
import type { GitHubClient } from '../github/client.js';
import type { FanOutOptions } from '../notify/fan-out.js';
import type { OutboxStore } from '../notify/notify-outbox.js';
import type { ThreadStore } from '../notify/slack-web-api.js';
import type { RegistryClientOptions } from '../supply/registry-client.js';

export interface RolloutDeps {
  /** Reads the repository's `.cutter.yml`, drives GitOps PRs and commit statuses; not needed when `deploy` comes in the task. */
  github?: GitHubClient;
  /** Driver credentials and notification secrets, by the variable names the config gives (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Where RolloutRecords go (rollback plans, metrics, the fleet view's current image). */
  history: RolloutHistory;
  /** Slack thread parents, persistent so a roll-out threads under its release after a restart. */
  threads?: ThreadStore;
  /** Owner of the repository named like the connector, for builds that do not say which repository (CUTTER_ORG). */
  org?: string;
  notifyOptions?: Omit<FanOutOptions, 'signal' | 'onAttemptFailed' | 'outbox'>;
  /** Where each channel's rolled-out message is marked sent (the store): sent once per task, across crashes. */
  notifyOutbox?: OutboxStore;
  /** How often a build whose GitOps pull request waits for a human merge looks again (default 60 s). */
  mergePollMs?: number;
  /** false: finish as `pending` with the pull request's link instead of waiting for its merge (the CLI). */
  waitForMerge?: boolean;
  /** Tests make driver retries fast without faking the clock. */
  sleep?: BackoffOptions['sleep'];
  /** Registry client tuning (timeouts, retries); the hosts come from the repository's `supply:` section. */
  registryOptions?: Omit<RegistryClientOptions, 'plainHttpHosts'>;
  /** How often a roll-out waiting for its image in the registry looks again (default 5 s). */
  imagePollMs?: number;
}
