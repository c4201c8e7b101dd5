// Step "resolve": validate the build request and read the driver and channels from the repository's `.cutter.yml`.

import { CutterError } from '../core/errors.js';
import { imageForRelease, parseDeploySection } from '../deploy/deploy-config.js';
import { readBranchHead } from '../github/repo-api.js';
import type { JsonObject, Step } from '../workflow/types.js';
import { readRepoConfig } from './repo-config.js';
import { buildOf, parseBuildRequest } from './rollout-data.js';
import type { RolloutDeps } from './rollout-deps.js';

export const rolloutResolveStep: Step<RolloutDeps> = {
  name: 'resolve',
  when: { build: Object, deploy: null },
  effect: 'none',
  async run(ctx) {
    const build = parseBuildRequest(buildOf(ctx.data).build);
    const full = build.repo ?? (ctx.deps.org ? `${ctx.deps.org}/${build.connectorId}` : null);
    if (!full) {
      throw new CutterError('CUTTER_BAD_INPUT', `no repository given for connector ${build.connectorId}`, {
        hint: 'pass build.repo (owner/name) or start the server with CUTTER_ORG so the repo named like the connector is used',
      });
    }
    if (!ctx.deps.github) {
      throw new CutterError('CUTTER_CONFIG_INVALID', `cannot read ${full}'s .cutter.yml without a GitHub client`, {
        hint: 'set GITHUB_TOKEN, or pass the deploy section with the task',
      });
    }
    const [owner = '', name = ''] = full.split('/');
    const head = await readBranchHead(ctx.deps.github, { owner, name });
    const loaded = await readRepoConfig(ctx.deps.github, { owner, name }, head.sha);
    const source = loaded.source ?? `${full} (no .cutter.yml)`;
    const deploy = parseDeploySection(loaded.config.deploy, source);
    if (!deploy) {
      throw new CutterError('CUTTER_CONFIG_INVALID', `${source} has no deploy section`, {
        hint: "add deploy: { image, driver } to the repository's .cutter.yml (see the README)",
      });
    }
    // A build event that only knows the version (a workflow run on a tag) gets the image the config names.
    const image =
      build.image ??
      (build.version && !build.rollback
        ? imageForRelease(deploy.image, {
            owner,
            repo: name,
            version: build.version,
            ...(build.tag ? { tag: build.tag } : {}),
          })
        : undefined);
    ctx.log(`${source}: ${deploy.driver.type} driver${image && !build.image ? `; image ${image}` : ''}`);
    return {
      patch: {
        build: { repo: full, ...(image ? { image } : {}) },
        deploy: {
          driver: deploy.driver as unknown as JsonObject,
          notify: loaded.config.notify as JsonObject,
          source,
          tagFormat: loaded.config.tagFormat,
          ...(loaded.config.supply ? { supply: loaded.config.supply as unknown as JsonObject } : {}),
        },
      },
    };
  },
};
