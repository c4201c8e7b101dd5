// Step "filter" (seed 001 "Filter Connectors"): keep the repos the patterns or topics select; mark the excluded.

import { compileRepoFilter } from '../fleet/repo-filter.js';
import type { DiscoveredRepo } from '../github/discover-repos.js';
import type { Step } from '../workflow/types.js';
import { fleetData, fleetRequestOf } from './fleet-context.js';
import type { FleetDeps } from './fleet-data.js';

export const fleetFilterStep: Step<FleetDeps> = {
  name: 'filter',
  when: { repos: { request: Array } },
  effect: 'none',
  async run(ctx) {
    const request = fleetRequestOf(ctx.data);
    const all = (fleetData(ctx.data).repos as { request: DiscoveredRepo[] }).request;
    const verdict = compileRepoFilter({ patterns: request.patterns, topics: request.topics });
    const kept: Array<DiscoveredRepo & { excludedBy?: string }> = [];
    for (const repo of all) {
      const v = verdict(repo);
      if (v.included) kept.push(repo);
      else if (v.reason === 'excluded') kept.push({ ...repo, excludedBy: v.rule ?? 'a pattern' });
    }
    const what = [request.patterns.join(','), request.topics.length ? `topics ${request.topics.join(',')}` : '']
      .filter(Boolean)
      .join(' + ');
    ctx.log(`${kept.length} of ${all.length} repositories match ${what}`);
    return { patch: { repos: kept as never, discovery: { notSelected: all.length - kept.length } } };
  },
};
