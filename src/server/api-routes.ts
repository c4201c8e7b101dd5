// The JSON API: health, tasks with their step logs (secrets redacted), and an admin-only retry.

import type { FastifyInstance, FastifyReply } from 'fastify';
import { CutterError, isCutterError } from '../core/errors.js';
import { redactValue } from '../core/redact.js';
import { type Store, type TaskRecord, type TaskStatus, TERMINAL_STATUSES } from '../store/types.js';
import type { AdminGate } from './admin-token.js';
import type { ServerLogger } from './server-logger.js';
import { accessOf } from './session-access.js';

/** What the retry route needs: the engine's retry wakes its worker loop; the store's alone waits for the next poll. */
export interface TaskRetrier {
  retry(taskId: string, actor?: string): Promise<TaskRecord>;
}

export interface ApiRouteOptions {
  store: Store;
  retrier: TaskRetrier;
  admin: AdminGate;
  logger: ServerLogger;
}

const STATUSES: readonly TaskStatus[] = ['queued', 'running', 'waiting', ...TERMINAL_STATUSES];

const HTTP_STATUS: Partial<Record<CutterError['code'], number>> = {
  CUTTER_BAD_INPUT: 400,
  CUTTER_NOT_FOUND: 404,
  CUTTER_REFUSED: 409,
};

function sendError(reply: FastifyReply, err: unknown, logger: ServerLogger) {
  if (isCutterError(err)) {
    const status = HTTP_STATUS[err.code] ?? (err.transient ? 503 : 500);
    if (status >= 500) logger.error(err.toLine());
    return reply.code(status).send(redactValue({ error: err.code, message: err.message, hint: err.hint }));
  }
  logger.error(`api: ${err instanceof Error ? err.message : String(err)}`);
  return reply.code(500).send({ error: 'CUTTER_INTERNAL', message: 'internal error; see the server log' });
}

/** `?status=failed,queued&kind=release&repo=acme/x&limit=20&cursor=…` → a store filter, or a 400 reason. */
export function parseTaskQuery(query: Record<string, unknown>) {
  const one = (name: string): string | undefined => {
    const v = query[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const status = one('status')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = status?.filter((s) => !STATUSES.includes(s as TaskStatus));
  if (unknown?.length) {
    throw new CutterError('CUTTER_BAD_INPUT', `unknown status ${unknown.join(', ')}`, {
      hint: `use ${STATUSES.join(', ')}`,
    });
  }
  const limitText = one('limit');
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 500)) {
    throw new CutterError('CUTTER_BAD_INPUT', `limit must be a whole number from 1 to 500, got "${limitText}"`);
  }
  const kind = one('kind');
  const key = one('repo');
  const cursor = one('cursor');
  return {
    ...(status?.length ? { status: status as TaskStatus[] } : {}),
    ...(kind ? { kind } : {}),
    ...(key ? { key } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

export function registerApiRoutes(app: FastifyInstance, options: ApiRouteOptions): void {
  const { store, logger } = options;

  app.get('/healthz', async (_request, reply) => {
    try {
      // A read through the store proves the database file is open and answering.
      await store.kvGet('cutter:healthz');
      return reply.send({ ok: true });
    } catch (err) {
      logger.error(`healthz: ${err instanceof Error ? err.message : String(err)}`);
      return reply.code(503).send({ ok: false, error: 'store unavailable' });
    }
  });

  app.get('/api/tasks', async (request, reply) => {
    try {
      const page = await store.listTasks(parseTaskQuery(request.query as Record<string, unknown>));
      return reply.send(redactValue(page));
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });

  app.get<{ Params: { id: string } }>('/api/tasks/:id', async (request, reply) => {
    try {
      const task = await store.getTask(request.params.id);
      if (!task) throw new CutterError('CUTTER_NOT_FOUND', `no task with id ${request.params.id}`);
      const log = await store.listStepLog(task.id);
      return reply.send(redactValue({ task, log }));
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });

  app.post<{ Params: { id: string } }>('/api/tasks/:id/retry', async (request, reply) => {
    const denied = accessOf(request)?.role === 'admin' ? null : options.admin.check(request.headers.authorization);
    if (denied) return reply.code(denied.status).send({ error: denied.error, message: denied.message });
    try {
      const task = await options.retrier.retry(request.params.id, 'api');
      logger.info(`task ${task.id} retried through the API from step ${task.step ?? '-'}`);
      return reply.send(redactValue({ task }));
    } catch (err) {
      return sendError(reply, err, logger);
    }
  });
}
