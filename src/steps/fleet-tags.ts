// Step "tags" (seed 001 "Fetch Repository Tags"): finish the tag pages of repos with >100 tags, batched, and keep the facts.

import { completeTags, type DiscoveredRepo } from '../github/discover-repos.js';
import type { Step } from '../workflow/types.js';
import { fleetData, fleetRequestOf } from './fleet-context.js';
import type { FleetDeps, FleetRepoFacts } from './fleet-data.js';

export const fleetTagsStep: Step<FleetDeps> = {
  name: 'tags',
  when: { repos: Array, tags: null },
  effect: 'none',
  async run(ctx) {
    const request = fleetRequestOf(ctx.data);
    const selected = fleetData(ctx.data).repos as Array<DiscoveredRepo & { excludedBy?: string }>;
    const more = selected.filter((r) => r.moreTagsAfter);
    const { repos, spend } = more.length
      ? await completeTags(ctx.deps.github, selected, {
          org: request.org,
          tagFormat: request.tagFormat,
          signal: ctx.signal,
        })
      : { repos: selected, spend: null };
    if (spend) ctx.log(`${more.length} repositories have more than 100 tags: ${spend.queries} more GraphQL queries`);
    const tags: Record<string, FleetRepoFacts> = {};
    for (const repo of repos as Array<DiscoveredRepo & { excludedBy?: string }>) {
      tags[repo.name] = {
        head: repo.head,
        branch: repo.branch,
        archived: repo.archived,
        latest: repo.latest,
        ...(repo.excludedBy ? { excludedBy: repo.excludedBy } : {}),
        ...(repo.config !== undefined ? { config: repo.config ?? false } : {}),
      };
    }
    return {
      patch: {
        repos: null,
        tags: tags as never,
        ...(spend ? { discovery: { moreTagQueries: spend.queries } } : {}),
      },
    };
  },
};
