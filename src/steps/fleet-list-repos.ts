// Step "list-repos" (seed 001 "Find Connector Repos"): every repo of the org with its head and first page of tags.

import { parseConfig } from '../config/load-config.js';
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
      // Each repo's own tag format picks its latest tag; a broken file is its release task's error to report.
      tagFormatFor: async (name, config) => {
        if (!config) return undefined;
        try {
          return (await parseConfig(config.text, `${request.org}/${name}:${config.file}`)).tagFormat;
        } catch {
          return undefined;
        }
      },
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
