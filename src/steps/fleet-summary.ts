// Step "summary": once every child has finished, one row per selected repo and one notification for the whole run.

import { notifyAll } from '../notify/fan-out.js';
import type { FleetRow } from '../notify/notifier.js';
import type { TaskRecord } from '../store/types.js';
import type { Step, StepContext } from '../workflow/types.js';
import { fleetData, fleetRequestOf } from './fleet-context.js';
import type { FleetDeps, FleetSummary, FleetSummaryRow } from './fleet-data.js';
import type { ReleaseTaskData } from './release-data.js';

async function allChildren(ctx: StepContext<FleetDeps>): Promise<TaskRecord[]> {
  const store = ctx.deps.store;
  if (!store) return ctx.listChildren();
  const out: TaskRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listTasks({ parentId: ctx.taskId, limit: 500, ...(cursor ? { cursor } : {}) });
    out.push(...page.tasks);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** One child's outcome as a summary row. */
export function childRow(task: TaskRecord | undefined, repo: string, latestTag: string | null): FleetSummaryRow {
  if (!task) return { repo, outcome: 'failed', reason: 'release task missing', latestTag };
  const data = task.data as unknown as ReleaseTaskData;
  const r = data.release ?? {};
  const base = {
    repo,
    latestTag,
    taskId: task.id,
    nextTag: r.nextTag ?? null,
    bump: r.bump ?? null,
    commitsSince: r.commitCount ?? null,
  };
  if (task.status === 'failed') {
    const e = task.error;
    return { ...base, outcome: 'failed', reason: e ? `${e.code}: ${e.message}` : 'failed' };
  }
  if (task.status === 'cancelled') return { ...base, outcome: 'cancelled', reason: 'cancelled' };
  if (r.released?.url) {
    const adopted = r.tagged?.adopted ? ' (adopted existing tag)' : '';
    return { ...base, outcome: 'released', reason: `released ${r.nextTag}${adopted}`, url: r.released.url };
  }
  if (data.skipped) return { ...base, outcome: 'skipped', reason: data.skipped.reason };
  if (data.dryRun && r.next) return { ...base, outcome: 'planned', reason: `would release ${r.nextTag}` };
  return { ...base, outcome: 'failed', reason: `release task ended at step ${task.step ?? '?'} (${task.status})` };
}

export const fleetSummaryStep: Step<FleetDeps> = {
  name: 'summary',
  when: { plan: Array, children: { pending: 0 }, summary: null },
  effect: 'idempotent',
  async run(ctx) {
    const request = fleetRequestOf(ctx.data);
    const data = fleetData(ctx.data);
    const plan = data.plan ?? [];
    const byRepo = new Map((await allChildren(ctx)).map((t) => [t.key, t]));
    const rows: FleetSummaryRow[] = plan.map((p) =>
      p.action === 'skip'
        ? {
            repo: p.repo,
            outcome: 'skipped',
            reason: p.detail ?? p.reason ?? 'skipped',
            latestTag: p.latest?.tag ?? null,
          }
        : childRow(byRepo.get(`${request.org}/${p.repo}`), p.repo, p.latest?.tag ?? null),
    );
    const count = (o: string) => rows.filter((r) => r.outcome === o).length;
    const summary: FleetSummary = {
      discovered: data.discovery?.total ?? 0,
      selected: plan.length,
      candidates: plan.filter((p) => p.action === 'candidate').length,
      released: count('released'),
      planned: count('planned'),
      skipped: count('skipped'),
      failed: count('failed') + count('cancelled'),
      rows,
    };
    ctx.log(`released ${summary.released}, skipped ${summary.skipped}, failed ${summary.failed}`);
    const notifiers = request.dryRun || !ctx.deps.summaryNotifiers ? [] : await ctx.deps.summaryNotifiers(request);
    if (notifiers.length > 0) {
      const fleetRows: FleetRow[] = rows
        .filter((r) => r.outcome !== 'skipped')
        .map((r) => ({
          repo: r.repo,
          status: r.outcome,
          version: r.nextTag ?? null,
          previousVersion: r.latestTag,
          ...(r.url ? { url: r.url } : {}),
          ...(r.outcome === 'failed' ? { note: r.reason } : {}),
        }));
      const results = await notifyAll(
        notifiers,
        {
          kind: 'fleet-summary',
          repo: `${request.org} fleet`,
          trigger: request.trigger,
          status: `${summary.released} released, ${summary.skipped} skipped, ${summary.failed} failed`,
          summary: { rows: fleetRows },
          threadKey: `fleet:${ctx.taskId}`,
        },
        { ...ctx.deps.notifyOptions, signal: ctx.signal },
      );
      summary.notified = results.map((n) => ({
        channel: n.channel,
        ok: n.ok,
        ...(n.error ? { error: n.error } : {}),
        ...(n.skipped ? { skipped: n.skipped } : {}),
      }));
    }
    return { complete: true, patch: { summary: summary as never } };
  },
};
