// Retry an async call with exponential backoff and jitter, logging each retry; only transient failures are retried.

import { CutterError, isCutterError } from '../core/errors.js';

export interface BackoffOptions {
  /** Retries after the first attempt (default 4: five attempts in all). */
  retries?: number;
  /** First delay; doubles each retry (default 500 ms). */
  baseMs?: number;
  /** Cap on a single delay (default 10 s). */
  maxMs?: number;
  signal?: AbortSignal;
  /** Told before each wait, e.g. to log `500 (attempt 1/5), retrying in 400ms`. */
  onRetry?: (info: { attempt: number; of: number; delayMs: number; error: CutterError }) => void;
  /** Injected so tests run fast without faking the clock. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function aborted(): CutterError {
  return new CutterError('CUTTER_DEPLOY_FAILED', 'roll-out cancelled', { transient: false });
}

/** Delay before retry `attempt` (1-based): base·2^(attempt-1), capped, with ±20% jitter so a fleet does not stampede. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const raw = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** Run `fn(attempt)`; retry while it throws a transient CutterError; the last error is rethrown with `attempts` in details. */
export async function withBackoff<T>(
  fn: (attempt: number) => Promise<T>,
  options: BackoffOptions = {},
): Promise<{ value: T; attempts: number }> {
  const retries = options.retries ?? 4;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt };
    } catch (err) {
      const error = isCutterError(err)
        ? err
        : new CutterError('CUTTER_INTERNAL', err instanceof Error ? err.message : String(err), { cause: err });
      if (!error.transient || attempt > retries || options.signal?.aborted) {
        throw new CutterError(error.code, error.message, {
          hint: error.hint,
          transient: error.transient,
          cause: error,
          details: { ...error.details, attempts: attempt },
        });
      }
      const delayMs = backoffDelay(attempt, options.baseMs ?? 500, options.maxMs ?? 10_000);
      options.onRetry?.({ attempt, of: retries + 1, delayMs, error });
      await wait(delayMs, options.signal);
    }
  }
}
