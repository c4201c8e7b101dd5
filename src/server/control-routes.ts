// Dashboard controls: cancel a task, the release freeze, and the engine's task/step events as server-sent events.

import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CutterError } from '../core/errors.js';
import { redactValue } from '../core/redact.js';
import { type Store, TERMINAL_STATUSES } from '../store/types.js';
import type { DashboardEngine } from './dashboard-engine.js';
import { EVENT_TASKS } from './event-tasks.js';
import { taskSummary } from './fleet-routes.js';
import { grantFreezeOverride, readFreeze, wakeFrozenTasks, writeFreeze } from './freeze-state.js';
import { sendApiError } from './send-api-error.js';
import type { ServerLogger } from './server-logger.js';

export interface ControlRouteOptions {
  store: Store;
  logger: ServerLogger;
  engine?: DashboardEngine | undefined;
  /** SSE comment lines keep proxies from closing an idle stream (default 15 s). */
  heartbeatMs?: number;
}

export function registerControlRoutes(app: FastifyInstance, options: ControlRouteOptions): void {
  const { store, logger } = options;

  app.post<{ Params: { id: string } }>('/api/tasks/:id/cancel', async (request, reply) => {
    try {
      const task = options.engine
        ? await options.engine.cancel(request.params.id, 'dashboard')
        : await store.cancelTask(request.params.id, 'dashboard');
      return reply.send(redactValue({ task }));
    } catch (err) {
      return sendApiError(reply, err, logger);
    }
  });

  // Replays a stored delivery as a new task: safe, since a release adopts its own tag and release if they exist.
  app.post<{ Params: { id: string } }>('/api/deliveries/:id/replay', async (request, reply) => {
    try {
      const delivery = await store.getDelivery(request.params.id);
      if (!delivery) throw new CutterError('CUTTER_NOT_FOUND', `no stored delivery ${request.params.id}`);
      const toTask = EVENT_TASKS[delivery.event];
      const decision = toTask ? toTask((delivery.payload ?? {}) as Record<string, unknown>) : null;
      if (!decision || 'ignore' in decision) {
        throw new CutterError('CUTTER_REFUSED', `delivery ${delivery.id} (${delivery.event}) starts no work`, {
          hint: decision && 'ignore' in decision ? decision.ignore : 'only push deliveries start releases',
        });
      }
      const dedupeKey = `${decision.task.dedupeKey ?? `delivery:${delivery.id}`}:replay:${randomUUID()}`;
      const next = { ...decision.task, dedupeKey };
      const task = options.engine ? await options.engine.enqueue(next) : (await store.createTask(next)).task;
      await store.appendAudit({
        actor: 'dashboard',
        action: 'delivery.replay',
        target: delivery.id,
        details: { taskId: task.id },
      });
      return reply.code(202).send(redactValue({ delivery: delivery.id, task: taskSummary(task) }));
    } catch (err) {
      return sendApiError(reply, err, logger);
    }
  });

  // An admin lets one release through the freeze (it looks again at once); who, why and when are audited.
  app.post<{ Params: { id: string }; Body: { reason?: unknown } | null }>(
    '/api/tasks/:id/override-freeze',
    async (request, reply) => {
      try {
        const reason = request.body?.reason;
        if (typeof reason !== 'string' || !reason.trim() || reason.length > 500) {
          throw new CutterError('CUTTER_BAD_INPUT', 'an override needs a reason of at most 500 characters', {
            hint: '{"reason":"security fix for CVE-…"}',
          });
        }
        const task = await store.getTask(request.params.id);
        if (!task) throw new CutterError('CUTTER_NOT_FOUND', `no task ${request.params.id}`);
        if (TERMINAL_STATUSES.includes(task.status)) {
          throw new CutterError('CUTTER_REFUSED', `task ${task.id} is ${task.status}: nothing to let through`);
        }
        const grant = await grantFreezeOverride(
          store,
          { taskId: task.id, by: 'dashboard', reason: reason.trim() },
          new Date(),
        );
        logger.info(`freeze overridden for task ${task.id} (${task.key}) from the dashboard`);
        if ((await store.wakeTasks([task.id], new Date())) > 0) options.engine?.wake?.();
        return reply.send(redactValue({ taskId: task.id, override: grant }));
      } catch (err) {
        return sendApiError(reply, err, logger);
      }
    },
  );

  app.get('/api/freeze', async (_request, reply) => reply.send(await readFreeze(store)));

  app.post<{ Body: { frozen?: unknown; reason?: unknown } | null }>('/api/freeze', async (request, reply) => {
    try {
      const { frozen, reason } = request.body ?? {};
      if (typeof frozen !== 'boolean') {
        throw new CutterError('CUTTER_BAD_INPUT', 'frozen must be true or false', {
          hint: '{"frozen":true,"reason":"…"}',
        });
      }
      if (reason !== undefined && reason !== null && (typeof reason !== 'string' || reason.length > 500)) {
        throw new CutterError('CUTTER_BAD_INPUT', 'reason must be text of at most 500 characters');
      }
      if (frozen && !(typeof reason === 'string' && reason.trim())) {
        throw new CutterError('CUTTER_BAD_INPUT', 'a freeze needs a reason', { hint: 'say why, e.g. "quarter close"' });
      }
      const state = await writeFreeze(
        store,
        { frozen, reason: typeof reason === 'string' && reason.trim() ? reason.trim() : null, by: 'dashboard' },
        new Date(),
      );
      logger.info(`releases ${frozen ? 'frozen' : 'unfrozen'} from the dashboard`);
      // Lifted: the releases parked at the gate go on now, not at their next re-check (CUTTER_GATE_POLL_MS).
      if (!frozen && (await wakeFrozenTasks(store, new Date(state.at ?? Date.now()))) > 0) options.engine?.wake?.();
      return reply.send(redactValue(state));
    } catch (err) {
      return sendApiError(reply, err, logger);
    }
  });

  app.get('/api/events', (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (event: string, data: unknown) => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(redactValue(data))}\n\n`);
    };
    res.write(': cutter events\n\n');
    const off = options.engine
      ? [
          options.engine.on('task', (task) => send('task', taskSummary(task))),
          options.engine.on('step', (e) =>
            send('step', { taskId: e.taskId, key: e.key, entry: e.entry, task: taskSummary(e.task) }),
          ),
        ]
      : [];
    const heartbeat = setInterval(() => res.write(': ping\n\n'), options.heartbeatMs ?? 15_000);
    heartbeat.unref();
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      for (const f of off) f();
    });
  });
}
