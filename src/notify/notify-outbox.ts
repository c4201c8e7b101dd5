// The notify outbox's marks in the store: a channel's message for a task is claimed before it is sent, marked sent
// the moment its 2xx arrives, and never sent again once marked.

import { redact } from '../core/redact.js';
import type { NotifyResult, ReleaseMessage } from './notifier.js';

/** The part of the store the outbox needs (structural: notify does not depend on the store layer). */
export interface OutboxStore {
  kvGet(key: string): Promise<{ value: unknown; version: number } | null>;
  kvSet(key: string, value: unknown, expectedVersion?: number | null): Promise<{ ok: boolean }>;
}

type Mark =
  | { state: 'sending'; until: string }
  | { state: 'sent'; at: string; attempts: number; id?: string }
  | { state: 'failed'; at: string };

const PREFIX = 'notify-sent:';
/** A claim older than this belongs to a sender that died (or lost its lease) and may be taken over. */
export const CLAIM_MS = 60_000;

/** The key a channel's mark is kept under, also handed to the channel as its idempotency key. */
export function outboxKey(taskId: string, kind: ReleaseMessage['kind'], channel: string): string {
  return `${PREFIX}${taskId}:${kind}:${channel}`;
}

export type Claim = { sentAt: string; id?: string } | { claimed: true };

/**
 * Take the right to send, or learn that it was sent. Another runner of the same step sending right now (a task
 * taken over after a lost lease) is waited for, up to its claim's end: two runs never both send.
 */
export async function claimSend(
  store: OutboxStore,
  key: string,
  options: { signal?: AbortSignal; now?: () => number; pollMs?: number } = {},
): Promise<Claim> {
  const now = options.now ?? Date.now;
  for (;;) {
    const entry = await store.kvGet(key);
    const mark = entry?.value as Mark | undefined;
    if (mark?.state === 'sent') return { sentAt: mark.at, ...(mark.id ? { id: mark.id } : {}) };
    const live = mark?.state === 'sending' && Date.parse(mark.until) > now();
    if (!live) {
      const claim: Mark = { state: 'sending', until: new Date(now() + CLAIM_MS).toISOString() };
      if ((await store.kvSet(key, claim, entry ? entry.version : null)).ok) return { claimed: true };
      continue; // Someone else claimed it between our read and write: look again.
    }
    if (options.signal?.aborted) throw options.signal.reason;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
  }
}

/** Right after the 2xx, before anything else: the mark is what keeps a re-run of the step from sending it again. */
export async function markSent(store: OutboxStore, key: string, result: NotifyResult): Promise<NotifyResult> {
  const mark: Mark = {
    state: 'sent',
    at: new Date().toISOString(),
    attempts: result.attempts,
    ...(result.id ? { id: result.id } : {}),
  };
  try {
    await store.kvSet(key, mark);
    return result;
  } catch (err) {
    // Sent all the same; only a crash before the step is recorded could send it again.
    return {
      ...result,
      error: `sent, but its sent mark was not stored: ${redact(String((err as Error)?.message ?? err))}`,
    };
  }
}

/** Given up on: a later run of the step may claim it again at once. */
export async function releaseClaim(store: OutboxStore, key: string): Promise<void> {
  await store.kvSet(key, { state: 'failed', at: new Date().toISOString() } satisfies Mark).catch(() => {});
}
