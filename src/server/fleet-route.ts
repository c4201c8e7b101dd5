// `POST /api/fleet`: start a fleet release from the API (admin token or session), stored durably before the 202.

import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { redactValue } from '../core/redact.js';
import { parsePatternList } from '../fleet/repo-filter.js';
import { FLEET_TASK_KIND, type FleetTaskData, fleetRequest, fleetTaskKey } from '../steps/fleet-data.js';
import type { NewTask, TaskRecord } from '../store/types.js';
import type { AdminGate } from './admin-token.js';
import type { ServerLogger } from './server-logger.js';
import { accessOf } from './session-access.js';

export interface FleetRouteOptions {
  /** The engine's enqueue (wakes its worker); the engine must know the `fleet` flow (see steps/fleet-flow.ts). */
  enqueue(task: NewTask): Promise<TaskRecord>;
  admin: AdminGate;
  logger: ServerLogger;
}

const bodySchema = z.strictObject({
  org: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, 'a GitHub organization login'),
  pattern: z.string().min(1).optional(),
  topic: z.string().min(1).optional(),
  dryRun: z.boolean().optional(),
  neverReleased: z.enum(['release', 'skip']).optional(),
  tagFormat: z.string().includes('{version}').optional(),
});

export function registerFleetRoute(app: FastifyInstance, options: FleetRouteOptions): void {
  app.post('/api/fleet', async (request, reply) => {
    // Like the retry route: an admin dashboard session (its CSRF header checked by the access hook) or the bearer.
    const denied = accessOf(request)?.role === 'admin' ? null : options.admin.check(request.headers.authorization);
    if (denied) return reply.code(denied.status).send({ error: denied.error, message: denied.message });
    const parsed = bodySchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return reply.code(400).send({
        error: 'CUTTER_BAD_INPUT',
        message: `${issue?.path.join('.') || 'body'}: ${issue?.message}`,
        hint: 'send { "org": "acme", "pattern": "connector-*,!connector-legacy-*", "dryRun": true }',
      });
    }
    const b = parsed.data;
    let patterns: string[];
    let topics: string[];
    try {
      patterns = b.pattern ? parsePatternList(b.pattern) : [];
      topics = b.topic ? parsePatternList(b.topic) : [];
    } catch (err) {
      return reply.code(400).send({ error: 'CUTTER_BAD_INPUT', message: (err as Error).message });
    }
    const data: FleetTaskData = {
      release: 'connectors',
      fleet: fleetRequest({
        org: b.org,
        patterns,
        topics,
        ...(b.dryRun !== undefined ? { dryRun: b.dryRun } : {}),
        ...(b.neverReleased ? { neverReleased: b.neverReleased } : {}),
        ...(b.tagFormat ? { tagFormat: b.tagFormat } : {}),
        trigger: 'POST /api/fleet',
      }),
    };
    const task = await options.enqueue({
      kind: FLEET_TASK_KIND,
      key: `${fleetTaskKey(b.org)}:${Date.now().toString(36)}`,
      data: data as never,
    });
    options.logger.info(`fleet run ${task.id} for ${b.org} started through the API`);
    return reply.code(202).send(redactValue({ runId: task.id, task: `/api/tasks/${task.id}` }));
  });
}
