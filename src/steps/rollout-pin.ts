// Step "pin-image": resolve the build's image tag to its digest in the registry; the driver gets `name@sha256:…`.

import { CutterError, isCutterError } from '../core/errors.js';
import { pinImage } from '../supply/pin-image.js';
import { failsTheTask } from '../workflow/transient.js';
import type { Step } from '../workflow/types.js';
import { reportRolloutFailure } from './rollout-context.js';
import { buildOf } from './rollout-data.js';
import type { RolloutDeps } from './rollout-deps.js';
import { registryFor, supplySectionOf } from './supply-inputs.js';

/**
 * Runs for repositories with a `supply:` section, before the roll-out. A tag not in the registry yet is looked for
 * again (parked) until `supply.waitForImageSeconds`, then the step fails naming the reference; the release stays
 * done and `cutter tasks retry` looks again. Registry 5xx and timeouts are retried by the client, then the step.
 * Giving up is a failed roll-out: recorded in the history and told to the team (rollout-failed) with the reference.
 */
export const rolloutPinStep: Step<RolloutDeps> = {
  name: 'pin-image',
  when: { build: { image: String }, deploy: { driver: Object, supply: Object }, pinned: null, rollout: null },
  effect: 'none',
  retry: { maxAttempts: 2, baseMs: 1_000 },
  async run(ctx) {
    const data = buildOf(ctx.data);
    const image = data.build.image as string;
    const section = supplySectionOf(data.deploy?.supply, data.deploy?.source);
    const registry = registryFor(section, { ...ctx.deps.registryOptions, signal: ctx.signal });
    let pinned: Awaited<ReturnType<typeof pinImage>>;
    try {
      pinned = await pinImage(registry, image, { timeoutMs: 0 });
    } catch (err) {
      let failure = err;
      if (isCutterError(err, 'CUTTER_NOT_FOUND')) {
        const now = ctx.now();
        const since = data.imageWaitingSince ?? now.toISOString();
        if (now.getTime() - Date.parse(since) < section.waitForImageSeconds * 1000) {
          ctx.log(`image ${image} is not in the registry yet; waiting up to ${section.waitForImageSeconds}s`);
          return {
            patch: { imageWaitingSince: since },
            wait: { reason: `waiting for image ${image} in the registry`, pollMs: ctx.deps.imagePollMs ?? 5_000 },
          };
        }
        const gaveUp = new CutterError(
          'CUTTER_NOT_FOUND',
          `image ${image} not found in the registry after ${section.waitForImageSeconds}s`,
          {
            hint: `push it (or fix deploy.image), then \`cutter tasks retry ${ctx.taskId}\` (it waits for the image anew); the release stays done`,
            details: { image },
          },
        );
        await reportRolloutFailure(ctx, gaveUp.message);
        // The wait clock ends with the give-up: a retry looks for the image again and, still missing, waits afresh.
        return { patch: { imageWaitingSince: null }, fail: gaveUp };
      } else if (isCutterError(err) && err.code !== 'CUTTER_BAD_INPUT') {
        failure = new CutterError(err.code, `cannot resolve image ${image}: ${err.message}`, {
          transient: err.transient,
          hint: err.hint ?? `retry once the registry answers: \`cutter tasks retry ${ctx.taskId}\``,
        });
      }
      // A registry that is slow or failing is retried quietly; the team hears once the step gives up.
      if (failsTheTask(failure, ctx)) {
        await reportRolloutFailure(ctx, isCutterError(failure) ? failure.message : String(failure));
      }
      throw failure;
    }
    ctx.log(`${pinned.requested} is ${pinned.digest}: rolling out ${pinned.pinned}`);
    return {
      patch: {
        build: { image: pinned.pinned },
        pinned: { requested: pinned.requested, digest: pinned.digest, at: ctx.now().toISOString() },
        imageWaitingSince: null,
      },
    };
  },
};
