// Fleet API for the dashboard: the fleet table, a dry-run preview, releasing what it showed, one repo's release, runs.

import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import picomatch from 'picomatch';
import { CutterError } from '../core/errors.js';
import { redactValue } from '../core/redact.js';
import { kvRolloutHistory } from '../deploy/rollout-history.js';
import type { GitHubClient } from '../github/client.js';
import { RELEASE_TASK_KIND } from '../steps/release-data.js';
import { type Store, type TaskRecord, TERMINAL_STATUSES } from '../store/types.js';
import type { DashboardEngine } from './dashboard-engine.js';
import { type FleetRow, fleetRow } from './fleet-rows.js';
import { readFreeze } from './freeze-state.js';
import { sendApiError } from './send-api-error.js';
import type { ServerLogger } from './server-logger.js';

export interface FleetRouteOptions {
  store: Store;
  logger: ServerLogger;
  engine?: DashboardEngine | undefined;
  github?: GitHubClient | undefined;
  /** The org shown when the request names none. */
  org?: string | undefined;
  /** Which repositories form the fleet (default `connector-*`). */
  pattern?: string | undefined;
}

const RUN_TARGET = 'fleet-run';
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

interface RunAudit {
  runId: string;
  org: string;
  dryRun: boolean;
  taskIds: string[];
}

export function registerFleetRoutes(app: FastifyInstance, options: FleetRouteOptions): void {
  const { store, logger } = options;
  const isFleet = picomatch(options.pattern ?? 'connector-*');

  const orgOf = (value: unknown): string => {
    const org = typeof value === 'string' && value !== '' ? value : options.org;
    if (!org) throw new CutterError('CUTTER_BAD_INPUT', 'which org?', { hint: 'pass ?org=<login>' });
    if (!NAME.test(org)) throw new CutterError('CUTTER_BAD_INPUT', `"${org}" is not an org login`);
    return org;
  };

  /** The fleet's repositories: from GitHub when a client is configured, else every repo the store has tasks for. */
  async function fleetRepos(org: string): Promise<string[]> {
    if (options.github) {
      const repos = await options.github.paginate(options.github.rest.repos.listForOrg, { org, per_page: 100 });
      return repos
        .filter((r) => !r.archived && isFleet(r.name))
        .map((r) => r.name)
        .sort();
    }
    const { tasks } = await store.listTasks({ kind: RELEASE_TASK_KIND, limit: 500 });
    const names = tasks.map((t) => t.key.split('/')).filter(([o, n]) => o === org && n && isFleet(n));
    return [...new Set(names.map(([, n]) => n as string))].sort();
  }

  async function rows(org: string): Promise<FleetRow[]> {
    const [names, freeze, deployed] = await Promise.all([
      fleetRepos(org),
      readFreeze(store),
      kvRolloutHistory(store).currentImages(),
    ]);
    // Records name the repository that built the image; older ones only the connector, usually named like the repo.
    const imageOf = (name: string) =>
      [...deployed.values()].find((r) => r.repo === `${org}/${name}`)?.image ?? deployed.get(name)?.image ?? null;
    return Promise.all(
      names.map(async (name) => {
        const { tasks } = await store.listTasks({ kind: RELEASE_TASK_KIND, key: `${org}/${name}`, limit: 20 });
        return fleetRow(name, tasks, freeze.frozen, imageOf(name));
      }),
    );
  }

  function needEngine(): DashboardEngine {
    if (!options.engine) {
      throw new CutterError('CUTTER_NOT_SUPPORTED', 'this server runs no workflow engine', {
        hint: 'start it with `cutter serve`',
      });
    }
    return options.engine;
  }

  async function enqueueReleases(org: string, names: string[], dryRun: boolean, actor: string): Promise<RunAudit> {
    const engine = needEngine();
    const runId = randomUUID();
    const taskIds: string[] = [];
    for (const name of names) {
      const task = await engine.enqueue({
        kind: RELEASE_TASK_KIND,
        key: `${org}/${name}`,
        data: {
          repo: { owner: org, name },
          trigger: dryRun ? 'dashboard preview' : 'dashboard fleet release',
          dashboardRun: runId,
          ...(dryRun ? { dryRun: true } : {}),
          release: {},
        },
      });
      taskIds.push(task.id);
    }
    const run: RunAudit = { runId, org, dryRun, taskIds };
    await store.appendAudit({
      actor,
      action: dryRun ? 'fleet.preview' : 'fleet.release',
      target: RUN_TARGET,
      details: { ...run },
    });
    return run;
  }

  async function runView(run: RunAudit, at: string) {
    const tasks = (await Promise.all(run.taskIds.map((id) => store.getTask(id)))).filter((t): t is TaskRecord => !!t);
    return {
      id: run.runId,
      kind: run.dryRun ? 'preview' : 'fleet',
      org: run.org,
      startedAt: at,
      status: runStatus(tasks),
      finished: tasks.filter((t) => TERMINAL_STATUSES.includes(t.status)).length,
      tasks: tasks.map(taskSummary),
    };
  }

  app.get<{ Querystring: { org?: string } }>('/api/fleet', async (request, reply) => {
    try {
      const org = orgOf(request.query.org);
      return reply.send(redactValue({ org, pattern: options.pattern ?? 'connector-*', rows: await rows(org) }));
    } catch (err) {
      return sendApiError(reply, err, logger);
    }
  });

  // Answers at once: a fleet's dry runs take a while, and the page follows them live over /api/events.
  app.post<{ Body: { org?: string } | null }>('/api/fleet/preview', async (request, reply) => {
    try {
      const org = orgOf(request.body?.org);
      const run = await enqueueReleases(org, await fleetRepos(org), true, 'dashboard');
      return reply.code(202).send({ runId: run.runId, taskIds: run.taskIds });
    } catch (err) {
      return sendApiError(reply, err, logger);
    }
  });

  // `POST /api/fleet` (fleet-route.ts) starts the fleet flow from its own discovery; the dashboard instead releases
  // the repositories its preview showed, so what the user confirmed is what runs.
  app.post<{ Body: { org?: string; repos?: unknown } | null }>('/api/fleet/release', async (request, reply) => {
    try {
      const org = orgOf(request.body?.org);
      const all = await fleetRepos(org);
      const wanted = request.body?.repos;
      if (wanted !== undefined && (!Array.isArray(wanted) || wanted.some((n) => typeof n !== 'string'))) {
        throw new CutterError('CUTTER_BAD_INPUT', 'repos must be a list of repository names');
      }
      const unknown = (wanted as string[] | undefined)?.filter((n) => !all.includes(n)) ?? [];
      if (unknown.length) throw new CutterError('CUTTER_BAD_INPUT', `not in the fleet: ${unknown.join(', ')}`);
      const run = await enqueueReleases(org, (wanted as string[] | undefined) ?? all, false, 'dashboard');
      logger.info(`fleet release ${run.runId} of ${org}: ${run.taskIds.length} task(s) from the dashboard`);
      return reply.code(202).send({ runId: run.runId, taskIds: run.taskIds });
    } catch (err) {
      return sendApiError(reply, err, logger);
    }
  });

  app.post<{ Params: { owner: string; name: string } }>('/api/repos/:owner/:name/release', async (request, reply) => {
    try {
      const { owner, name } = request.params;
      if (!NAME.test(owner) || !NAME.test(name)) throw new CutterError('CUTTER_BAD_INPUT', 'not a repository name');
      const run = await enqueueReleases(owner, [name], false, 'dashboard');
      return reply.code(202).send({ runId: run.runId, taskIds: run.taskIds });
    } catch (err) {
      return sendApiError(reply, err, logger);
    }
  });

  app.get<{ Params: { id: string } }>('/api/runs/:id', async (request, reply) => {
    try {
      const audit = (await store.listAudit({ target: RUN_TARGET, limit: 500 })).find(
        (a) => (a.details as unknown as RunAudit | null)?.runId === request.params.id,
      );
      if (!audit) throw new CutterError('CUTTER_NOT_FOUND', `no dashboard run ${request.params.id}`);
      return reply.send(redactValue(await runView(audit.details as unknown as RunAudit, audit.at)));
    } catch (err) {
      return sendApiError(reply, err, logger);
    }
  });

  app.get('/api/runs', async (_request, reply) => {
    try {
      const audits = (await store.listAudit({ target: RUN_TARGET, limit: 50 })).filter((a) => a.details);
      const fleetRuns = await Promise.all(audits.map((a) => runView(a.details as unknown as RunAudit, a.at)));
      // Anything else at the top: webhook and CLI releases, and flows other engineers add (fleet parents).
      const { tasks } = await store.listTasks({ limit: 100 });
      const single = tasks
        .filter((t) => t.parentId === null && t.data['dashboardRun'] === undefined)
        .map((t) => ({
          id: t.id,
          kind: t.kind === RELEASE_TASK_KIND ? 'single' : t.kind,
          org: t.key.split('/')[0] ?? null,
          startedAt: t.createdAt,
          status: t.status,
          tasks: [taskSummary(t)],
        }));
      const runs = [...fleetRuns, ...single].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
      return reply.send(redactValue({ runs }));
    } catch (err) {
      return sendApiError(reply, err, logger);
    }
  });
}

function runStatus(tasks: readonly TaskRecord[]): string {
  if (tasks.some((t) => !TERMINAL_STATUSES.includes(t.status))) return 'running';
  if (tasks.some((t) => t.status === 'failed')) return 'failed';
  return 'done';
}

export function taskSummary(t: TaskRecord) {
  const release = (t.data['release'] ?? {}) as { nextTag?: string; released?: { url?: string } };
  return {
    id: t.id,
    key: t.key,
    kind: t.kind,
    status: t.status,
    step: t.step,
    dryRun: t.data['dryRun'] === true,
    nextTag: release.nextTag ?? null,
    url: release.released?.url ?? null,
    error: t.error,
    waitReason: t.waitReason,
    updatedAt: t.updatedAt,
  };
}
