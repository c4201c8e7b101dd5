// Send one message to every channel in parallel, retrying transient failures with backoff; never throws.

import { isCutterError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import type { Notifier, NotifyResult, ReleaseMessage } from './notifier.js';

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
  for (let attempt = 1; ; attempt++) {
    let error: string;
    let code: string;
    let transient: boolean;
    try {
      const result = await notifier.send(message, options.signal ? { signal: options.signal } : {});
      if (result.ok) return { ...result, channel: notifier.channel, attempts: result.skipped ? 0 : attempt };
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
    if (!willRetry) return { channel: notifier.channel, ok: false, attempts: attempt, error, code };
    const delay = Math.min(options.maxDelayMs ?? 8_000, (options.baseDelayMs ?? 500) * 2 ** (attempt - 1));
    await sleep(Math.round(delay * (0.8 + 0.4 * Math.random())));
  }
}
