// Step "roll-out": hand the image to the configured driver (infra API or GitOps PR); the same image twice is a no-op.

import { isCutterError } from '../core/errors.js';
import { failsTheTask } from '../workflow/transient.js';
import type { JsonObject, Step } from '../workflow/types.js';
import { driverOf, reportRolloutFailure } from './rollout-context.js';
import { buildOf, type RolloutState } from './rollout-data.js';
import type { RolloutDeps } from './rollout-deps.js';

/** The driver already retries 5xx and timeouts with backoff; the engine adds one more try after a longer pause. */
const MAX_ATTEMPTS = 2;

export const rolloutDeployStep: Step<RolloutDeps> = {
  name: 'roll-out',
  when: { build: { image: String }, deploy: { driver: Object }, rollout: null },
  effect: 'idempotent',
  retry: { maxAttempts: MAX_ATTEMPTS, baseMs: 2_000 },
  async run(ctx) {
    const data = buildOf(ctx.data);
    const { build } = data;
    const image = build.image as string;
    const driver = driverOf(ctx, (line) => ctx.log(line));
    try {
      const result = await driver.rollout(
        {
          connectorId: build.connectorId,
          image,
          ...(build.repo ? { repo: build.repo } : {}),
          ...(build.version ? { version: build.version } : {}),
        },
        { ...(data.dryRun ? { dryRun: true } : {}), signal: ctx.signal },
      );
      for (const line of result.log) ctx.log(line);
      // The base branch already has the image because someone merged our pull request: that is the roll-out.
      const merged = result.outcome === 'unchanged' && data.awaitingMerge !== undefined && !data.dryRun;
      if (merged) ctx.log(`${data.awaitingMerge?.url ?? 'the pull request'} was merged`);
      const rollout: RolloutState = {
        driver: result.driver,
        outcome: merged ? 'updated' : result.outcome,
        attempts: result.attempts,
        ...(result.previousImage ? { previousImage: result.previousImage } : {}),
        ...(result.status !== undefined ? { status: result.status } : {}),
        ...(result.healthy !== undefined ? { healthy: result.healthy } : {}),
        ...(result.url || merged ? { url: result.url ?? data.awaitingMerge?.url } : {}),
      };
      return { patch: { rollout: rollout as unknown as JsonObject } };
    } catch (err) {
      // The task fails with this error; the history and the team hear about it first.
      if (failsTheTask(err, ctx)) await reportRolloutFailure(ctx, isCutterError(err) ? err.message : String(err));
      throw err;
    }
  },
};
