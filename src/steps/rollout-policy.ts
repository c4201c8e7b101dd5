// Step "image-policy": `supply.require` — a pinned image lacking a required signature, SBOM or provenance is refused.

import { isCutterError } from '../core/errors.js';
import { readBranchHead } from '../github/repo-api.js';
import { enforceImagePolicy } from '../supply/image-policy.js';
import { failsTheTask } from '../workflow/transient.js';
import type { Step } from '../workflow/types.js';
import { reportRolloutFailure } from './rollout-context.js';
import { buildOf } from './rollout-data.js';
import type { RolloutDeps } from './rollout-deps.js';
import { registryFor, supplySectionOf, trustedKeysFor } from './supply-inputs.js';

/**
 * Runs after pin-image, before anything reaches the driver. The proofs are read from the registry next to the
 * digest (cosign's `.sig`/`.att`/`.sbom` tags) and checked against the trusted keys; a refusal names what is missing
 * and fails the task (`cutter tasks retry` checks again once they are published). A refusal is recorded and told as
 * any failed roll-out is; a registry that does not answer is the engine's to retry first, and says nothing until the
 * last attempt fails.
 */
export const rolloutPolicyStep: Step<RolloutDeps> = {
  name: 'image-policy',
  when: { pinned: { digest: String }, deploy: { supply: { require: Array } }, policy: null, rollout: null },
  effect: 'none',
  async run(ctx) {
    const data = buildOf(ctx.data);
    const section = supplySectionOf(data.deploy?.supply, data.deploy?.source);
    const at = ctx.now().toISOString();
    if (section.require.length === 0) return { patch: { policy: { required: [], at } } };
    const image = data.build.image as string;
    const gh = ctx.deps.github;
    const [owner = '', name = ''] = (data.build.repo ?? '').split('/');
    const env = ctx.deps.env ?? process.env;
    // Repository key files are read at the released commit (or tag), else at the default branch's head.
    const ref =
      gh && owner ? (data.build.sha ?? data.build.tag ?? (await readBranchHead(gh, { owner, name })).sha) : '';
    const keys = await trustedKeysFor(gh, { owner, name }, ref, section, env);
    const registry = registryFor(section, { ...ctx.deps.registryOptions, signal: ctx.signal });
    try {
      await enforceImagePolicy(registry, image, section.require, keys);
    } catch (err) {
      if (failsTheTask(err, ctx)) await reportRolloutFailure(ctx, isCutterError(err) ? err.message : String(err));
      throw err;
    }
    ctx.log(`${image} carries a valid ${section.require.join(', ')}`);
    return { patch: { policy: { required: section.require, at } } };
  },
};
