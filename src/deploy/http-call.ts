// One HTTP request with a timeout; network failures and timeouts become transient CutterErrors with redacted text.

import { CutterError } from '../core/errors.js';
import { redact } from '../core/redact.js';

export interface HttpCall {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** Send the request; any answer (even 4xx/5xx) resolves; only no answer at all throws. */
export async function httpCall(call: HttpCall): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([timeout, call.signal]) : timeout;
  const where = `${call.method} ${redact(call.url)}`;
  try {
    const response = await fetch(call.url, {
      method: call.method,
      headers: {
        accept: 'application/json',
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...call.headers,
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal,
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json };
  } catch (err) {
    if (call.signal?.aborted) {
      throw new CutterError('CUTTER_DEPLOY_FAILED', `${where} cancelled`, { transient: false, cause: err });
    }
    if (timeout.aborted) {
      throw new CutterError('CUTTER_DEPLOY_FAILED', `${where} timed out after ${call.timeoutMs}ms`, {
        transient: true,
        hint: 'the infrastructure API is slow or unreachable; raise timeoutMs or retry later',
        details: { reason: 'timeout' },
      });
    }
    const cause =
      err instanceof Error && err.cause instanceof Error
        ? err.cause.message
        : err instanceof Error
          ? err.message
          : String(err);
    throw new CutterError('CUTTER_DEPLOY_FAILED', `${where} failed: ${redact(cause)}`, {
      transient: true,
      hint: 'could not reach the infrastructure API; check the URL and the network',
      details: { reason: 'network' },
    });
  }
}

/** A short, single-line, redacted excerpt of a response body for error messages. */
export function bodyExcerpt(text: string, max = 200): string {
  const flat = redact(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
