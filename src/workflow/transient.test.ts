import { describe, expect, it } from 'vitest';
import { CutterError } from '../core/errors.js';
import { backoffDelay, DEFAULT_RETRY, isTransient, retryAfterMs } from './transient.js';

const httpError = (status: number, headers: Record<string, string> = {}, message = 'HTTP error') =>
  Object.assign(new Error(message), { status, response: { headers } });

describe('isTransient', () => {
  it('retries server errors, rate limits and network failures', () => {
    expect(isTransient(httpError(502))).toBe(true);
    expect(isTransient(httpError(503))).toBe(true);
    expect(isTransient(httpError(429))).toBe(true);
    expect(isTransient(httpError(403, { 'retry-after': '60' }))).toBe(true);
    expect(isTransient(httpError(403, {}, 'You have exceeded a secondary rate limit'))).toBe(true);
    expect(isTransient(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }))).toBe(true);
    expect(
      isTransient(new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) })),
    ).toBe(true);
    expect(isTransient(new CutterError('CUTTER_TRANSIENT', 'later', { transient: true }))).toBe(true);
  });

  it('does not retry permanent answers', () => {
    expect(isTransient(httpError(404))).toBe(false);
    expect(isTransient(httpError(422))).toBe(false);
    expect(isTransient(httpError(403))).toBe(false);
    expect(isTransient(httpError(401))).toBe(false);
    expect(isTransient(new CutterError('CUTTER_TAG_CONFLICT', 'tag elsewhere'))).toBe(false);
    expect(isTransient(new TypeError('x is undefined'))).toBe(false);
    expect(isTransient('a string')).toBe(false);
    expect(isTransient(undefined)).toBe(false);
  });
});

describe('retryAfterMs', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('reads retryAfterMs, retry-after seconds or date, and the rate-limit reset', () => {
    expect(retryAfterMs(Object.assign(new Error('x'), { retryAfterMs: 1234 }))).toBe(1234);
    expect(retryAfterMs(new CutterError('CUTTER_TRANSIENT', 'x', { details: { retryAfterMs: 50 } }))).toBe(50);
    expect(retryAfterMs(httpError(429, { 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(httpError(503, { 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }), now)).toBe(10_000);
    const reset = String(now.getTime() / 1000 + 20);
    expect(retryAfterMs(httpError(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }), now)).toBe(
      20_000,
    );
    expect(retryAfterMs(httpError(503))).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
  });
});

describe('backoffDelay', () => {
  it('grows exponentially with jitter and stays under the ceiling', () => {
    const policy = { ...DEFAULT_RETRY, baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(1, new Error('x'), policy, () => 0)).toBe(50);
    expect(backoffDelay(1, new Error('x'), policy, () => 1)).toBe(100);
    expect(backoffDelay(3, new Error('x'), policy, () => 1)).toBe(400);
    expect(backoffDelay(10, new Error('x'), policy, () => 1)).toBe(1000);
  });

  it('honours the server asking for more time, even above the ceiling', () => {
    const policy = { ...DEFAULT_RETRY, baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(1, Object.assign(new Error('x'), { retryAfterMs: 5000 }), policy, () => 1)).toBe(5000);
  });
});
