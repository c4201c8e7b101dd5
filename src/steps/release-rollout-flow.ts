// The release flow for engines that also run builds: the same table with chain-rollout just before notify.

import { defineFlow } from '../workflow/flow.js';
import type { Step } from '../workflow/types.js';
import { chainRolloutStep } from './chain-rollout.js';
import type { ReleaseDeps } from './release-deps.js';
import { releaseSteps } from './release-flow.js';

/**
 * Only an engine that knows the `build` kind may chain: elsewhere (CLI, fleet runner) the child would never run.
 *
 *   …the release flow up to confirm…
 *   chain-rollout  release: { released: { url }, notified: null }, config: { deploy: { image: String } }, build: null
 *                                                               → build: { connectorId, image } + a `build` child
 *   notify         …as in the release flow
 */
function withChain(steps: readonly Step<ReleaseDeps>[]): Step<ReleaseDeps>[] {
  const at = steps.findIndex((s) => s.name === 'notify');
  return at === -1 ? [...steps, chainRolloutStep] : [...steps.slice(0, at), chainRolloutStep, ...steps.slice(at)];
}

export const releaseWithRolloutFlow = defineFlow<ReleaseDeps>('release', withChain(releaseSteps));
