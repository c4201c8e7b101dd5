// The flows and services every serve worker runs on one store handle: an Engine (SQLite) or a QueueWorker (Postgres).

import { kvRolloutHistory } from '../deploy/rollout-history.js';
import { BudgetPacer } from '../github/budget-pacer.js';
import { createGitHubClient } from '../github/client.js';
import { kvThreadStore } from '../notify/kv-thread-store.js';
import { createNotifiers, parseNotifySection } from '../notify/notify-config.js';
import { createSlackWebhookNotifier } from '../notify/slack-webhook.js';
import { PR_LINT_TASK_KIND } from '../release-pr/pr-events.js';
import { prLintFlow } from '../release-pr/pr-lint-flow.js';
import { FLEET_TASK_KIND, type FleetDeps, fleetFlow } from '../steps/fleet-flow.js';
import { RELEASE_TASK_KIND, type ReleaseDeps } from '../steps/release-flow.js';
import { releaseWithRolloutFlow } from '../steps/release-rollout-flow.js';
import { BUILD_TASK_KIND, type RolloutDeps, rolloutFlow } from '../steps/rollout-flow.js';
import type { Store } from '../store/types.js';
import { describeError, type EngineOptions } from '../workflow/index.js';
import type { EngineEvents } from '../workflow/types.js';
import { readFreeze, readFreezeOverride } from './freeze-state.js';
import type { ServerLogger } from './server-logger.js';

/** One engine runs releases and image roll-outs (builds), so a release can chain its roll-out as a child task. */
export type ServeDeps = ReleaseDeps & RolloutDeps;

/** The task kinds serve runs and the deps their steps get, built on `store` (the GitHub write budget lives there). */
export async function serveFlows(
  store: Store,
  env: Record<string, string | undefined>,
  logger: ServerLogger,
): Promise<Pick<EngineOptions<ServeDeps>, 'flows' | 'deps'>> {
  const github = await createGitHubClient({
    env,
    logger: { debug: () => {}, info: logger.info, warn: logger.warn, error: logger.error },
    // One write budget in the store for every task (fleet runs above all), shared with other processes on it.
    pacer: new BudgetPacer({ store }),
  });
  const slackUrl = env['CUTTER_SLACK_WEBHOOK_URL']?.trim();
  const deps: FleetDeps = {
    github,
    env,
    store,
    // A fleet run's one summary message; its release tasks stay quiet (see fleet fan-out).
    ...(slackUrl ? { summaryNotifiers: () => [createSlackWebhookNotifier({ url: slackUrl })] } : {}),
  };
  const history = kvRolloutHistory(store);
  // Slack thread parents live in the store: a roll-out threads under its release message after a restart too.
  const threads = kvThreadStore(store);
  const org = env['CUTTER_ORG']?.trim() || undefined;
  const poll = gatePollMs(env);
  return {
    flows: {
      [RELEASE_TASK_KIND]: releaseWithRolloutFlow,
      [FLEET_TASK_KIND]: fleetFlow as never,
      [BUILD_TASK_KIND]: rolloutFlow as never,
      [PR_LINT_TASK_KIND]: prLintFlow as never,
    },
    deps: {
      ...deps,
      history,
      threads,
      // Sent marks of release and roll-out messages: each channel is told once per task, across restarts.
      notifyOutbox: store,
      ...(org ? { org } : {}),
      notifiers: (config) => createNotifiers(parseNotifySection(config.notify), { env, octokit: github, threads }),
      // The gates before the tag: the dashboard's freeze switch and per-task overrides live in this store.
      readFreezeSwitch: () => readFreeze(store),
      // The verify step's checklist goes to the audit log, next to `cutter verify` runs.
      audit: (entry) => store.appendAudit(entry),
      readFreezeOverride: (taskId) => readFreezeOverride(store, taskId),
      ...(poll ? { gatePollMs: poll } : {}),
    },
  };
}

/** The server's log lines for finished and failed tasks and for engine trouble. */
export function logTaskOutcomes(
  engine: { on<K extends keyof EngineEvents>(event: K, listener: (payload: EngineEvents[K]) => void): () => void },
  logger: ServerLogger,
): void {
  engine.on('task', (task) => {
    if (task.status === 'done') logger.info(`task ${task.id} (${task.key}) done`);
    if (task.status === 'failed') {
      logger.warn(`task ${task.id} (${task.key}) failed at ${task.step ?? '-'}: ${task.error?.message ?? ''}`);
    }
  });
  engine.on('problem', ({ error, taskId }) => {
    logger.error(`engine problem${taskId ? ` on task ${taskId}` : ''}: ${describeError(error, false).message}`);
  });
}

/** `CUTTER_GATE_POLL_MS`: how often a release waiting at a gate looks again (default one minute). */
function gatePollMs(env: Record<string, string | undefined>): number | undefined {
  const ms = Number(env['CUTTER_GATE_POLL_MS']);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
