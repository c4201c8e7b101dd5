// Which step errors deserve another attempt, and how long to wait before it.

import { isCutterError } from '../core/errors.js';
import type { RetryPolicy } from './types.js';

const TRANSIENT_NET_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

type ErrorLike = {
  status?: unknown;
  code?: unknown;
  retryAfterMs?: unknown;
  details?: { retryAfterMs?: unknown };
  response?: { headers?: Record<string, unknown> };
  headers?: Record<string, unknown>;
  cause?: unknown;
  message?: unknown;
};

function headersOf(err: ErrorLike): Record<string, unknown> {
  return { ...(err.headers ?? {}), ...(err.response?.headers ?? {}) };
}

/** How long the server asked us to wait (`retryAfterMs` on the error, `retry-after` or a rate-limit reset header). */
export function retryAfterMs(err: unknown, now: Date = new Date()): number | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as ErrorLike;
  for (const candidate of [e.retryAfterMs, e.details?.retryAfterMs]) {
    if (typeof candidate === 'number' && Number.isFinite(candidate) && candidate >= 0) return candidate;
  }
  const headers = headersOf(e);
  const retryAfter = headers['retry-after'];
  if (typeof retryAfter === 'string' || typeof retryAfter === 'number') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(String(retryAfter));
    if (Number.isFinite(date)) return Math.max(0, date - now.getTime());
  }
  if (String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    if (Number.isFinite(reset)) return Math.max(0, reset * 1000 - now.getTime());
  }
  return null;
}

/**
 * Transient: a CutterError marked so; HTTP 5xx, 429, or 403 with retry-after / a secondary rate limit; a network
 * reset or timeout. Everything else (4xx, bugs) is permanent: retrying would repeat the same answer.
 */
export function isTransient(err: unknown): boolean {
  if (isCutterError(err)) return err.transient;
  if (!err || typeof err !== 'object') return false;
  const e = err as ErrorLike;
  const status = typeof e.status === 'number' ? e.status : Number.NaN;
  if (status >= 500 && status <= 599) return true;
  if (status === 429) return true;
  if (status === 403) {
    const headers = headersOf(e);
    return (
      headers['retry-after'] !== undefined ||
      String(headers['x-ratelimit-remaining']) === '0' ||
      /secondary rate limit|abuse/i.test(String(e.message ?? ''))
    );
  }
  if (typeof e.code === 'string' && TRANSIENT_NET_CODES.has(e.code)) return true;
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError') && !('status' in e))
    return true;
  if (e.cause && e.cause !== err) return isTransient(e.cause);
  return false;
}

/** Whether `err` thrown now fails the task: it is permanent, or this is the step's last attempt. */
export function failsTheTask(err: unknown, ctx: { attempt: number; maxAttempts: number }): boolean {
  return !isTransient(err) || ctx.attempt >= ctx.maxAttempts;
}

export const DEFAULT_RETRY: Required<RetryPolicy> = { maxAttempts: 6, baseMs: 500, maxMs: 60_000 };

/**
 * Delay before attempt `attempt + 1`: exponential with "equal jitter" (half fixed, half random) so that many
 * tasks failing together do not retry together; a server's retry-after is honoured even above the ceiling.
 */
export function backoffDelay(
  attempt: number,
  err: unknown,
  policy: Required<RetryPolicy>,
  random: () => number = Math.random,
  now: Date = new Date(),
): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + (random() * exponential) / 2;
  const asked = retryAfterMs(err, now);
  return Math.round(asked === null ? jittered : Math.max(asked, jittered / 4));
}
