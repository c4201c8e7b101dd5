// Turn whatever a channel's client threw into one redacted CUTTER_NOTIFY_FAILED error, transient when a retry may help.

import { CutterError } from '../core/errors.js';
import { redact } from '../core/redact.js';

/** 5xx, 408, 429 and no answer at all are worth retrying; other 4xx mean the config or payload is wrong. */
export function transientStatus(status: number | undefined): boolean {
  return status === undefined || status >= 500 || status === 408 || status === 429;
}

export function notifyFailure(
  channel: string,
  what: string,
  status: number | undefined,
  hint?: string,
  cause?: unknown,
): CutterError {
  return new CutterError('CUTTER_NOTIFY_FAILED', redact(`${channel}: ${what}`), {
    transient: transientStatus(status),
    ...(hint ? { hint } : {}),
    details: status === undefined ? {} : { status },
    // The cause keeps the stack for debugging but never reaches a log line: only message/hint are shown.
    cause: cause === undefined ? undefined : redact(cause instanceof Error ? cause.message : String(cause)),
  });
}

/** A short, single-line excerpt of a response body. */
export function excerpt(text: unknown, max = 200): string {
  const flat = redact(typeof text === 'string' ? text : (JSON.stringify(text) ?? ''))
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
