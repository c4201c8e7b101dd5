// Release metrics over HTTP: JSON for the dashboard's charts, Prometheus text for users' own monitoring.

import type { FastifyInstance } from 'fastify';
import { Gauge, Registry } from 'prom-client';
import { CutterError } from '../core/errors.js';
import { kvRolloutHistory } from '../deploy/rollout-history.js';
import type { Store, TaskRecord } from '../store/types.js';
import { type MetricSet, type PriorFailures, releaseMetrics } from './release-metrics.js';
import { sendApiError } from './send-api-error.js';
import type { ServerLogger } from './server-logger.js';

export interface MetricsRouteOptions {
  store: Store;
  logger: ServerLogger;
  /** Tasks read per computation at most (newest first); older history drops out of the figures. */
  maxTasks?: number;
}

/** Every finished top-level task, newest first, page by page up to `max`. */
async function finishedTasks(store: Store, max: number): Promise<TaskRecord[]> {
  const out: TaskRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listTasks({
      status: ['done', 'failed', 'cancelled'],
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.tasks);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < max);
  return out.slice(0, max);
}

/** When the retried tasks failed before their retry: the end of each step that ended in an error. */
async function priorFailures(store: Store, tasks: readonly TaskRecord[]): Promise<PriorFailures> {
  const known = new Set(tasks.map((t) => t.id));
  const retried = new Set(
    (await store.listAudit({ limit: 1000 }))
      .filter((a) => a.action === 'task.retry' && a.target && known.has(a.target) && a.details?.['error'])
      .map((a) => a.target as string),
  );
  const out: Record<string, { at: string; step: string }[]> = {};
  for (const id of retried) {
    const log = await store.listStepLog(id);
    out[id] = log
      .filter((e) => e.outcome === 'error')
      .map((e) => ({ at: new Date(Date.parse(e.startedAt) + e.durationMs).toISOString(), step: e.step }));
  }
  return out;
}

export function registerMetricsRoutes(app: FastifyInstance, options: MetricsRouteOptions): void {
  const { store, logger } = options;
  const max = options.maxTasks ?? 20_000;
  const registry = new Registry();
  const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ['repo'], registers: [registry] });
  const releases = gauge('cutter_releases_total', 'Published releases in the store (label repo="" is the fleet).');
  const failures = gauge('cutter_release_failures_total', 'Release tasks that failed.');
  const rollbacks = gauge('cutter_rollbacks_total', 'Rollbacks recorded.');
  const notDeployed = gauge(
    'cutter_rollouts_not_deployed_total',
    'Roll-outs that failed before reaching the target (e.g. refused by supply.require); not change failures.',
  );
  const cfr = gauge('cutter_change_failure_ratio', 'Failed releases and rollbacks over finished releases.');
  const lead = gauge('cutter_lead_time_seconds', 'Median time from first commit (or trigger) to release.');
  const restore = gauge('cutter_time_to_restore_seconds', 'Median time from a failed release to the next good one.');
  const weekly = gauge('cutter_releases_this_week', 'Releases in the current ISO week.');

  const setAll = (repo: string, m: MetricSet) => {
    releases.set({ repo }, m.releases);
    failures.set({ repo }, m.failures);
    rollbacks.set({ repo }, m.rollbacks);
    notDeployed.set({ repo }, m.notDeployed);
    if (m.changeFailureRate !== null) cfr.set({ repo }, m.changeFailureRate);
    if (m.leadTimeSeconds !== null) lead.set({ repo }, m.leadTimeSeconds);
    if (m.timeToRestoreSeconds !== null) restore.set({ repo }, m.timeToRestoreSeconds);
    weekly.set({ repo }, m.perWeek.at(-1)?.releases ?? 0);
  };

  app.get<{ Querystring: { weeks?: string } }>('/api/metrics', async (request, reply) => {
    try {
      const weeks = request.query.weeks === undefined ? 12 : Number(request.query.weeks);
      if (!Number.isInteger(weeks) || weeks < 1 || weeks > 104) {
        throw new CutterError(
          'CUTTER_BAD_INPUT',
          `weeks must be a whole number from 1 to 104, got "${request.query.weeks}"`,
        );
      }
      const tasks = await finishedTasks(store, max);
      const rollouts = await kvRolloutHistory(store).list();
      return reply.send(releaseMetrics(tasks, new Date(), weeks, await priorFailures(store, tasks), rollouts));
    } catch (err) {
      return sendApiError(reply, err, logger);
    }
  });

  app.get('/metrics', async (_request, reply) => {
    try {
      const tasks = await finishedTasks(store, max);
      const rollouts = await kvRolloutHistory(store).list();
      const metrics = releaseMetrics(tasks, new Date(), 1, await priorFailures(store, tasks), rollouts);
      registry.resetMetrics();
      setAll('', metrics.fleet);
      for (const [repo, m] of Object.entries(metrics.repos)) setAll(repo, m);
      return reply.type(registry.contentType).send(await registry.metrics());
    } catch (err) {
      return sendApiError(reply, err, logger);
    }
  });
}
