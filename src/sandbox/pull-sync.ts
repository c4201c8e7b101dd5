// Open pull requests follow their head branch: a push to it records the new head and raises `synchronize`.

import type { RefChange, SandboxEvent } from './services.js';
import type { PullRecord } from './shapes.js';
import type { SandboxState } from './state.js';

const ZERO = /^0+$/;

/**
 * For each branch a push moved (not deleted), the open pull requests whose head it is get the new head sha
 * stored, and one `pull_request` `synchronize` event each, as GitHub sends them.
 */
export function synchronizePulls(
  state: SandboxState,
  push: { owner: string; repo: string; changes: RefChange[]; pusher: string },
  nowIso: string,
): SandboxEvent[] {
  const moved = new Map(
    push.changes
      .filter((c) => c.ref.startsWith('refs/heads/') && !ZERO.test(c.after))
      .map((c) => [c.ref.slice('refs/heads/'.length), c.after]),
  );
  if (moved.size === 0) return [];
  const events: SandboxEvent[] = [];
  for (const p of state.list<PullRecord>('pull', push.owner, push.repo)) {
    const sha = moved.get(p.head);
    if (p.state !== 'open' || sha === undefined || sha === p.head_sha) continue;
    state.put(
      'pull',
      p.id,
      { owner: p.owner, repo: p.repo, key: String(p.number) },
      {
        ...p,
        head_sha: sha,
        updated_at: nowIso,
      },
    );
    events.push({
      kind: 'pull_request',
      owner: p.owner,
      repo: p.repo,
      action: 'synchronize',
      pullId: p.id,
      sender: push.pusher,
      before: p.head_sha,
    });
  }
  return events;
}
