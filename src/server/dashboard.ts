// The dashboard: login and access checks, its API routes, and the static page with Chart.js served from node_modules.

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { GitHubClient } from '../github/client.js';
import type { Store } from '../store/types.js';
import { registerControlRoutes } from './control-routes.js';
import type { DashboardEngine } from './dashboard-engine.js';
import { registerFleetRoutes } from './fleet-routes.js';
import { registerMetricsRoutes } from './metrics-routes.js';
import type { ServerLogger } from './server-logger.js';
import { registerSessionAccess } from './session-access.js';
import { registerVerifyRoutes } from './verify-routes.js';

export interface DashboardOptions {
  engine?: DashboardEngine | undefined;
  /** Lists the org's repositories for the fleet table; without it the table shows repos the store knows. */
  github?: GitHubClient | undefined;
  /** Org shown by default (CUTTER_ORG). */
  org?: string | undefined;
  /** Fleet repositories (default `connector-*`). */
  pattern?: string | undefined;
  /** CUTTER_READ_TOKEN: a read-only login. */
  readToken?: string | undefined;
  cookieSecret?: string | undefined;
  secureCookie?: boolean;
}

export interface DashboardContext extends DashboardOptions {
  store: Store;
  logger: ServerLogger;
  /** CUTTER_API_TOKEN: the admin login. */
  adminToken?: string | undefined;
}

// `web/` sits two levels above this file both in `src/server` (tsx) and in `dist/server` (built).
const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
const CHART_DIST = path.dirname(createRequire(import.meta.url).resolve('chart.js'));

export function registerDashboard(app: FastifyInstance, ctx: DashboardContext): void {
  registerSessionAccess(app, {
    store: ctx.store,
    logger: ctx.logger,
    adminToken: ctx.adminToken,
    readToken: ctx.readToken,
    cookieSecret: ctx.cookieSecret,
    ...(ctx.secureCookie !== undefined ? { secureCookie: ctx.secureCookie } : {}),
  });
  registerFleetRoutes(app, ctx);
  registerControlRoutes(app, ctx);
  registerMetricsRoutes(app, ctx);
  registerVerifyRoutes(app, ctx);
  app.register(fastifyStatic, { root: path.join(WEB_ROOT, 'assets'), prefix: '/assets/', index: false });
  app.register(fastifyStatic, {
    root: CHART_DIST,
    prefix: '/assets/vendor/',
    allowedPath: (p) => p === '/chart.umd.min.js',
    decorateReply: false,
    index: false,
  });
  const page = (file: string) => async (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply.header('cache-control', 'no-store').sendFile(file, WEB_ROOT);
  app.get('/', page('index.html'));
  app.get('/login', page('login.html'));
}
