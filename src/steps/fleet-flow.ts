// The connector fleet flow as one table (seed 001's connectors path): list → filter → tags → plan → fan-out → summary.

import { defineFlow } from '../workflow/flow.js';
import type { Step } from '../workflow/types.js';
import type { FleetDeps } from './fleet-data.js';
import { fleetFanOutStep } from './fleet-fan-out.js';
import { fleetFilterStep } from './fleet-filter.js';
import { fleetListReposStep } from './fleet-list-repos.js';
import { fleetPlanStep } from './fleet-plan-step.js';
import { fleetSummaryStep } from './fleet-summary.js';
import { fleetTagsStep } from './fleet-tags.js';

export type { FleetDeps, FleetRequest, FleetSummary, FleetSummaryRow, FleetTaskData } from './fleet-data.js';
export { FLEET_TASK_KIND, fleetRequest, fleetTaskKey } from './fleet-data.js';

/**
 * A fleet run is one parent task; each candidate becomes a child task of the release flow (key `owner/repo`, so
 * two runs serialize per repository) with `release.latest` filled in, which skips its latest-tag step.
 *
 *   list-repos  release: "connectors", repos: null, tags: null → repos: { request: [...] }  (1 GraphQL query / 50 repos)
 *   filter      repos: { request: Array }                      → repos: [...]  (globs, !excludes, topics)
 *   tags        repos: Array, tags: null                       → repos: null, tags: { repo: facts }  (>100 tags: batched)
 *   plan        tags: Object, plan: null                       → plan: [candidate | skip with reason]
 *   fan-out     plan: Array, children: null                    → one release child per candidate
 *   summary     plan: Array, children: { pending: 0 }, summary: null → summary, one notification, done
 */
export const fleetSteps: readonly Step<FleetDeps>[] = [
  fleetListReposStep,
  fleetFilterStep,
  fleetTagsStep,
  fleetPlanStep,
  fleetFanOutStep,
  fleetSummaryStep,
];

export const fleetFlow = defineFlow<FleetDeps>('fleet', fleetSteps);
