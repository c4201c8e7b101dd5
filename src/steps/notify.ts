// Step "notify": tell every configured channel; a failed notification is recorded, never fails the release.

import { repoWebUrl } from '../core/github-web-url.js';
import { notifyAll } from '../notify/fan-out.js';
import type { Notifier } from '../notify/notifier.js';
import { createNotifiers, parseNotifySection } from '../notify/notify-config.js';
import type { Step } from '../workflow/types.js';
import { configOf, releaseOf, repoOf, taskData } from './release-context.js';
import type { ReleaseDeps } from './release-deps.js';
import { releaseEndsWithVerify } from './verify-step.js';

export const notifyStep: Step<ReleaseDeps> = {
  name: 'notify',
  when: { release: { released: { url: String }, notified: null } },
  effect: 'idempotent',
  async run(ctx) {
    const repo = repoOf(ctx.data);
    const config = configOf(ctx.data);
    const release = releaseOf(ctx.data);
    let notifiers: Notifier[];
    try {
      notifiers = ctx.deps.notifiers
        ? await ctx.deps.notifiers(config, repo)
        : createNotifiers(parseNotifySection(config.notify), {
            env: ctx.deps.env ?? process.env,
            octokit: ctx.deps.github,
          });
    } catch (err) {
      // A broken notify: section is the team's to fix; the release itself is done.
      const error = err instanceof Error ? err.message : String(err);
      ctx.log(`notifications not sent: ${error}`);
      return {
        complete: !releaseEndsWithVerify(ctx.data),
        patch: { release: { notified: [{ channel: 'config', ok: false, error }] } },
      };
    }
    const results = await notifyAll(
      notifiers,
      {
        kind: 'released',
        repo: `${repo.owner}/${repo.name}`,
        repoUrl: repoWebUrl(ctx.deps.github.request.endpoint.DEFAULTS.baseUrl, repo),
        version: release.next!,
        tag: release.tagged!.tag,
        url: release.released!.url,
        sha: release.tagged!.sha,
        trigger: taskData(ctx.data).trigger ?? 'cutter',
        threadKey: `${repo.owner}/${repo.name}@${release.tagged!.tag}`,
      },
      {
        ...ctx.deps.notifyOptions,
        ...(ctx.deps.notifyOutbox ? { outbox: { store: ctx.deps.notifyOutbox, taskId: ctx.taskId } } : {}),
        signal: ctx.signal,
        onAttemptFailed: (f) =>
          ctx.log(`notify ${f.channel} attempt ${f.attempt} failed: ${f.error}${f.willRetry ? ', retrying' : ''}`),
      },
    );
    const notified = results.map((r) => ({
      channel: r.channel,
      ok: r.ok,
      ...(r.error ? { error: r.error } : {}),
      ...(r.skipped ? { skipped: r.skipped } : {}),
      ...(r.alreadySent ? { alreadySent: r.alreadySent } : {}),
    }));
    ctx.log(
      notified.length === 0
        ? 'no notification channels configured'
        : notified.map((n) => `${n.channel}: ${n.ok ? 'ok' : n.error}`).join('; '),
    );
    // A release with a supply chain (published here or signed elsewhere) ends with the verify step; any other here.
    return { complete: !releaseEndsWithVerify(ctx.data), patch: { release: { notified } } };
  },
};
