// Builds Cutter's HTTP server: the GitHub webhook receiver and the JSON API over one store and engine.

import Fastify, { type FastifyInstance } from 'fastify';
import { CutterError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';
import type { Store } from '../store/types.js';
import { adminGate } from './admin-token.js';
import { registerApiRoutes, type TaskRetrier } from './api-routes.js';
import { type DashboardOptions, registerDashboard } from './dashboard.js';
import type { EventToTask } from './event-tasks.js';
import { redactingLogger, type ServerLogger, silentLogger } from './server-logger.js';
import { registerWebhookRoute } from './webhook-route.js';

export interface ServerOptions {
  store: Store;
  /**
   * Retries through the engine wake its worker at once; without one, the store's retry waits for a poll. Its
   * `wake()` is called after every stored webhook task.
   */
  engine?: TaskRetrier & { wake?(): void };
  /** Which webhook events start which tasks (default EVENT_TASKS; serve adds fleet control repos). */
  events?: Readonly<Record<string, EventToTask>>;
  /** The GitHub hook's secret; an array while rotating (the first is current, the rest still accepted). */
  webhookSecret: string | readonly string[];
  /** Enables `POST /api/tasks/:id/retry` for `Authorization: Bearer <apiToken>`; without it, write routes answer 403. */
  apiToken?: string;
  logger?: ServerLogger;
  /**
   * Largest webhook body accepted (default 5 MiB, answered 413 above). GitHub caps payloads at 25 MB but a
   * push carries at most 20 commits, so real pushes stay far below; the limit keeps a flood from filling memory.
   */
  maxBodyBytes?: number;
  /** The dashboard's engine, GitHub client, org and read token; its login guards every `/api/*` route either way. */
  dashboard?: DashboardOptions;
}

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

export function buildServer(options: ServerOptions): FastifyInstance {
  const secrets = (typeof options.webhookSecret === 'string' ? [options.webhookSecret] : [...options.webhookSecret])
    .map((s) => s.trim())
    .filter(Boolean);
  if (secrets.length === 0) {
    throw new CutterError('CUTTER_BAD_INPUT', 'the webhook server needs a webhook secret', {
      hint: 'set CUTTER_WEBHOOK_SECRET to the secret configured on the GitHub hook',
    });
  }
  for (const s of secrets) registerSecret(s);
  const logger = redactingLogger(options.logger ?? silentLogger);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // Fastify's own logger stays off: our lines go through `redact`, and per-request logging would cost latency.
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, forceCloseConnections: true, return503OnClosing: true });
  app.setErrorHandler((err: { statusCode?: number; code?: string; message?: string }, _request, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) logger.error(`request failed: ${err.message ?? String(err)}`);
    const message = status === 413 ? `the body is larger than the server accepts` : (err.message ?? 'error');
    return reply.code(status).send({ error: err.code ?? 'error', message: status >= 500 ? 'internal error' : message });
  });
  registerDashboard(app, { ...options.dashboard, store: options.store, logger, adminToken: options.apiToken });
  registerWebhookRoute(app, {
    store: options.store,
    secrets,
    bodyLimit: maxBodyBytes,
    logger,
    onStored: () => options.engine?.wake?.(),
    ...(options.events ? { events: options.events } : {}),
  });
  registerApiRoutes(app, {
    store: options.store,
    retrier: options.engine ?? { retry: (id, actor) => options.store.retryTask(id, actor ?? 'api') },
    admin: adminGate(options.apiToken),
    logger,
  });
  return app;
}
