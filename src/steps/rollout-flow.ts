// The image roll-out flow as one table (seed 001's infrastructure path): resolve → roll out → confirm → notify.

import { defineFlow } from '../workflow/flow.js';
import type { Step } from '../workflow/types.js';
import { rolloutConfirmStep } from './rollout-confirm.js';
import { rolloutDeployStep } from './rollout-deploy.js';
import type { RolloutDeps } from './rollout-deps.js';
import { rolloutNotifyStep } from './rollout-notify.js';
import { rolloutPinStep } from './rollout-pin.js';
import { rolloutPlanRollbackStep } from './rollout-plan-rollback.js';
import { rolloutPolicyStep } from './rollout-policy.js';
import { rolloutResolveStep } from './rollout-resolve.js';

export type { BuildRequest, BuildTaskData } from './rollout-data.js';
export { BUILD_TASK_KIND, buildTaskKey, parseBuildRequest } from './rollout-data.js';
export type { RolloutDeps } from './rollout-deps.js';

/**
 * A build task is `{ build: { type: "connector", connectorId, image } }` (from POST /api/builds, a registry_package
 * or workflow_run webhook, or a release of a repository whose config names its image). Key: the repository.
 *
 *   resolve        build: Object, deploy: null                                  → deploy: { driver, notify, source }
 *   plan-rollback  build: { rollback: true, image: null }, deploy: { driver }   → build.image, plan | skipped, done
 *   pin-image      build: { image: String }, deploy: { driver, supply: Object }, pinned: null, rollout: null
 *                                                                              → build.image = name@sha256:…, pinned | waits
 *   image-policy   pinned: { digest }, deploy: { supply: { require: Array } }, policy: null, rollout: null
 *                                                                              → policy | refused, naming what is missing
 *   roll-out       build: { image: String }, deploy: { driver }, rollout: null  → rollout: { outcome, status… }
 *   confirm        rollout: { outcome: String }, confirmed: null                → confirmed (+ a RolloutRecord)
 *   notify         confirmed: Object, notified: null                            → notified, done
 */
export const rolloutSteps: readonly Step<RolloutDeps>[] = [
  rolloutResolveStep,
  rolloutPlanRollbackStep,
  rolloutPinStep,
  rolloutPolicyStep,
  rolloutDeployStep,
  rolloutConfirmStep,
  rolloutNotifyStep,
];

export const rolloutFlow = defineFlow<RolloutDeps>('build', rolloutSteps);
