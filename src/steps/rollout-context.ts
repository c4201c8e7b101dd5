// Reads a build task's data back as the driver, the channels and the message that the roll-out steps share.

import { CutterError } from '../core/errors.js';
import { repoWebUrl } from '../core/github-web-url.js';
import { parseImageRef } from '../core/image-ref.js';
import { formatTag } from '../core/tag-format.js';
import { createRolloutDriver, deploySectionSchema } from '../deploy/deploy-config.js';
import type { RolloutDriver } from '../deploy/rollout-driver.js';
import { notifyAll } from '../notify/fan-out.js';
import type { ReleaseMessage } from '../notify/notifier.js';
import { createNotifiers, parseNotifySection } from '../notify/notify-config.js';
import type { StepContext } from '../workflow/types.js';
import { type BuildTaskData, buildOf } from './rollout-data.js';
import type { RolloutDeps } from './rollout-deps.js';

export function driverOf(ctx: StepContext<RolloutDeps>, log?: (line: string) => void): RolloutDriver {
  const deploy = buildOf(ctx.data).deploy;
  if (!deploy) throw new CutterError('CUTTER_INTERNAL', 'the deploy driver was not resolved before this step');
  const config = deploySectionSchema.shape.driver.parse(deploy.driver);
  return createRolloutDriver(config, {
    env: ctx.deps.env ?? process.env,
    ...(ctx.deps.github ? { octokit: ctx.deps.github } : {}),
    ...(ctx.deps.sleep ? { sleep: ctx.deps.sleep } : {}),
    ...(log ? { log } : {}),
  });
}

/** The version an image carries when its tag is a SemVer version (`…:1.4.2` → `1.4.2`). */
function versionOf(data: BuildTaskData): string | undefined {
  if (data.build.version) return data.build.version;
  const tag = data.build.image ? parseImageRef(data.build.image).tag : undefined;
  return tag && /^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(tag) ? tag.replace(/^v/, '') : undefined;
}

/** The message every roll-out notification starts from; its thread key is the release's, so Slack threads them. */
export function rolloutMessage(data: BuildTaskData): Omit<ReleaseMessage, 'kind'> {
  const { build } = data;
  const version = versionOf(data);
  let tag = build.tag;
  if (!tag && version) {
    try {
      tag = formatTag(data.deploy?.tagFormat ?? 'v{version}', { version });
    } catch {
      tag = undefined;
    }
  }
  return {
    repo: build.repo ?? build.connectorId,
    connectorId: build.connectorId,
    ...(build.image ? { image: build.image } : {}),
    ...(version ? { version } : {}),
    ...(tag ? { tag } : {}),
    ...(build.sha ? { sha: build.sha } : {}),
    trigger: build.trigger ?? (build.rollback ? 'cutter rollback' : 'build'),
    ...(build.repo && tag ? { threadKey: `${build.repo}@${tag}` } : {}),
  };
}

/**
 * Tell the repository's channels; a failed notification is logged and kept, never fails the roll-out. `once`: the
 * message is sent once per task through the outbox (a failure notice is not: a retried roll-out may fail anew).
 */
export async function tellChannels(ctx: StepContext<RolloutDeps>, message: ReleaseMessage, once = false) {
  const data = buildOf(ctx.data);
  try {
    const notifiers = createNotifiers(parseNotifySection(data.deploy?.notify ?? {}), {
      env: ctx.deps.env ?? process.env,
      ...(ctx.deps.github ? { octokit: ctx.deps.github } : {}),
      ...(ctx.deps.threads ? { threads: ctx.deps.threads } : {}),
    });
    // The repository links to the GitHub the roll-out's client talks to (github.com, GHES or the sandbox).
    const [owner, name] = message.repo.split('/');
    const repoUrl =
      ctx.deps.github && owner && name
        ? repoWebUrl(ctx.deps.github.request.endpoint.DEFAULTS.baseUrl, { owner, name })
        : undefined;
    const results = await notifyAll(
      notifiers,
      { ...(repoUrl ? { repoUrl } : {}), ...message },
      {
        ...ctx.deps.notifyOptions,
        ...(once && ctx.deps.notifyOutbox ? { outbox: { store: ctx.deps.notifyOutbox, taskId: ctx.taskId } } : {}),
        signal: ctx.signal,
        onAttemptFailed: (f) =>
          ctx.log(`notify ${f.channel} attempt ${f.attempt} failed: ${f.error}${f.willRetry ? ', retrying' : ''}`),
      },
    );
    return results.map((r) => ({
      channel: r.channel,
      ok: r.ok,
      ...(r.error ? { error: r.error } : {}),
      ...(r.skipped ? { skipped: r.skipped } : {}),
      ...(r.alreadySent ? { alreadySent: r.alreadySent } : {}),
    }));
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    ctx.log(`notifications not sent: ${error}`);
    return [{ channel: 'config', ok: false, error }];
  }
}

/**
 * A roll-out that stopped for good — the driver failed, the image never appeared in the registry, `supply.require`
 * refused it: a failed RolloutRecord (the history, metrics and `cutter rollback` see every roll-out that did not
 * happen, and none of them counts as what runs) and a rollout-failed message. Dry runs record and tell nothing.
 */
export async function reportRolloutFailure(ctx: StepContext<RolloutDeps>, status: string): Promise<void> {
  const data = buildOf(ctx.data);
  if (data.dryRun) return;
  const { build } = data;
  await ctx.deps.history.append({
    connectorId: build.connectorId,
    image: build.image as string,
    ...(build.version ? { version: build.version } : {}),
    ...(build.repo ? { repo: build.repo } : {}),
    ...(build.tag ? { tag: build.tag } : {}),
    taskId: ctx.taskId,
    at: ctx.now().toISOString(),
    kind: build.rollback ? 'rollback' : 'rollout',
    ok: false,
  });
  await tellChannels(ctx, { ...rolloutMessage(data), kind: 'rollout-failed', status });
}
