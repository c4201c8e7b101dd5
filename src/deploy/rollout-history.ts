// The roll-out history (RolloutRecords) kept in the store's key-value table: appended with compare-and-set, read by rollback and metrics.

import { imageRepository, parseImageRef } from '../core/image-ref.js';
import type { RolloutRecord } from './rollback.js';

/** The part of the store this needs (structural, so any Store implementation fits without deploy importing it). */
export interface KvStore {
  kvGet(key: string): Promise<{ value: unknown; version: number } | null>;
  kvSet(key: string, value: unknown, expectedVersion?: number | null): Promise<{ ok: boolean; version: number }>;
}

export interface RolloutHistory {
  /** Every record, oldest first; only one connector's when `connectorId` is given. */
  list(connectorId?: string): Promise<RolloutRecord[]>;
  append(record: RolloutRecord): Promise<void>;
  /** The image each connector last ran successfully, by connector id. */
  currentImages(): Promise<Map<string, RolloutRecord>>;
}

export const ROLLOUT_HISTORY_KEY = 'deploy:rollouts';
/** Per connector; older records drop out (rollback walks back a few releases, metrics look at weeks). */
export const MAX_RECORDS_PER_CONNECTOR = 200;

function recordsOf(value: unknown): RolloutRecord[] {
  return Array.isArray(value) ? (value as RolloutRecord[]) : [];
}

function trimmed(records: RolloutRecord[]): RolloutRecord[] {
  const seen = new Map<string, number>();
  const kept: RolloutRecord[] = [];
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i] as RolloutRecord;
    const n = (seen.get(r.connectorId) ?? 0) + 1;
    seen.set(r.connectorId, n);
    if (n <= MAX_RECORDS_PER_CONNECTOR) kept.push(r);
  }
  return kept.reverse();
}

export function kvRolloutHistory(store: KvStore, key = ROLLOUT_HISTORY_KEY): RolloutHistory {
  const list = async (connectorId?: string) => {
    const all = recordsOf((await store.kvGet(key))?.value);
    return connectorId === undefined ? all : all.filter((r) => r.connectorId === connectorId);
  };
  return {
    list,
    async append(record) {
      // Two roll-outs of different connectors may finish at once: retry the compare-and-set until ours lands.
      for (let attempt = 0; attempt < 50; attempt++) {
        const entry = await store.kvGet(key);
        const known = recordsOf(entry?.value);
        // Once per task and outcome: a step re-run after a crash adds nothing, but a task retried after a failed
        // roll-out (a refusal, a missing image) still records the success that follows.
        if (
          record.taskId &&
          known.some((r) => r.taskId === record.taskId && r.kind === record.kind && r.ok === record.ok)
        )
          return;
        const next = trimmed([...known, record]);
        const { ok } = await store.kvSet(key, next, entry ? entry.version : null);
        if (ok) return;
      }
      throw new Error(`could not append to ${key}: too many concurrent writers`);
    },
    async currentImages() {
      const current = new Map<string, RolloutRecord>();
      for (const r of await list()) if (r.ok) current.set(r.connectorId, r);
      return current;
    },
  };
}

/** A record's image as repository and digest; null for an image rolled out by tag (nothing exact to compare). */
function pinnedImage(image: string): { name: string; digest: string } | null {
  try {
    const ref = parseImageRef(image);
    return ref.digest ? { name: imageRepository(ref), digest: ref.digest } : null;
  } catch {
    return null;
  }
}

/**
 * The latest successful roll-out of release `tag` of `repo` (`owner/name`), by the tag it records, else by its version
 * (`1.4.2` for `1.4.2` or `v1.4.2`, for records older than tags in the history); with `image`, only roll-outs of
 * that image repository count. Only pinned images (`name@sha256:…`) say which digest ran.
 */
export function releaseRollout(
  records: readonly RolloutRecord[],
  release: { repo: string; tag: string; image?: string },
): (RolloutRecord & { digest: string }) | null {
  let wanted: string | null = null;
  if (release.image) {
    try {
      wanted = imageRepository(parseImageRef(release.image));
    } catch {
      return null;
    }
  }
  let found: (RolloutRecord & { digest: string }) | null = null;
  for (const r of records) {
    if (!r.ok || r.kind !== 'rollout' || r.repo?.toLowerCase() !== release.repo.toLowerCase()) continue;
    const forTag =
      r.tag !== undefined
        ? r.tag === release.tag
        : r.version !== undefined && (release.tag === r.version || release.tag === `v${r.version}`);
    const pinned = forTag ? pinnedImage(r.image) : null;
    if (!pinned || (wanted !== null && pinned.name !== wanted)) continue;
    if (!found || r.at >= found.at) found = { ...r, digest: pinned.digest };
  }
  return found;
}
