// `POST /api/builds` starts an image roll-out (admin, CSRF by the access hook); `GET /api/rollouts` reads the history.

import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { CutterError } from '../core/errors.js';
import { redactValue } from '../core/redact.js';
import type { RolloutHistory } from '../deploy/rollout-history.js';
import { BUILD_TASK_KIND, type BuildTaskData, buildTaskKey, parseBuildRequest } from '../steps/rollout-data.js';
import type { NewTask, TaskRecord } from '../store/types.js';
import { taskSummary } from './fleet-routes.js';
import { sendApiError } from './send-api-error.js';
import type { ServerLogger } from './server-logger.js';

export interface BuildRouteOptions {
  /** The engine's enqueue; the engine must run the `build` flow (steps/rollout-flow.ts). */
  enqueue(task: NewTask): Promise<TaskRecord>;
  history: RolloutHistory;
  /** Owner of the repository named like the connector when a build names no repository (CUTTER_ORG). */
  org?: string | undefined;
  logger: ServerLogger;
}

const bodySchema = z.strictObject({ build: z.unknown(), dryRun: z.boolean().optional() });

/** A build request as a task; the org's repo named like the connector when the request names none. */
export function buildTask(
  raw: unknown,
  options: { org?: string | undefined; dryRun?: boolean; trigger: string },
): NewTask {
  const build = parseBuildRequest(raw);
  const repo = build.repo ?? (options.org ? `${options.org}/${build.connectorId}` : undefined);
  const data: BuildTaskData = {
    build: { ...build, ...(repo ? { repo } : {}), trigger: build.trigger ?? options.trigger },
    ...(options.dryRun ? { dryRun: true } : {}),
  };
  return { kind: BUILD_TASK_KIND, key: buildTaskKey(data.build), data: data as never };
}

export function registerBuildRoutes(app: FastifyInstance, options: BuildRouteOptions): void {
  const { logger } = options;

  app.post('/api/builds', async (request, reply) => {
    try {
      const parsed = bodySchema.safeParse(request.body ?? {});
      if (!parsed.success) {
        throw new CutterError('CUTTER_BAD_INPUT', `body: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
          hint: '{"build":{"type":"connector","connectorId":"connector-x","image":"ghcr.io/acme/connector-x:1.4.2"}}',
        });
      }
      const task = await options.enqueue(
        buildTask(parsed.data.build, {
          org: options.org,
          ...(parsed.data.dryRun ? { dryRun: true } : {}),
          trigger: 'POST /api/builds',
        }),
      );
      logger.info(`build ${task.id} (${task.key}) queued through the API`);
      return reply.code(202).send(redactValue({ task: taskSummary(task) }));
    } catch (err) {
      return sendApiError(reply, err, logger);
    }
  });

  app.get<{ Querystring: { connector?: string } }>('/api/rollouts', async (request, reply) => {
    try {
      const records = await options.history.list(request.query.connector || undefined);
      return reply.send(redactValue({ records: records.slice(-500).reverse() }));
    } catch (err) {
      return sendApiError(reply, err, logger);
    }
  });
}
