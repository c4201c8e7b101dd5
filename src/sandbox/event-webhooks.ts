// Turns sandbox events (pushes, releases, pull requests) into signed webhook deliveries to the configured hooks.

import { ZERO_SHA } from './git-store.js';
import type { Sandbox } from './server.js';
import type { SandboxEvent, WebhookLog } from './services.js';
import { type HookRecord, loginId, type PullRecord, type ReleaseRecord } from './shapes.js';
import { createPayload, type PushCommit, pullRequestPayload, pushPayload, releasePayload } from './webhook-payloads.js';
import { type HookConfig, WebhookDispatcher } from './webhooks.js';

/** GitHub caps a push payload's `commits` at 20 only for timeline events; webhook deliveries carry up to 2048. */
const MAX_PUSH_COMMITS = 2048;

function toConfig(h: HookRecord): HookConfig {
  return {
    id: h.id,
    url: h.config.url,
    events: h.events,
    active: h.active,
    content_type: h.config.content_type === 'json' ? 'json' : 'form',
    ...(h.config.secret ? { secret: h.config.secret } : {}),
  };
}

const sender = (login: string) => ({ login, id: loginId(login), type: 'User' as const });

/** Attach a dispatcher to a sandbox: hooks come from its state (repo hooks plus the org's), events from its routes. */
export function attachWebhooks(sandbox: Sandbox): WebhookDispatcher {
  const dispatcher = new WebhookDispatcher({
    hooksFor: (owner, repo) =>
      [
        ...sandbox.state.list<HookRecord>('hook', owner, repo),
        ...sandbox.state.list<HookRecord>('hook', owner, ''),
      ].map(toConfig),
    clock: sandbox.clock,
  });
  const urls = () => ({ api: sandbox.url, web: sandbox.url });

  async function pushCommits(
    owner: string,
    name: string,
    pushedRefs: string[],
    before: string,
    after: string,
  ): Promise<PushCommit[]> {
    if (after === ZERO_SHA) return [];
    // A new branch lists, like GitHub, only the commits new to the repository: reachable from it and from no ref
    // that existed before this push (refs created or moved by the same push do not count). Not `--all`: it adds HEAD.
    const range =
      before === ZERO_SHA
        ? [after, '--not', ...pushedRefs.map((r) => `--exclude=${r}`), '--glob=refs/*']
        : [`${before}..${after}`];
    const shas = (await sandbox.git.revList(owner, name, range, { max: MAX_PUSH_COMMITS })).reverse();
    const commits = await sandbox.git.readCommits(owner, name, shas);
    return Promise.all(
      commits.map(async (c) => {
        const files = await sandbox.git.diffStat(owner, name, c.parents[0] ?? null, c.sha);
        return {
          id: c.sha,
          tree_id: c.tree,
          message: c.message.replace(/\n$/, ''),
          timestamp: c.committer.date,
          author: { name: c.author.name, email: c.author.email },
          committer: { name: c.committer.name, email: c.committer.email },
          added: files.filter((f) => f.status === 'added').map((f) => f.filename),
          removed: files.filter((f) => f.status === 'removed').map((f) => f.filename),
          modified: files.filter((f) => f.status === 'modified').map((f) => f.filename),
          distinct: true,
        };
      }),
    );
  }

  sandbox.onEvent(async (e: SandboxEvent) => {
    const repo = sandbox.repoInfo(e.owner, e.repo);
    if (!repo) return;
    if (e.kind === 'refs') {
      for (const change of e.changes) {
        const isTag = change.ref.startsWith('refs/tags/');
        const commits = isTag
          ? []
          : await pushCommits(
              repo.owner,
              repo.name,
              e.changes.map((c) => c.ref),
              change.before,
              change.after,
            );
        const payload = pushPayload(
          {
            repo,
            ref: change.ref,
            before: change.before,
            after: change.after,
            commits,
            pusher: { name: e.pusher, email: `${e.pusher}@users.noreply.sandbox` },
            sender: sender(e.pusher),
          },
          urls(),
        );
        await dispatcher.emit({ owner: repo.owner, repo: repo.name, event: 'push', payload });
        if (change.before === ZERO_SHA && (isTag || change.ref.startsWith('refs/heads/'))) {
          const created = createPayload(change.ref, isTag ? 'tag' : 'branch', repo, sender(e.pusher), urls());
          await dispatcher.emit({ owner: repo.owner, repo: repo.name, event: 'create', payload: created });
        }
      }
      return;
    }
    if (e.kind === 'release') {
      const r = sandbox.state.get<ReleaseRecord>('release', e.releaseId);
      if (!r) return;
      const rel = { ...r, author: sender(r.author) };
      // GitHub sends "created" for every new release, then "published" (+ "released") when it goes public.
      const actions =
        e.action === 'published'
          ? r.created_at === r.published_at
            ? ['created', 'published']
            : ['published']
          : [e.action];
      if (e.action === 'published') actions.push(r.prerelease ? 'prereleased' : 'released');
      for (const action of actions) {
        const payload = releasePayload(
          action as Parameters<typeof releasePayload>[0],
          rel,
          repo,
          sender(e.sender),
          urls(),
        );
        await dispatcher.emit({ owner: repo.owner, repo: repo.name, event: 'release', payload });
      }
      return;
    }
    const p = sandbox.state.get<PullRecord>('pull', e.pullId);
    if (!p) return;
    const payload = pullRequestPayload(
      e.action,
      {
        number: p.number,
        id: p.id,
        title: p.title,
        body: p.body,
        state: p.state,
        draft: p.draft,
        merged: p.merged,
        merged_at: p.merged_at,
        merge_commit_sha: p.merge_commit_sha,
        merged_by: p.merged_by ? sender(p.merged_by) : null,
        head: { ref: p.head, sha: p.head_sha },
        base: { ref: p.base, sha: p.base_sha },
        user: sender(p.user),
        created_at: p.created_at,
        updated_at: p.updated_at,
        closed_at: p.closed_at,
      },
      repo,
      sender(e.sender),
      urls(),
      e.action === 'synchronize' && e.before ? { before: e.before, after: p.head_sha } : undefined,
    );
    await dispatcher.emit({ owner: repo.owner, repo: repo.name, event: 'pull_request', payload });
  });

  const log: WebhookLog = {
    deliveries: (hookId) => dispatcher.deliveries(hookId),
    redeliver: async (hookId, deliveryId) => {
      const past = dispatcher.delivery(Number(deliveryId));
      if (!past || past.hook_id !== hookId) return false;
      const again = await dispatcher.redeliver(past.id);
      return again.status_code >= 200 && again.status_code < 300 ? true : 'failed';
    },
  };
  sandbox.setWebhookLog(log);
  return dispatcher;
}
