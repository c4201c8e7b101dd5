// What the release steps need from the outside world, handed to every step as `ctx.deps`.

import type { CutterConfig } from '../config/schema.js';
import type { GitHubClient } from '../github/client.js';
import type { FanOutOptions } from '../notify/fan-out.js';
import type { Notifier } from '../notify/notifier.js';
import type { RepoRef } from './release-data.js';

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
  notifyOptions?: Omit<FanOutOptions, 'signal' | 'onAttemptFailed'>;
  /** Repositories never released, on top of each repository's own `excludeRepos` (org policy). */
  excludeRepos?: readonly string[];
}
