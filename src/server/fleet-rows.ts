// Turns the stored release tasks of each repository into one fleet-table row: last plan, last run, image, freeze.

import type { TaskRecord } from '../store/types.js';

export interface FleetRow {
  repo: string;
  latestTag: string | null;
  commitsSince: number | null;
  nextVersion: string | null;
  nextTag: string | null;
  bump: string | null;
  /** The commits that cause the bump, as the next-version step explained them. */
  causes: Cause[];
  /** Why nothing would be released, when the plan says so. */
  skipped: string | null;
  /** When the plan was made (a dry run or a real run); null when the repository was never looked at. */
  plannedAt: string | null;
  lastRun: {
    taskId: string;
    status: TaskRecord['status'];
    step: string | null;
    at: string;
    url: string | null;
    /** Why a waiting release waits (a freeze, pending checks). */
    waitReason: string | null;
  } | null;
  image: string | null;
  frozen: boolean;
}

export interface Cause {
  hash: string;
  header: string;
  /** e.g. `feat → minor`. */
  why: string;
}

/** Older tasks kept causes as `abc1234 feat: x — feat → minor` lines; newer ones as objects. */
function causeOf(value: unknown): Cause {
  if (typeof value === 'string') {
    const m = /^(\S+) (.*?)(?: — (.*))?$/.exec(value);
    return { hash: m?.[1] ?? '', header: m?.[2] ?? value, why: m?.[3] ?? '' };
  }
  const c = (value ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return { hash: text(c['hash']).slice(0, 7), header: text(c['header']), why: text(c['why']) };
}

interface ReleaseView {
  latest?: { tag?: string | null; first?: boolean };
  next?: string;
  nextTag?: string;
  bump?: string | null;
  causes?: unknown[];
  commitCount?: number;
  released?: { url?: string };
}

const releaseOf = (task: TaskRecord): ReleaseView => (task.data['release'] ?? {}) as ReleaseView;

function imageOf(task: TaskRecord): string | null {
  const image = task.data['image'] as { ref?: unknown; tag?: unknown; current?: unknown } | string | undefined;
  if (typeof image === 'string') return image;
  for (const v of [image?.ref, image?.current, image?.tag]) if (typeof v === 'string') return v;
  return null;
}

/**
 * `tasks` are the repository's release tasks, newest first. The plan comes from the newest task that read the
 * latest tag (dry run or not); a real release that finished after it means the repository is now up to date.
 */
export function fleetRow(
  repo: string,
  tasks: readonly TaskRecord[],
  frozen: boolean,
  /** The image the roll-out history says runs now; wins over what the tasks mention. */
  deployed: string | null = null,
): FleetRow {
  const planned = tasks.find((t) => releaseOf(t).latest !== undefined);
  const run = tasks.find((t) => t.data['dryRun'] !== true);
  const plan = planned ? releaseOf(planned) : null;
  const released = run && run.status === 'done' ? releaseOf(run).released : undefined;
  const releasedAfterPlan = Boolean(released && planned && run && run.seq >= planned.seq);
  const skipped = (planned?.data['skipped'] as { reason?: string } | undefined)?.reason ?? null;
  const row: FleetRow = {
    repo,
    latestTag: plan?.latest?.tag ?? null,
    commitsSince: plan?.commitCount ?? null,
    nextVersion: plan?.next ?? null,
    nextTag: plan?.nextTag ?? null,
    bump: plan?.bump ?? null,
    causes: (plan?.causes ?? []).map(causeOf),
    skipped,
    plannedAt: planned?.updatedAt ?? null,
    lastRun: run
      ? {
          taskId: run.id,
          status: run.status,
          step: run.step,
          at: run.finishedAt ?? run.updatedAt,
          url: releaseOf(run).released?.url ?? null,
          waitReason: run.status === 'waiting' ? run.waitReason : null,
        }
      : null,
    image: deployed ?? tasks.map(imageOf).find((i) => i !== null) ?? null,
    frozen,
  };
  if (releasedAfterPlan && run) {
    const r = releaseOf(run);
    return {
      ...row,
      latestTag: r.nextTag ?? row.latestTag,
      commitsSince: 0,
      nextVersion: null,
      nextTag: null,
      bump: null,
      causes: [],
    };
  }
  return row;
}
