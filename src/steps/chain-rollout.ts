// Step "chain-rollout": when a released repository's config names its image, start the roll-out as a child build task.

import { connectorIdFor, imageForRelease, parseDeploySection } from '../deploy/deploy-config.js';
import type { Step } from '../workflow/types.js';
import { configOf, releaseOf, repoOf, taskData } from './release-context.js';
import type { ReleaseDeps } from './release-deps.js';
import { BUILD_TASK_KIND, type BuildTaskData } from './rollout-data.js';

export const chainRolloutStep: Step<ReleaseDeps> = {
  name: 'chain-rollout',
  // Before notify: the release task keeps its lease through notify, so the child (same key) starts only after the
  // release message is out and its roll-out message can thread under it.
  when: {
    release: { released: { url: String }, notified: null },
    config: { deploy: { image: String } },
    dryRun: null,
    build: null,
  },
  effect: 'idempotent',
  async run(ctx) {
    const repo = repoOf(ctx.data);
    const release = releaseOf(ctx.data);
    const config = configOf(ctx.data);
    const deploy = parseDeploySection(config.deploy, taskData(ctx.data).config?.source ?? '.cutter.yml');
    if (!deploy) return { complete: true };
    const tag = release.tagged?.tag as string;
    const full = `${repo.owner}/${repo.name}`;
    const data: BuildTaskData = {
      build: {
        type: 'connector',
        connectorId: connectorIdFor(deploy, repo.name),
        // The digest the supply step signed, when it ran: what is rolled out is exactly what was signed and verified.
        image:
          release.supply?.pinned ??
          imageForRelease(deploy.image, { owner: repo.owner, repo: repo.name, version: release.next!, tag }),
        repo: full,
        version: release.next!,
        tag,
        ...(release.tagged?.sha ? { sha: release.tagged.sha } : {}),
        trigger: `release ${tag}${taskData(ctx.data).trigger ? ` (${taskData(ctx.data).trigger})` : ''}`,
      },
      // The config was read at the released commit: roll out with the driver it names, no second read.
      deploy: {
        driver: deploy.driver as never,
        notify: config.notify as never,
        source: taskData(ctx.data).config?.source ?? full,
        tagFormat: config.tagFormat,
        // The roll-out pins the image by digest and applies supply.require with the same section.
        ...(config.supply ? { supply: config.supply as never } : {}),
      },
    };
    ctx.log(`rolling out ${data.build.image} to ${data.build.connectorId}`);
    return {
      patch: { build: { connectorId: data.build.connectorId, image: data.build.image as string } },
      children: [
        {
          kind: BUILD_TASK_KIND,
          key: full,
          data: data as never,
          dedupeKey: `build:${full.toLowerCase()}@${tag}`,
        },
      ],
    };
  },
};
