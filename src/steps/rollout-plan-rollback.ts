// Step "plan-rollback": for a rollback build, pick the previously released image from the history (fix-forward).

import { planRollback } from '../deploy/rollback.js';
import type { Step } from '../workflow/types.js';
import { driverOf } from './rollout-context.js';
import { buildOf } from './rollout-data.js';
import type { RolloutDeps } from './rollout-deps.js';

export const rolloutPlanRollbackStep: Step<RolloutDeps> = {
  name: 'plan-rollback',
  when: { build: { rollback: true, image: null }, deploy: { driver: Object } },
  effect: 'none',
  async run(ctx) {
    const { build } = buildOf(ctx.data);
    const driver = driverOf(ctx);
    // What the target runs beats what we recorded: a half-done roll-out may have left another image in place.
    const current = driver.current ? await driver.current(build.connectorId, { signal: ctx.signal }) : null;
    const history = await ctx.deps.history.list(build.connectorId);
    const plan = planRollback(history, build.connectorId, current ? { current } : {});
    ctx.log(plan.kind === 'rollback' ? `${plan.from ?? 'unknown'} → ${plan.to}: ${plan.reason}` : plan.reason);
    if (plan.kind === 'nothing') return { complete: true, patch: { skipped: { reason: plan.reason } } };
    return {
      patch: {
        build: { image: plan.to, ...(plan.version ? { version: plan.version } : {}) },
        plan: { ...(plan.from ? { from: plan.from } : {}), to: plan.to, reason: plan.reason },
      },
    };
  },
};
