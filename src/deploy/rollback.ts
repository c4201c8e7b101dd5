// Fix-forward rollback planning (seed 002): pick the previously released image to re-deploy; tags are never touched.

export interface RolloutRecord {
  connectorId: string;
  image: string;
  version?: string;
  /** `owner/name` of the repository that produced the image, when known (metrics and the fleet view group by it). */
  repo?: string;
  /** The release tag the image was rolled out for, when a release started it (`cutter verify` finds its digest by it). */
  tag?: string;
  /** The task that made the record: appending one of the same outcome again (a re-run after a crash) changes nothing. */
  taskId?: string;
  /** ISO-8601 time of the roll-out; records are ordered by it (ties keep their input order). */
  at: string;
  /** `rollout` came from a release; `rollback` re-deployed an earlier image. */
  kind: 'rollout' | 'rollback';
  /**
   * Only successful roll-outs count as deployed. A failed one (the driver failed, the image never appeared in the
   * registry, `supply.require` refused it) is kept so the history shows it, and is never what runs or a rollback target.
   */
  ok: boolean;
}

export type RollbackPlan =
  | {
      kind: 'rollback';
      connectorId: string;
      /** What runs now (null when unknown). */
      from: string | null;
      /** The image to re-deploy. */
      to: string;
      version?: string;
      reason: string;
    }
  | { kind: 'nothing'; connectorId: string; from: string | null; reason: string };

/**
 * The current image is `options.current` (what the target reports) or the last successful record. The target is the
 * release rolled out just before the roll-out that brought the current image; so rolling back twice walks back two
 * releases instead of bouncing between the last two.
 */
export function planRollback(
  history: readonly RolloutRecord[],
  connectorId: string,
  options: { current?: string | null } = {},
): RollbackPlan {
  const deployed = history
    .map((record, index) => ({ record, index }))
    .filter(({ record }) => record.connectorId === connectorId && record.ok)
    .sort((a, b) => a.record.at.localeCompare(b.record.at) || a.index - b.index)
    .map(({ record }) => record);
  const from =
    options.current !== undefined && options.current !== null ? options.current : (deployed.at(-1)?.image ?? null);
  const releases = deployed.filter((r) => r.kind === 'rollout');
  if (releases.length === 0)
    return { kind: 'nothing', connectorId, from, reason: `no successful roll-out of ${connectorId} on record` };

  let origin = -1;
  for (let i = releases.length - 1; i >= 0; i--) {
    if (releases[i]?.image === from) {
      origin = i;
      break;
    }
  }
  // Unknown current image (deployed by hand, or a failed roll-out left it half-done): go back to the last good release.
  const candidates = origin === -1 ? releases : releases.slice(0, origin);
  for (let i = candidates.length - 1; i >= 0; i--) {
    const candidate = candidates[i];
    if (candidate && candidate.image !== from) {
      return {
        kind: 'rollback',
        connectorId,
        from,
        to: candidate.image,
        ...(candidate.version ? { version: candidate.version } : {}),
        reason:
          origin === -1
            ? `${from ?? 'the current image'} is not a recorded release; re-deploying the last released image`
            : `re-deploying the release before ${from}`,
      };
    }
  }
  return {
    kind: 'nothing',
    connectorId,
    from,
    reason: `no release of ${connectorId} before ${from ?? 'the current image'}`,
  };
}
