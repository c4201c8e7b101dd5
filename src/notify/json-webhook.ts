// Generic JSON webhook channel: POST the message as JSON, optionally signed with HMAC-SHA256 like GitHub's webhooks.

import { createHmac, randomUUID } from 'node:crypto';
import { registerSecret } from '../core/redact.js';
import { idempotencyId } from './fan-out.js';
import type { Notifier, NotifyResult, ReleaseMessage } from './notifier.js';
import { excerpt, notifyFailure } from './notify-failure.js';

export interface JsonWebhookConfig {
  url: string;
  /** When set, the body is signed: `<signatureHeader>: sha256=<hex HMAC-SHA256 of the exact body>`. */
  secret?: string;
  /** Default `x-cutter-signature-256`. */
  signatureHeader?: string;
  /** Extra headers (e.g. an API key read from the environment). */
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Set when one config posts to several endpoints, to tell their results apart (default `json-webhook`). */
  channel?: string;
}

/** The JSON body receivers get: the message plus `event` (its kind) and `delivery` (a unique id for dedupe). */
export interface JsonWebhookBody extends ReleaseMessage {
  event: ReleaseMessage['kind'];
  delivery: string;
}

/** Sign a body the way receivers verify it (exported so receivers and tests share one definition). */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function createJsonWebhookNotifier(config: JsonWebhookConfig): Notifier {
  registerSecret(config.secret);
  for (const value of Object.values(config.headers ?? {})) registerSecret(value);
  // Query strings and user-info often carry keys (`?token=…`); the values and the whole URL are masked wherever they show up.
  const parsed = new URL(config.url);
  if (parsed.search || parsed.password) registerSecret(config.url);
  for (const value of parsed.searchParams.values()) registerSecret(value);
  registerSecret(decodeURIComponent(parsed.password));
  const channel = config.channel ?? 'json-webhook';

  return {
    channel,
    async send(message: ReleaseMessage, opts = {}): Promise<NotifyResult> {
      // Stable across attempts and restarts when the outbox names the message: receivers dedupe on it.
      const delivery = opts.idempotencyKey ? idempotencyId(opts.idempotencyKey) : randomUUID();
      const body = JSON.stringify({ event: message.kind, delivery, ...message } satisfies JsonWebhookBody);
      const timeout = AbortSignal.timeout(config.timeoutMs ?? 10_000);
      let response: Response;
      try {
        response = await fetch(config.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'cutter',
            'x-cutter-event': message.kind,
            'x-cutter-delivery': delivery,
            ...config.headers,
            ...(config.secret
              ? { [config.signatureHeader ?? 'x-cutter-signature-256']: signBody(config.secret, body) }
              : {}),
          },
          body,
          redirect: 'error',
          signal: opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout,
        });
      } catch (err) {
        const why = timeout.aborted
          ? `timed out after ${config.timeoutMs ?? 10_000}ms`
          : err instanceof Error && err.cause instanceof Error
            ? err.cause.message
            : String(err);
        throw notifyFailure(channel, `POST failed: ${why}`, undefined, undefined, err);
      }
      const text = await response.text().catch(() => '');
      if (!response.ok) {
        throw notifyFailure(
          channel,
          `receiver answered ${response.status}${text ? `: ${excerpt(text)}` : ''}`,
          response.status,
        );
      }
      return { channel, ok: true, attempts: 1, id: delivery };
    },
  };
}
