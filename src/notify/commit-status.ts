// GitHub commit-status channel: marks the released commit (success / failure) with a link to the release.

import type { Octokit } from '@octokit/rest';
import { defaultText } from './message-text.js';
import type { MessageKind, Notifier, NotifyResult, ReleaseMessage } from './notifier.js';
import { excerpt, notifyFailure } from './notify-failure.js';

export interface CommitStatusConfig {
  /** An authenticated Octokit (with retry/throttling plugins, as `src/github` builds it). */
  octokit: Pick<Octokit, 'rest'>;
  /** Status context prefix (default `cutter`): `cutter/release` and `cutter/rollout`. */
  context?: string;
}

type State = 'success' | 'failure' | 'error' | 'pending';

const STATES: Record<MessageKind, { state: State; context: string } | null> = {
  released: { state: 'success', context: 'release' },
  'release-failed': { state: 'failure', context: 'release' },
  'rolled-out': { state: 'success', context: 'rollout' },
  'rollout-failed': { state: 'failure', context: 'rollout' },
  // A fleet summary spans many repositories and has no single commit.
  'fleet-summary': null,
};

/** GitHub caps the description at 140 characters. */
const MAX_DESCRIPTION = 140;

export function createCommitStatusNotifier(config: CommitStatusConfig): Notifier {
  const channel = 'github-commit-status';
  return {
    channel,
    async send(message: ReleaseMessage): Promise<NotifyResult> {
      const mapping = STATES[message.kind];
      if (!mapping) return { channel, ok: true, attempts: 0, skipped: `${message.kind} has no commit` };
      if (!message.sha) return { channel, ok: true, attempts: 0, skipped: 'no commit sha in the message' };
      const [owner, repo, extra] = message.repo.split('/');
      if (!owner || !repo || extra !== undefined) {
        throw notifyFailure(channel, `repo must be owner/name, got ${JSON.stringify(message.repo)}`, 400);
      }
      const description = defaultText(message);
      try {
        const res = await config.octokit.rest.repos.createCommitStatus({
          owner,
          repo,
          sha: message.sha,
          state: mapping.state,
          context: `${config.context ?? 'cutter'}/${mapping.context}`,
          description:
            description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION - 1)}…` : description,
          ...(message.url && /^https?:\/\//.test(message.url) ? { target_url: message.url } : {}),
        });
        return { channel, ok: true, attempts: 1, id: String(res.data.id) };
      } catch (err) {
        const e = err as { status?: number; message?: string; response?: { data?: unknown } };
        const body = e.response?.data ? `: ${excerpt(e.response.data)}` : '';
        throw notifyFailure(
          channel,
          `GitHub answered ${e.status ?? 'nothing'} to createCommitStatus${body}`,
          e.status,
          undefined,
          err,
        );
      }
    },
  };
}
