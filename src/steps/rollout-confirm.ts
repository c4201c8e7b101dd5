// Step "confirm": read back what the target runs, then record the roll-out (or rollback) in the history.

import { CutterError } from '../core/errors.js';
import type { Step } from '../workflow/types.js';
import { driverOf } from './rollout-context.js';
import { buildOf } from './rollout-data.js';
import type { RolloutDeps } from './rollout-deps.js';

export const rolloutConfirmStep: Step<RolloutDeps> = {
  name: 'confirm',
  when: { rollout: { outcome: String }, confirmed: null },
  effect: 'idempotent',
  async run(ctx) {
    const data = buildOf(ctx.data);
    const { build, rollout } = data;
    const image = build.image as string;
    const at = ctx.now().toISOString();
    if (rollout?.outcome === 'pending' && ctx.deps.waitForMerge !== false) {
      // Success is the merge: look again later; the driver finds its own pull request (one branch per image).
      const url = rollout.url ?? 'the pull request';
      ctx.log(`waiting for ${url} to be merged`);
      return {
        patch: { rollout: null, awaitingMerge: { ...(rollout.url ? { url: rollout.url } : {}), since: at } },
        wait: { reason: `waiting for ${url} to be merged`, pollMs: ctx.deps.mergePollMs ?? 60_000 },
      };
    }
    if (rollout?.outcome !== 'updated') {
      ctx.log(
        rollout?.outcome === 'unchanged'
          ? `${build.connectorId} already ran ${image}: nothing recorded`
          : `${rollout?.outcome ?? 'no'} roll-out: nothing recorded`,
      );
      return { patch: { confirmed: { ok: true, at, recorded: false } } };
    }
    const driver = driverOf(ctx);
    const current = driver.current ? await driver.current(build.connectorId, { signal: ctx.signal }) : null;
    if (current !== null && current !== image) {
      throw new CutterError(
        'CUTTER_DEPLOY_FAILED',
        `${build.connectorId} runs ${current}, not ${image}, after the update`,
        {
          transient: true,
          hint: 'someone or something else changed the image meanwhile; check the target before retrying',
        },
      );
    }
    await ctx.deps.history.append({
      connectorId: build.connectorId,
      image,
      ...(build.version ? { version: build.version } : {}),
      ...(build.repo ? { repo: build.repo } : {}),
      ...(build.tag ? { tag: build.tag } : {}),
      taskId: ctx.taskId,
      at,
      kind: build.rollback ? 'rollback' : 'rollout',
      ok: true,
    });
    ctx.log(`${build.connectorId} runs ${image}${current === null ? ' (the target cannot be read back)' : ''}`);
    return { patch: { confirmed: { ok: true, at, recorded: true } } };
  },
};
