// Step "list-repos" (seed 001 "Find Connector Repos"): every repo of the org with its head and first page of tags.

import { discoverRepos } from '../github/discover-repos.js';
import type { Step } from '../workflow/types.js';
import { fleetRequestOf } from './fleet-context.js';
import type { FleetDeps } from './fleet-data.js';

export const fleetListReposStep: Step<FleetDeps> = {
  name: 'list-repos',
  when: { release: 'connectors', repos: null, tags: null },
  effect: 'none',
  async run(ctx) {
    const request = fleetRequestOf(ctx.data);
    const { repos, spend } = await discoverRepos(ctx.deps.github, {
      org: request.org,
      tagFormat: request.tagFormat,
      signal: ctx.signal,
    });
    ctx.log(`${repos.length} repositories in ${request.org} (${spend.queries} GraphQL queries, cost ${spend.cost})`);
    return {
      patch: {
        repos: { request: repos as never },
        discovery: { total: repos.length, notSelected: 0, graphql: spend as never },
      },
    };
  },
};
