// Step "fan-out" (seed 001 "Batch Tag Creation"): one child release task per candidate, `release.latest` filled in.

import { matchBranch } from '../config/branch-channel.js';
import { defaultConfig } from '../config/defaults.js';
import { parseConfig } from '../config/load-config.js';
import type { PlanEntry } from '../fleet/fleet-plan.js';
import type { JsonObject, Step } from '../workflow/types.js';
import { fleetData, fleetRequestOf } from './fleet-context.js';
import type { FleetDeps } from './fleet-data.js';
import { RELEASE_TASK_KIND, type ReleaseTaskData, releaseTaskKey } from './release-data.js';
import { configPatch } from './repo-config.js';

/**
 * The child's config from the file discovery read with its head (the load-config step's shape `config: null` then
 * never matches, saving its REST probes). Unknown or invalid: left to load-config, which reports file and line.
 */
async function knownConfig(
  org: string,
  p: PlanEntry,
): Promise<{ config: JsonObject & { source: string | null }; channel: string | null } | null> {
  if (p.config === undefined || !p.head) return null;
  try {
    const source = p.config ? `${org}/${p.repo}@${p.head.slice(0, 7)}:${p.config.file}` : null;
    const config = p.config ? await parseConfig(p.config.text, source!) : defaultConfig();
    const channel = p.branch === null ? null : matchBranch(config.branches, p.branch).prerelease;
    return { config: { ...configPatch({ config, source }), source }, channel };
  } catch {
    return null;
  }
}

const SUMMARY_ONLY = { channel: 'fleet-summary', ok: true, skipped: 'the fleet run sends one summary' };

export const fleetFanOutStep: Step<FleetDeps> = {
  name: 'fan-out',
  when: { plan: Array, children: null },
  effect: 'idempotent',
  async run(ctx) {
    const request = fleetRequestOf(ctx.data);
    const plan = fleetData(ctx.data).plan ?? [];
    const candidates = plan.filter((p) => p.action === 'candidate' && p.head);
    const configs = await Promise.all(candidates.map((p) => knownConfig(request.org, p)));
    const children = candidates.map((p, i) => {
      const known = configs[i];
      const repo = { owner: request.org, name: p.repo };
      // The latest-tag step runs on `release: { latest: null }`: discovery already knows it, so it is skipped.
      const data: ReleaseTaskData & { fleet: { runId: string; notify: string } } = {
        repo,
        trigger: request.trigger,
        ...(request.dryRun ? { dryRun: true } : {}),
        ...(known ? { config: known.config } : {}),
        release: {
          head: p.head!,
          ...(known ? { channel: known.channel } : {}),
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
