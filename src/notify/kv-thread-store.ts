// A ThreadStore kept in the store's key-value table, so a roll-out message threads under its release after a restart.

import type { ThreadStore } from './slack-web-api.js';

/** The part of the store this needs (structural: notify does not depend on the store layer). */
export interface KvStore {
  kvGet(key: string): Promise<{ value: unknown } | null>;
  kvSet(key: string, value: unknown, expectedVersion?: number | null): Promise<{ ok: boolean }>;
}

const PREFIX = 'slack-thread:';

export function kvThreadStore(store: KvStore): ThreadStore {
  return {
    async get(threadKey) {
      const entry = await store.kvGet(`${PREFIX}${threadKey}`);
      return typeof entry?.value === 'string' ? entry.value : undefined;
    },
    async set(threadKey, ts) {
      // Only if absent: when two messages start one conversation at once, the first parent wins for both.
      await store.kvSet(`${PREFIX}${threadKey}`, ts, null);
    },
  };
}
