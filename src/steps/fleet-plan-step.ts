// Step "plan": up to date, archived, excluded or never released repos are skipped with a reason; the rest are candidates.

import { planFleet } from '../fleet/fleet-plan.js';
import type { Step } from '../workflow/types.js';
import { fleetData, fleetRequestOf } from './fleet-context.js';
import type { FleetDeps } from './fleet-data.js';

export const fleetPlanStep: Step<FleetDeps> = {
  name: 'plan',
  when: { tags: Object, plan: null },
  effect: 'none',
  async run(ctx) {
    const request = fleetRequestOf(ctx.data);
    const facts = fleetData(ctx.data).tags ?? {};
    const plan = planFleet(
      Object.entries(facts).map(([name, f]) => ({
        name,
        archived: f.archived,
        head: f.head ?? null,
        branch: f.branch ?? null,
        latest: f.latest ?? null,
        ...(f.excludedBy ? { excludedBy: f.excludedBy } : {}),
        ...(f.config !== undefined ? { config: f.config || null } : {}),
      })),
      { neverReleased: request.neverReleased },
    );
    const candidates = plan.filter((p) => p.action === 'candidate').length;
    ctx.log(`${candidates} candidates, ${plan.length - candidates} skipped`);
    return { patch: { plan: plan as never } };
  },
};
