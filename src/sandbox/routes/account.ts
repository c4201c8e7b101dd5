// Account routes: the authenticated user and the rate-limit overview.

import type { RouteDef } from '../router.js';
import type { Services } from '../services.js';
import { privateUser } from '../shapes.js';

export const accountRoutes: RouteDef<Services>[] = [
  {
    method: 'GET',
    template: '/user',
    async handler(ctx) {
      return { status: 200, body: privateUser(ctx.sandbox.links, ctx.login, '2020-01-01T00:00:00Z') };
    },
  },
  {
    method: 'GET',
    template: '/rate_limit',
    async handler(ctx) {
      const h = ctx.headers;
      // The server has just charged this request and set the headers; report the same numbers GitHub would.
      void h;
      const limits = ctx.sandbox.rateLimits(ctx.token);
      const entry = (l: { limit: number; remaining: number; used: number; reset: number }, resource: string) => ({
        ...l,
        resource,
      });
      const empty = { limit: 0, remaining: 0, used: 0, reset: limits.core.reset };
      return {
        status: 200,
        body: {
          resources: {
            core: entry(limits.core, 'core'),
            graphql: entry(limits.graphql, 'graphql'),
            search: entry({ ...empty, limit: 30, remaining: 30 }, 'search'),
          },
          rate: entry(limits.core, 'core'),
        },
      };
    },
  },
];
