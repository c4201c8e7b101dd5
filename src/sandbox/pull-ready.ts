// "Ready for review": takes a draft pull request out of draft, as GitHub's `markPullRequestReadyForReview` does.

import type { Services } from './services.js';
import type { PullRecord } from './shapes.js';

export interface ReadyPull {
  id: number;
  number: number;
  owner: string;
  repo: string;
  isDraft: boolean;
}

/**
 * Marks the pull request with this database id ready for review and sends `pull_request` `ready_for_review`;
 * one that is no longer a draft is returned unchanged. Null when it does not exist or `login` cannot see it.
 */
export async function markPullReady(
  services: Services,
  pullId: number,
  viewer: { login: string; canAccess(owner: string): boolean },
): Promise<ReadyPull | null> {
  const p = services.state.get<PullRecord>('pull', pullId);
  if (!p || !viewer.canAccess(p.owner)) return null;
  if (p.draft && p.state === 'open') {
    const ready: PullRecord = { ...p, draft: false, updated_at: services.nowIso() };
    services.state.put('pull', p.id, { owner: p.owner, repo: p.repo, key: String(p.number) }, ready);
    await services.event({
      kind: 'pull_request',
      owner: p.owner,
      repo: p.repo,
      action: 'ready_for_review',
      pullId: p.id,
      sender: viewer.login,
    });
    return { id: p.id, number: p.number, owner: p.owner, repo: p.repo, isDraft: false };
  }
  return { id: p.id, number: p.number, owner: p.owner, repo: p.repo, isDraft: p.draft };
}
