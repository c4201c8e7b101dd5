// Send one message to every channel in parallel, retrying transient failures with backoff; never throws.

import { createHash } from 'node:crypto';
import { isCutterError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import type { Notifier, NotifyResult, ReleaseMessage } from './notifier.js';
import { claimSend, markSent, type OutboxStore, outboxKey, releaseClaim } from './notify-outbox.js';

export { outboxKey } from './notify-outbox.js';

export interface FanOutOptions {
  /** Retries after the first attempt, per channel, for transient failures (default 3). */
  retries?: number;
  /** First delay, doubling (default 500 ms), capped at `maxDelayMs` (default 8 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Told about every failed attempt (already redacted), so the caller can record it in the task log. */
  onAttemptFailed?: (info: { channel: string; attempt: number; error: string; willRetry: boolean }) => void;
  sleep?: (ms: number) => Promise<void>;
  /**
   * The outbox: each channel's message for this task is sent once, across crashes and re-runs of the step. The
   * task's data is the intent (the step that makes the notification due commits it); a channel's 2xx is marked sent
   * in `store` the moment it arrives, and a channel already marked is never sent again; a send is claimed first, so
   * two runs of the step (a task taken over after a lost lease) never both send. A crash after the receiver took
   * the message and before its mark (one synchronous SQLite commit after the 2xx) sends that one message once more,
   * after the claim expires; receivers that dedupe on the JSON webhook's stable `delivery` id close even that
   * window. Slack's incoming webhooks take no idempotency key.
   */
  outbox?: { store: OutboxStore; taskId: string };
}

/** A stable UUID-shaped id for an idempotency key (the same message gets the same id on every attempt). */
export function idempotencyId(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A failed notification never fails a release: every channel gets a result, ok or failed with a redacted reason. */
export async function notifyAll(
  notifiers: readonly Notifier[],
  message: ReleaseMessage,
  options: FanOutOptions = {},
): Promise<NotifyResult[]> {
  return Promise.all(notifiers.map((n) => sendWithRetries(n, message, options)));
}

async function sendWithRetries(
  notifier: Notifier,
  message: ReleaseMessage,
  options: FanOutOptions,
): Promise<NotifyResult> {
  const retries = options.retries ?? 3;
  const sleep = options.sleep ?? wait;
  const outbox = options.outbox;
  const key = outbox ? outboxKey(outbox.taskId, message.kind, notifier.channel) : undefined;
  if (outbox && key) {
    const claim = await claimSend(outbox.store, key, options.signal ? { signal: options.signal } : {});
    if ('sentAt' in claim) {
      const { sentAt, id } = claim;
      return { channel: notifier.channel, ok: true, attempts: 0, alreadySent: sentAt, ...(id ? { id } : {}) };
    }
  }
  for (let attempt = 1; ; attempt++) {
    let error: string;
    let code: string;
    let transient: boolean;
    try {
      const result = await notifier.send(message, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(key ? { idempotencyKey: key } : {}),
      });
      if (result.ok) {
        const done = { ...result, channel: notifier.channel, attempts: result.skipped ? 0 : attempt };
        if (outbox && key && !result.skipped) return markSent(outbox.store, key, done);
        return done;
      }
      // A channel may also report failure as a value instead of throwing.
      error = redact(result.error ?? 'failed');
      code = result.code ?? 'CUTTER_NOTIFY_FAILED';
      transient = true;
    } catch (err) {
      error = redact(isCutterError(err) ? err.toLine() : err instanceof Error ? err.message : String(err));
      code = isCutterError(err) ? err.code : 'CUTTER_NOTIFY_FAILED';
      // Unknown throwables (bugs in a channel) are retried too: a notification is worth another try.
      transient = isCutterError(err) ? err.transient : true;
    }
    const willRetry = transient && attempt <= retries && !options.signal?.aborted;
    options.onAttemptFailed?.({ channel: notifier.channel, attempt, error, willRetry });
    if (!willRetry) {
      if (outbox && key) await releaseClaim(outbox.store, key);
      return { channel: notifier.channel, ok: false, attempts: attempt, error, code };
    }
    const delay = Math.min(options.maxDelayMs ?? 8_000, (options.baseDelayMs ?? 500) * 2 ** (attempt - 1));
    await sleep(Math.round(delay * (0.8 + 0.4 * Math.random())));
  }
}
