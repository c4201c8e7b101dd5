// Step "fan-out" (seed 001 "Batch Tag Creation"): one child release task per candidate, `release.latest` filled in.

import type { Step } from '../workflow/types.js';
import { fleetData, fleetRequestOf } from './fleet-context.js';
import type { FleetDeps } from './fleet-data.js';
import { RELEASE_TASK_KIND, type ReleaseTaskData, releaseTaskKey } from './release-data.js';

const SUMMARY_ONLY = { channel: 'fleet-summary', ok: true, skipped: 'the fleet run sends one summary' };

export const fleetFanOutStep: Step<FleetDeps> = {
  name: 'fan-out',
  when: { plan: Array, children: null },
  effect: 'idempotent',
  async run(ctx) {
    const request = fleetRequestOf(ctx.data);
    const plan = fleetData(ctx.data).plan ?? [];
    const children = plan
      .filter((p) => p.action === 'candidate' && p.head)
      .map((p) => {
        const repo = { owner: request.org, name: p.repo };
        // The latest-tag step runs on `release: { latest: null }`: discovery already knows it, so it is skipped.
        const data: ReleaseTaskData & { fleet: { runId: string; notify: string } } = {
          repo,
          trigger: request.trigger,
          ...(request.dryRun ? { dryRun: true } : {}),
          release: {
            head: p.head!,
            ...(p.branch ? { branch: p.branch } : {}),
            latest: p.latest
              ? { tag: p.latest.tag, version: p.latest.version, commit: p.latest.commit }
              : { first: true },
            // Summary mode: the run sends one message, so the child's notify step (shape `notified: null`)
            // never matches — the same data-shape skip as `latest` above.
            ...(request.notify === 'summary' ? { notified: [SUMMARY_ONLY] } : {}),
          },
          fleet: { runId: ctx.taskId, notify: request.notify },
        };
        return {
          kind: RELEASE_TASK_KIND,
          key: releaseTaskKey(repo),
          data: data as never,
          // A re-run of this step (crash before its commit) finds the same children instead of making new ones.
          dedupeKey: `fleet:${ctx.taskId}:${repo.owner}/${repo.name}`,
        };
      });
    ctx.log(`${children.length} release tasks${request.dryRun ? ' (dry run)' : ''}`);
    return { children };
  },
};
